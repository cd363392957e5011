package dev.altimeter.promql;

import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Evaluates PromQL instant and range queries over a {@link SeriesSource} with Prometheus 2.42's
 * semantics. Thread-safe; one instance serves all queries.
 */
public final class PromQlEngine {

  public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(5);

  private final SeriesSource source;
  private final QueryLimits limits;
  private final Duration lookbackDelta;

  public PromQlEngine(SeriesSource source, QueryLimits limits, Duration lookbackDelta) {
    this.source = Objects.requireNonNull(source, "source");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.lookbackDelta = lookbackDelta == null ? DEFAULT_LOOKBACK : lookbackDelta;
  }

  public PromQlEngine(SeriesSource source, QueryLimits limits) {
    this(source, limits, DEFAULT_LOOKBACK);
  }

  /** An instant query at timeMs (ms since epoch). Errors are {@link QueryException}s. */
  public Mono<QueryResult> instant(String query, long timeMs) {
    return instant(query, timeMs, limits);
  }

  /** As {@link #instant(String, long)} with per-request limits (e.g. a shorter timeout). */
  public Mono<QueryResult> instant(String query, long timeMs, QueryLimits limits) {
    return Mono.error(new QueryException(QueryException.ErrorType.INTERNAL, "not implemented yet"));
  }

  /**
   * A range query evaluated at startMs, startMs + stepMs, ... &lt;= endMs; the result is a matrix
   * (or an error). stepMs &gt; 0, endMs &gt;= startMs; Prometheus' 11 000 points limit applies.
   */
  public Mono<QueryResult> range(String query, long startMs, long endMs, long stepMs) {
    return range(query, startMs, endMs, stepMs, limits);
  }

  public Mono<QueryResult> range(String query, long startMs, long endMs, long stepMs, QueryLimits limits) {
    return Mono.error(new QueryException(QueryException.ErrorType.INTERNAL, "not implemented yet"));
  }

  QueryLimits limits() {
    return limits;
  }

  Duration lookbackDelta() {
    return lookbackDelta;
  }

  SeriesSource source() {
    return source;
  }
}
