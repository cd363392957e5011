package dev.altimeter.api.v2;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * The API's {@code altimeter.api.*} properties.
 *
 * <ul>
 *   <li>{@code altimeter.api.auth}: how callers are identified (see {@link Auth}); default
 *       {@code headers}. The runnable service chooses {@code none} on loopback when nothing is set.</li>
 *   <li>{@code altimeter.api.prefix}: a path prefix the API is also served under, e.g. {@code
 *       /telemetry}; links then carry it (default none)</li>
 *   <li>{@code altimeter.api.cors.allowed-origins}: comma list of origins allowed by CORS (default
 *       none: no CORS headers)</li>
 *  *   <li>{@code altimeter.api.max-request-size}: the largest request body on any method (default
 *       {@code spring.http.codecs.max-in-memory-size}, else 32MB); larger is 413</li>
 * </ul>
 */
@Component
class ApiSettings {
  /** How the API learns who is asking. */
  enum Auth {
    /**
     * Ceilometer's {@code auth_strategy = noauth}: identity headers are taken when present, and a
     * request without them is an admin. For a single host or tests; never behind a public address.
     */
    NONE,
    /**
     * keystonemiddleware in front: the identity headers ({@code X-User-Id}, {@code X-Project-Id},
     * {@code X-Roles}) are trusted, a request without them or with {@code X-Identity-Status} other
     * than {@code Confirmed} is 401.
     */
    HEADERS,
    /** Bearer tokens ({@code Authorization: Bearer} or {@code X-Auth-Token}); headers are ignored. */
    TOKEN
  }

  final Auth auth;
  final String prefix;
  final List<String> allowedOrigins;
  final long maxRequestSize;

  ApiSettings(@Value("${altimeter.api.auth:headers}") String auth,
      @Value("${altimeter.api.prefix:}") String prefix,
      @Value("${altimeter.api.cors.allowed-origins:}") String allowedOrigins,
      @Value("${altimeter.api.max-request-size:${spring.http.codecs.max-in-memory-size:32MB}}") DataSize maxRequestSize) {
    this.auth = switch (auth.trim().toLowerCase(Locale.ROOT)) {
      case "none" -> Auth.NONE;
      case "headers" -> Auth.HEADERS;
      case "token" -> Auth.TOKEN;
      default -> throw new IllegalArgumentException("altimeter.api.auth must be none, headers or token, not " + auth);
    };
    String p = prefix.trim();
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (!p.isEmpty() && !p.startsWith("/")) p = "/" + p;
    this.prefix = p;
    this.allowedOrigins = Arrays.stream(allowedOrigins.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (maxRequestSize.toBytes() < 1) throw new IllegalArgumentException("altimeter.api.max-request-size must be positive");
    this.maxRequestSize = maxRequestSize.toBytes();
  }

  /** For tests: the given auth mode, no prefix or CORS, default caps. */
  static ApiSettings of(String auth) {
    return new ApiSettings(auth, "", "", DataSize.ofMegabytes(32));
  }
}
