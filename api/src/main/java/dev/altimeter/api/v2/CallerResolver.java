package dev.altimeter.api.v2;

import dev.altimeter.storage.TokenStore;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Authenticates a request when, and only when, the handler it was routed to asks for a {@link
 * Caller}: authentication is decided per handler, on what the router matched, never on the request's
 * path string (which has matrix parameters, percent-encodings and prefixes the router ignores).
 *
 * <ul>
 *   <li>{@code none}: the identity headers if any; a request with none is an admin.</li>
 *   <li>{@code headers}: the identity headers; none at all, or {@code X-Identity-Status} other than
 *       {@code Confirmed} (keystonemiddleware's delay_auth_decision), is 401.</li>
 *   <li>{@code token}: the bearer token; missing is 401 {@code Authentication required}, unknown is
 *       {@code Invalid token}, expired {@code Token expired}, each with {@code WWW-Authenticate:
 *       Bearer}. Identity headers are ignored.</li>
 * </ul>
 */
@Component
class CallerResolver implements HandlerMethodArgumentResolver {
  private static final Logger LOG = LoggerFactory.getLogger(CallerResolver.class);
  static final String IDENTITY_STATUS = "X-Identity-Status";

  private final ApiSettings.Auth mode;
  private final TokenStore tokens;
  private final Clock clock;

  @Autowired
  CallerResolver(ApiSettings settings, ObjectProvider<TokenStore> tokens) {
    this(settings.auth, tokens.getIfAvailable(), Clock.systemUTC());
  }

  CallerResolver(ApiSettings.Auth mode, TokenStore tokens, Clock clock) {
    this.mode = mode;
    this.tokens = tokens;
    this.clock = clock;
    if (mode == ApiSettings.Auth.TOKEN && tokens == null) {
      throw new IllegalStateException("altimeter.api.auth=token needs a TokenStore");
    }
    switch (mode) {
      case NONE -> LOG.warn("altimeter.api.auth=none: every API caller without identity headers is an admin;"
          + " only for a single host (loopback) or tests");
      case HEADERS -> LOG.info("altimeter.api.auth=headers: the API trusts the X-User-Id, X-Project-Id and X-Roles"
          + " headers and must sit behind an authenticating proxy that sets them");
      case TOKEN -> { }
    }
  }

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType() == Caller.class;
  }

  @Override
  public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext context, ServerWebExchange exchange) {
    return authenticate(exchange.getRequest().getHeaders()).cast(Object.class);
  }

  /**
   * Headers that carry an identity or a credential; given more than once, the request is refused:
   * an authenticating proxy that appends its headers instead of replacing the client's would
   * otherwise let the client's copy win.
   */
  private static final List<String> SINGLE = List.of(Caller.USER, Caller.PROJECT, Caller.ROLES, IDENTITY_STATUS,
      HttpHeaders.AUTHORIZATION, "X-Auth-Token");

  Mono<Caller> authenticate(HttpHeaders headers) {
    for (String name : SINGLE) {
      List<String> values = headers.get(name);
      if (values != null && values.size() > 1) {
        return Mono.error(mode == ApiSettings.Auth.TOKEN ? ApiError.unauthenticated("Ambiguous credentials: " + name
            + " given more than once") : new ApiError(HttpStatus.UNAUTHORIZED, "Ambiguous identity: " + name
            + " given more than once"));
      }
    }
    return switch (mode) {
      case NONE -> Mono.just(Caller.from(headers, true));
      case HEADERS -> {
        String status = headers.getFirst(IDENTITY_STATUS);
        Caller caller = Caller.from(headers, false);
        if ((status != null && !status.trim().equalsIgnoreCase("Confirmed")) || caller.anonymous()) {
          yield Mono.error(new ApiError(HttpStatus.UNAUTHORIZED, "Authentication required"));
        }
        yield Mono.just(caller);
      }
      case TOKEN -> {
        String token = bearer(headers);
        if (token == null) yield Mono.error(ApiError.unauthenticated("Authentication required"));
        yield tokens.find(TokenIssuer.sha256(token))
            .switchIfEmpty(Mono.error(() -> ApiError.unauthenticated("Invalid token")))
            .map(t -> {
              if (t.expiredAt(clock.instant())) throw ApiError.unauthenticated("Token expired");
              return new Caller(t.userId(), t.projectId(), new HashSet<>(t.roles()), false);
            });
      }
    };
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
}
