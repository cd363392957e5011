package dev.altimeter.api.v2;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who is asking. In headers mode, as the authenticating proxy (keystonemiddleware) put it in the
 * identity headers, and a request with no identity headers is an admin (so that mode must sit
 * behind such a proxy). In token mode, from the bearer token; headers are ignored.
 *
 * <p>{@link RequestFilter} resolves the caller once per request and keeps it in the exchange.
 */
record Caller(String userId, String projectId, Set<String> roles, boolean anonymousIsAdmin) {
  static final String USER = "X-User-Id";
  static final String PROJECT = "X-Project-Id";
  static final String ROLES = "X-Roles";
  static final String ATTRIBUTE = Caller.class.getName();

  static Caller from(HttpHeaders headers) {
    String roles = headers.getFirst(ROLES);
    return new Caller(blankToNull(headers.getFirst(USER)), blankToNull(headers.getFirst(PROJECT)),
        roles == null ? Set.of() : Arrays.stream(roles.split(",")).map(String::trim)
            .filter(r -> !r.isEmpty()).collect(Collectors.toUnmodifiableSet()), true);
  }

  /** The caller {@link RequestFilter} resolved; fails when the filter did not run (a wiring bug). */
  static Caller of(ServerWebExchange exchange) {
    Caller caller = exchange.getAttribute(ATTRIBUTE);
    if (caller == null) throw new IllegalStateException("no caller resolved for " + exchange.getRequest().getPath());
    return caller;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  boolean admin() {
    return roles.contains("admin") || (anonymousIsAdmin && userId == null && projectId == null && roles.isEmpty());
  }

  /**
   * The project a non-admin caller is confined to, or {@code requested} for an admin. A non-admin query
   * that names another project is refused (401), and a non-admin without a project is refused (403).
   */
  String confineProject(String requested) {
    if (admin()) return requested;
    // a non-admin without a project would otherwise be confined to nothing, i.e. see everything
    if (projectId == null) throw new ApiError(org.springframework.http.HttpStatus.FORBIDDEN, "RBAC Authorization Failed");
    if (requested != null && !requested.equals(projectId)) throw ApiError.projectNotAuthorized(requested);
    return projectId;
  }

  /** May this caller see a row of {@code project}? */
  boolean sees(String project) {
    return admin() || (projectId != null && projectId.equals(project));
  }
}
