package dev.altimeter.promql;

/**
 * A query failure with Prometheus' error type; the HTTP API answers
 * {@code {"status":"error","errorType":type().promType(),"error":getMessage()}} with
 * {@code type().httpStatus()}.
 */
public final class QueryException extends RuntimeException {

  /** Prometheus' errorType strings and the status codes its HTTP API uses for them. */
  public enum ErrorType {
    /** Unparseable or unsupported query, bad parameters. */
    BAD_DATA("bad_data", 400),
    /** Failure while evaluating (e.g. many-to-many matching). */
    EXECUTION("execution", 422),
    TIMEOUT("timeout", 503),
    /** The client went away; Prometheus uses nginx's 499. */
    CANCELED("canceled", 499),
    INTERNAL("internal", 500),
    NOT_FOUND("not_found", 404),
    /**
     * A query limit (samples, series) was exceeded. Prometheus reports its sample limit as
     * errorType "execution" with 422, and so do we; 413 is left to oversized request bodies.
     */
    TOO_MANY("execution", 422);

    private final String promType;
    private final int httpStatus;

    ErrorType(String promType, int httpStatus) {
      this.promType = promType;
      this.httpStatus = httpStatus;
    }

    /** The {@code errorType} string of Prometheus' JSON envelope. */
    public String promType() {
      return promType;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  private final ErrorType type;

  public QueryException(ErrorType type, String message) {
    super(message);
    this.type = type;
  }

  public QueryException(ErrorType type, String message, Throwable cause) {
    super(message, cause);
    this.type = type;
  }

  public ErrorType type() {
    return type;
  }

  static QueryException badData(String message) {
    return new QueryException(ErrorType.BAD_DATA, message);
  }

  static QueryException tooManySamples() {
    return new QueryException(ErrorType.TOO_MANY,
        "query processing would load too many samples into memory in query execution");
  }
}
