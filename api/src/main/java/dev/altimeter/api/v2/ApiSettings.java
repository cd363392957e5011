package dev.altimeter.api.v2;

import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The API's {@code altimeter.api.*} properties.
 *
 * <ul>
 *   <li>{@code altimeter.api.auth}: {@code headers} (default) or {@code token}</li>
 *   <li>{@code altimeter.api.prefix}: a path prefix the API is also served under, e.g. {@code
 *       /telemetry}; links then carry it (default none)</li>
 *   <li>{@code altimeter.api.cors.allowed-origins}: comma list of origins allowed by CORS (default
 *       none: no CORS headers)</li>
 * </ul>
 */
@Component
class ApiSettings {
  enum Auth { HEADERS, TOKEN }

  final Auth auth;
  final String prefix;
  final List<String> allowedOrigins;

  ApiSettings(@Value("${altimeter.api.auth:headers}") String auth,
      @Value("${altimeter.api.prefix:}") String prefix,
      @Value("${altimeter.api.cors.allowed-origins:}") String allowedOrigins) {
    this.auth = switch (auth.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "headers" -> Auth.HEADERS;
      case "token" -> Auth.TOKEN;
      default -> throw new IllegalArgumentException("altimeter.api.auth must be headers or token, not " + auth);
    };
    String p = prefix.trim();
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (!p.isEmpty() && !p.startsWith("/")) p = "/" + p;
    this.prefix = p;
    this.allowedOrigins = Arrays.stream(allowedOrigins.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
