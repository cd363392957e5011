package dev.altimeter.api.prometheus;

import dev.altimeter.promql.QueryException;
import dev.altimeter.storage.StoreException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * An error answered in Prometheus's envelope, {@code {"status":"error","errorType":...,"error":...}},
 * with Prometheus's status for its type (bad_data 400, execution 422, timeout and unavailable 503,
 * not_found 404, internal 500). No stack trace: it is an answer.
 */
final class PrometheusError extends RuntimeException {
  private final String errorType;
  private final int status;

  PrometheusError(String errorType, int status, String message) {
    super(message, null, false, false);
    this.errorType = errorType;
    this.status = status;
  }

  static PrometheusError badData(String message) {
    return new PrometheusError("bad_data", 400, message);
  }

  /** Prometheus's wording for a parameter it cannot read. */
  static PrometheusError invalidParameter(String name, String reason) {
    return badData("invalid parameter \"" + name + "\": " + reason);
  }

  static PrometheusError unavailable(String message) {
    return new PrometheusError("unavailable", 503, message);
  }

  static PrometheusError of(QueryException e) {
    QueryException.ErrorType t = e.type();
    // the engine wraps what its source failed with: the store's kinds keep their meaning
    if (e.getCause() instanceof StoreException.Unavailable u) return unavailable(u.getMessage());
    if (e.getCause() instanceof StoreException.InvalidData d) return badData("Invalid input: " + d.getMessage());
    // Prometheus answers a timeout and a cancellation 503 (its client retries neither differently)
    int status = t == QueryException.ErrorType.TIMEOUT || t == QueryException.ErrorType.CANCELED ? 503 : t.httpStatus();
    return new PrometheusError(t.promType(), status, e.getMessage());
  }

  /** The answer: Prometheus's error envelope, with {@code Retry-After} on a 503. */
  ResponseEntity<Map<String, Object>> response() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("errorType", errorType);
    body.put("error", getMessage());
    var response = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
    if (status == 503) response.header("Retry-After", "1");
    return response.body(body);
  }

  String errorType() {
    return errorType;
  }

  int status() {
    return status;
  }
}
