package dev.altimeter.api.v2;

import org.springframework.http.HttpStatus;

/**
 * An error the API reports to the client in Ceilometer's shape: {@code {"error_message":
 * {"faultcode", "faultstring", "debuginfo"}}}. Carries no stack trace: it is an answer, not a bug.
 */
public final class ApiError extends RuntimeException {
  private final HttpStatus status;
  private final String challenge;

  public ApiError(HttpStatus status, String faultstring) {
    this(status, faultstring, null);
  }

  private ApiError(HttpStatus status, String faultstring, String challenge) {
    super(faultstring, null, false, false);
    this.status = status;
    this.challenge = challenge;
  }

  public HttpStatus status() {
    return status;
  }

  /** The {@code WWW-Authenticate} value of a 401 that a bearer token would answer, else null. */
  String challenge() {
    return challenge;
  }

  /** 401 for a request without a valid bearer token, with the {@code Bearer} challenge (RFC 6750). */
  static ApiError unauthenticated(String faultstring) {
    return new ApiError(HttpStatus.UNAUTHORIZED, faultstring, "Bearer");
  }

  static ApiError badRequest(String faultstring) {
    return new ApiError(HttpStatus.BAD_REQUEST, faultstring);
  }

  /** WSME's InvalidInput message. */
  static ApiError invalidInput(String field, Object value, String reason) {
    return badRequest("Invalid input for field/attribute " + field + ". Value: '" + value + "'. " + reason);
  }

  static ApiError notFound(String faultstring) {
    return new ApiError(HttpStatus.NOT_FOUND, faultstring);
  }

  /** {@code project} as the request gave it: the NULL sentinel of a {@code None} value is "None" again, not its NUL. */
  static ApiError projectNotAuthorized(String project) {
    String named = dev.altimeter.storage.SampleFilter.NULL.equals(project) ? "None" : project;
    return new ApiError(HttpStatus.UNAUTHORIZED, "Not Authorized to access project " + named);
  }
}
