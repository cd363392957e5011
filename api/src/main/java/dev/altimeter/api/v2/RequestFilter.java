package dev.altimeter.api.v2;

import dev.altimeter.storage.TokenStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * What every API request goes through, in this order: the configured path prefix becomes the
 * context path (so routes match and links carry it; unprefixed paths keep working), CORS (before
 * authentication, so preflights need no credentials), 415 for a body that is not JSON, and the
 * caller's identity (headers, or a bearer token in token mode, where a {@code /v2} request without a
 * valid token is 401).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestFilter implements WebFilter {
  private static final Logger LOG = LoggerFactory.getLogger(RequestFilter.class);

  private final ApiSettings settings;
  private final TokenStore tokens;
  private final CorsConfiguration cors;
  private final DefaultCorsProcessor corsProcessor = new DefaultCorsProcessor();

  RequestFilter(ApiSettings settings, ObjectProvider<TokenStore> tokens) {
    this.settings = settings;
    this.tokens = tokens.getIfAvailable();
    if (settings.auth == ApiSettings.Auth.TOKEN && this.tokens == null) {
      throw new IllegalStateException("altimeter.api.auth=token needs a TokenStore");
    }
    if (settings.auth == ApiSettings.Auth.HEADERS) {
      LOG.warn("API access control trusts the X-User-Id, X-Project-Id and X-Roles headers, and a request"
          + " without them is an admin: the API must sit behind an authenticating proxy that sets them"
          + " (or set altimeter.api.auth=token)");
    }
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
    if (!prefix.isEmpty() && (path.equals(prefix) || path.startsWith(prefix + "/"))) {
      request = request.mutate().contextPath(prefix).build();
      exchange = exchange.mutate().request(request).build();
    }
    if (cors != null && CorsUtils.isCorsRequest(request)) {
      boolean allowed = corsProcessor.process(cors, exchange);
      if (!allowed || CorsUtils.isPreFlightRequest(request)) return Mono.empty();
    }
    HttpMethod method = request.getMethod();
    MediaType type = request.getHeaders().getContentType();
    if ((method == HttpMethod.POST || method == HttpMethod.PUT) && type != null && !isJson(type)) {
      return Mono.error(new UnsupportedMediaTypeStatusException(type, List.of(MediaType.APPLICATION_JSON)));
    }
    String within = request.getPath().pathWithinApplication().value();
    // the API description is public, like the version document
    boolean api = (within.equals("/v2") || within.startsWith("/v2/")) && !within.equals(OpenApiController.PATH);
    if (settings.auth == ApiSettings.Auth.HEADERS || !api) {
      exchange.getAttributes().put(Caller.ATTRIBUTE, Caller.from(request.getHeaders()));
      return chain.filter(exchange);
    }
    String token = bearer(request.getHeaders());
    exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    if (token == null) return Mono.error(new ApiError(HttpStatus.UNAUTHORIZED, "Authentication required"));
    ServerWebExchange ex = exchange;
    ex.getResponse().beforeCommit(() -> {
      // the challenge belongs to 401 answers only
      if (ex.getResponse().getStatusCode() == null || ex.getResponse().getStatusCode().value() != 401) {
        ex.getResponse().getHeaders().remove(HttpHeaders.WWW_AUTHENTICATE);
      }
      return Mono.empty();
    });
    return tokens.find(sha256(token))
        .switchIfEmpty(Mono.error(() -> new ApiError(HttpStatus.UNAUTHORIZED, "Invalid token")))
        .flatMap(t -> {
          ex.getAttributes().put(Caller.ATTRIBUTE,
              new Caller(t.userId(), t.projectId(), new HashSet<>(t.roles()), false));
          return chain.filter(ex);
        });
  }

  private static boolean isJson(MediaType type) {
    return MediaType.APPLICATION_JSON.isCompatibleWith(type)
        || (type.getSubtype() != null && type.getSubtype().endsWith("+json"));
  }

  /** {@code Authorization: Bearer <token>}, or keystone's {@code X-Auth-Token}. */
  private static String bearer(HttpHeaders headers) {
    String auth = headers.getFirst(HttpHeaders.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String t = auth.substring(7).trim();
      return t.isEmpty() ? null : t;
    }
    String x = headers.getFirst("X-Auth-Token");
    return x == null || x.isBlank() ? null : x.trim();
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
