package dev.altimeter.api.v2;

import dev.altimeter.ingest.IngestCounter;
import dev.altimeter.ingest.IngestOutcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;

/**
 * What every request goes through before routing, in this order: a trailing slash is dropped (Pecan
 * routed with or without it), the configured path prefix becomes the context path (so routes match
 * and links carry it; unprefixed paths keep working), CORS (oslo.middleware's rules), 400 for
 * a NUL character anywhere in the path or query (no store can keep one), 415 for a body that is
 * not JSON (or whose Content-Type cannot be parsed), on any method, except the form and protobuf
 * bodies of the Prometheus API below {@code /api/v1/}, and {@link AcceptedTypes}' rules on {@code Accept}
 * (406 for one that cannot be parsed or names more than 50 types; JSON in another charset than UTF-8
 * left out of the header, 406 when nothing else is left).
 *
 * <p>Who the caller is, and what it may do, is not decided here but by each handler ({@link
 * CallerResolver}): a filter sees the raw path, the router a normalised one.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestFilter implements WebFilter {
  private final ApiSettings settings;
  private final CorsConfiguration cors;
  private final DefaultCorsProcessor corsProcessor = new DefaultCorsProcessor();

  private final IngestCounter v2Ingest;

  /** @param counters where a refused sample POST counts, as receiver {@code v2} (as in {@link MetersController}) */
  RequestFilter(ApiSettings settings, IngestCounter.Receivers counters) {
    this.settings = settings;
    this.v2Ingest = counters.receiver("v2");
    if (settings.allowedOrigins.isEmpty()) {
      this.cors = null;
    } else {
      CorsConfiguration c = new CorsConfiguration();
      c.setAllowedOrigins(settings.allowedOrigins);
      c.setAllowedMethods(List.of("GET", "POST", "DELETE"));
      c.setAllowedHeaders(List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.AUTHORIZATION, "X-Auth-Token",
          Caller.USER, Caller.PROJECT, Caller.ROLES, "X-Openstack-Request-Id"));
      c.setExposedHeaders(List.of("X-Openstack-Request-Id"));
      c.setMaxAge(3600L);
      this.cors = c;
    }
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    String path = request.getPath().value();
    String prefix = settings.prefix;
    if (path.length() > 1 && path.endsWith("/") && !path.equals(prefix + "/")) {
      // Pecan routed "/v2/meters/" like "/v2/meters"; Spring's router no longer does
      path = path.substring(0, path.length() - 1);
      request = request.mutate().path(path).build();
    }
    if (!prefix.isEmpty() && (path.equals(prefix) || path.startsWith(prefix + "/"))) {
      request = request.mutate().contextPath(prefix).build();
    }
    if (request != exchange.getRequest()) exchange = exchange.mutate().request(request).build();
    if (cors != null && CorsUtils.isCorsRequest(request)) {
      // oslo.middleware's CORS: an allowed origin gets the headers; any other origin gets the normal
      // answer without them (the browser then refuses it), and a preflight is 200 either way
      boolean allowed = cors.checkOrigin(request.getHeaders().getOrigin()) != null
          && corsProcessor.process(cors, exchange);
      if (CorsUtils.isPreFlightRequest(request)) {
        if (!allowed) exchange.getResponse().setStatusCode(HttpStatus.OK);
        return exchange.getResponse().setComplete();
      }
    }
    if (hasNul(request)) {
      countRefusedSamplePost(request);
      return Mono.error(ApiError.badRequest("Invalid input: the request's path or query holds a NUL character"));
    }
    HttpHeaders headers = request.getHeaders();
    MediaType type;
    try {
      type = headers.getContentType();
    } catch (InvalidMediaTypeException e) {
      countRefusedSamplePost(request);
      return Mono.error(new UnsupportedMediaTypeStatusException("Invalid Content-Type: " + e.getMessage()));
    }
    if (type != null && hasBody(request) && !isJson(type) && !prometheusBody(request, type)) {
      countRefusedSamplePost(request);
      return Mono.error(new UnsupportedMediaTypeStatusException(type, List.of(MediaType.APPLICATION_JSON)));
    }
    try {
      exchange = AcceptedTypes.negotiate(exchange);
    } catch (NotAcceptableStatusException e) {
      countRefusedSamplePost(request);
      return Mono.error(e);
    }
    // content negotiation refuses a sample POST's Accept (406) while routing, before the controller
    // that counts the v2 door: counted here, as the refusals above
    ServerHttpRequest routed = request;
    return chain.filter(exchange).doOnError(NotAcceptableStatusException.class, e -> countRefusedSamplePost(routed));
  }

  /**
   * A sample POST ({@code POST /v2/meters/{name}}) refused here never reaches the controller that
   * counts the v2 door: counted as one invalid, as it would count a refused body.
   */
  private void countRefusedSamplePost(ServerHttpRequest request) {
    // an empty segment ("//", which the parsed path leaves out): no route, no sample POST
    if (request.getMethod() != HttpMethod.POST || request.getPath().pathWithinApplication().value().contains("//")) {
      return;
    }
    List<String> segments = new ArrayList<>();
    for (var element : request.getPath().pathWithinApplication().elements()) {
      if (element instanceof org.springframework.http.server.PathContainer.PathSegment segment) {
        segments.add(segment.valueToMatch());
      }
    }
    if (segments.size() == 3 && segments.get(0).equals("v2") && segments.get(1).equals("meters")) {
      v2Ingest.count(IngestOutcome.INVALID);
    }
  }

  private static boolean hasNul(ServerHttpRequest request) {
    if (UriUtils.decode(request.getPath().value(), StandardCharsets.UTF_8).indexOf('\0') >= 0) return true;
    for (Map.Entry<String, List<String>> e : request.getQueryParams().entrySet()) {
      if (e.getKey().indexOf('\0') >= 0) return true;
      for (String v : e.getValue()) if (v != null && v.indexOf('\0') >= 0) return true;
    }
    return false;
  }

  /** POST and PUT always carry one; other methods when they say so. */
  private static boolean hasBody(ServerHttpRequest request) {
    HttpMethod method = request.getMethod();
    if (method == HttpMethod.POST || method == HttpMethod.PUT) return true;
    HttpHeaders headers = request.getHeaders();
    return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
  }

  /**
   * The Prometheus API's bodies below {@code /api/v1/}: form-encoded parameters (as its clients
   * POST queries) and remote write's protobuf. Elsewhere they are 415 as before.
   */
  private static boolean prometheusBody(ServerHttpRequest request, MediaType type) {
    if (!MediaType.APPLICATION_FORM_URLENCODED.includes(type) && !PROTOBUF.includes(type)) return false;
    // decided on the path as any spelling the router may take for it reads (matrix parameters,
    // percent-encodings, empty segments, case): a form body elsewhere is only refused later
    StringBuilder path = new StringBuilder();
    for (var element : request.getPath().elements()) {
      if (element instanceof org.springframework.http.server.PathContainer.PathSegment segment
          && !segment.valueToMatch().isEmpty()) {
        path.append('/').append(segment.valueToMatch().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return path.indexOf("/api/v1/") >= 0 || path.indexOf("/api%2fv1/") >= 0;
  }

  private static final MediaType PROTOBUF = MediaType.parseMediaType("application/x-protobuf");

  private static boolean isJson(MediaType type) {
    return MediaType.APPLICATION_JSON.isCompatibleWith(type)
        || (type.getSubtype() != null && type.getSubtype().endsWith("+json"));
  }
}
