package dev.altimeter.api.v2;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;

/**
 * Who is asking, as the authenticating proxy (keystonemiddleware) put it in the identity headers.
 * A request with no identity headers is an admin: this mode must sit behind such a proxy.
 */
record Caller(String userId, String projectId, Set<String> roles) {
  static final String USER = "X-User-Id";
  static final String PROJECT = "X-Project-Id";
  static final String ROLES = "X-Roles";

  static Caller from(HttpHeaders headers) {
    String roles = headers.getFirst(ROLES);
    return new Caller(blankToNull(headers.getFirst(USER)), blankToNull(headers.getFirst(PROJECT)),
        roles == null ? Set.of() : Arrays.stream(roles.split(",")).map(String::trim)
            .filter(r -> !r.isEmpty()).collect(Collectors.toUnmodifiableSet()));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  boolean admin() {
    return roles.contains("admin") || (userId == null && projectId == null && roles.isEmpty());
  }

  /**
   * The project a non-admin caller is confined to, or {@code null} for an admin. A non-admin query
   * that names another project is refused.
   */
  String confineProject(String requested) {
    if (admin()) return requested;
    if (requested != null && !requested.equals(projectId)) throw ApiError.projectNotAuthorized(requested);
    return projectId;
  }
}
