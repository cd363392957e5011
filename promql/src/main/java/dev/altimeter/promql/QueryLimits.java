package dev.altimeter.promql;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of one query: samples loaded (over all selectors, as Prometheus' query.max-samples
 * counts samples held at once), series returned or selected, and wall time.
 */
public record QueryLimits(long maxSamples, int maxSeries, Duration timeout) {

  /** Prometheus' defaults: 50 M samples, 2 min; series 100 000 (Prometheus has no series bound). */
  public static final QueryLimits DEFAULT = new QueryLimits(50_000_000L, 100_000, Duration.ofMinutes(2));

  public QueryLimits {
    Objects.requireNonNull(timeout, "timeout");
    if (maxSamples <= 0 || maxSeries <= 0 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("limits must be positive: " + maxSamples + ", " + maxSeries + ", " + timeout);
    }
  }

  /** These limits with a shorter timeout (a request's {@code timeout} parameter), never a longer one. */
  public QueryLimits withTimeout(Duration requested) {
    return requested == null || requested.compareTo(timeout) >= 0 ? this
        : new QueryLimits(maxSamples, maxSeries, requested);
  }
}
