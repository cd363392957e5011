// Calls to the service's own API, relative to the page's <base> (the service's prefix), with the
// user's token when there is one. Every error becomes an ApiError carrying the API's own message:
// Ceilometer's fault ({"error_message": {"faultstring": ...}}) or Prometheus's
// ({"status": "error", "errorType": ..., "error": ...}).

const TOKEN_KEY = 'altimeter.console.token';

/** The bearer token, kept in this tab's sessionStorage only (gone when the tab closes). */
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  /** status: the HTTP status (0 when the service could not be reached); bearer: it asked for a token. */
  constructor(status, message, bearer = false) {
    super(message);
    this.status = status;
    this.bearer = bearer;
  }
}

/** The URL of an API path (no leading slash) with its query parameters, as [name, value] pairs. */
export function apiUrl(path, params = []) {
  const url = new URL(path, document.baseURI);
  for (const [name, value] of params) url.searchParams.append(name, value);
  return url;
}

/** What to show for a request: its path and query, as one would paste after the host. */
export function describe(url) {
  return `GET ${decodeURIComponent(url.pathname + url.search)}`;
}

export async function getJson(url) {
  const headers = { Accept: 'application/json' };
  const bearer = token.get();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(url, { headers, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `The service could not be reached (${e.message})`);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the status line says what happened
  }
  const message = errorMessage(body);
  if (!response.ok || message) {
    const challenge = response.headers.get('WWW-Authenticate') || '';
    throw new ApiError(response.status,
      `HTTP ${response.status}: ${message || response.statusText || 'request failed'}`,
      response.status === 401 && /^bearer/i.test(challenge));
  }
  return body;
}

/** The API's own words for an error document, or null when the body is none. */
function errorMessage(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  if ('error_message' in body) {
    const fault = body.error_message;
    if (fault && typeof fault === 'object') return String(fault.faultstring ?? JSON.stringify(fault));
    return String(fault);
  }
  if (body.status === 'error') return body.errorType ? `${body.errorType}: ${body.error}` : String(body.error);
  return null;
}
