package dev.altimeter.api.v2;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * Who is asking, as {@link CallerResolver} authenticated it: from the identity headers (modes
 * {@code none} and {@code headers}) or from a bearer token (mode {@code token}). A handler that acts
 * for someone takes a {@code Caller} parameter and decides on it; there is no other way to get one.
 *
 * @param anonymousIsAdmin mode {@code none} only: a caller with no identity at all is an admin
 */
public record Caller(String userId, String projectId, Set<String> roles, boolean anonymousIsAdmin) {
  static final String USER = "X-User-Id";
  static final String PROJECT = "X-Project-Id";
  static final String ROLES = "X-Roles";

  /** The identity headers; blank values count as absent. */
  static Caller from(HttpHeaders headers, boolean anonymousIsAdmin) {
    String roles = headers.getFirst(ROLES);
    return new Caller(blankToNull(headers.getFirst(USER)), blankToNull(headers.getFirst(PROJECT)),
        roles == null ? Set.of() : Arrays.stream(roles.split(",")).map(String::trim)
            .filter(r -> !r.isEmpty()).collect(Collectors.toUnmodifiableSet()), anonymousIsAdmin);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** Carries no identity at all. */
  boolean anonymous() {
    return userId == null && projectId == null && roles.isEmpty();
  }

  /** Role {@code admin}, matched without case as oslo.policy matches roles; or anonymous in mode none. */
  public boolean admin() {
    // a loop, not a stream: asked once per posted sample
    for (String role : roles) {
      if ("admin".equalsIgnoreCase(role)) return true;
    }
    return anonymousIsAdmin && anonymous();
  }

  /**
   * The project a non-admin caller is confined to, or {@code requested} for an admin. A non-admin
   * naming another project is refused (401, Ceilometer's ProjectNotAuthorized), and a non-admin
   * without a project is refused (403). Reads and writes follow the same rule.
   */
  public String confineProject(String requested) {
    if (admin()) return requested;
    // a non-admin without a project would otherwise be confined to nothing, i.e. see everything
    if (projectId == null) throw new ApiError(HttpStatus.FORBIDDEN, "RBAC Authorization Failed");
    if (requested != null && !requested.equals(projectId)) throw ApiError.projectNotAuthorized(requested);
    return projectId;
  }

  /** May this caller see a row of {@code project}? */
  boolean sees(String project) {
    return admin() || (projectId != null && projectId.equals(project));
  }

  /** Refuses a caller that is not an admin (403). */
  Caller requireAdmin() {
    if (!admin()) throw new ApiError(HttpStatus.FORBIDDEN, "RBAC Authorization Failed");
    return this;
  }
}
