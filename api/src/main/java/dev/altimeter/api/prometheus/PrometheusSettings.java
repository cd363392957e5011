package dev.altimeter.api.prometheus;

import dev.altimeter.promql.QueryLimits;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The {@code altimeter.prometheus.*} properties of the Prometheus API.
 *
 * <ul>
 *   <li>{@code max-samples} (default 2 000 000): samples one query may read from the store, in
 *       all; past it the query fails 422 {@code execution}. Each costs 16 bytes while the query
 *       runs, so the default bounds a query near 32 MB (a day of 1,000 series at one sample a
 *       minute is 1.44 M). Prometheus's own default is 50 M, for a bigger heap than the
 *       launcher's 256 MB.</li>
 *   <li>{@code max-concurrency} (default 4): queries (query, query_range, series, labels, label
 *       values) evaluated at once per process; one more is refused 503 {@code unavailable} with
 *       {@code Retry-After} and counted in {@code altimeter_prometheus_queries_refused_total}.
 *       With max-samples this bounds the memory all queries hold near 128 MB. (Prometheus's
 *       {@code --query.max-concurrency}, which queues instead.)</li>
 *   <li>{@code max-series} (default 100 000): series one selector may select.</li>
 *   <li>{@code timeout} (default 2m): a query's wall time; a request's {@code timeout} may only
 *       shorten it. Past it: 503 {@code timeout}.</li>
 *   <li>{@code lookback-delta} (default 5m): how far back an instant selector looks.</li>
 * </ul>
 */
@Component
final class PrometheusSettings {
  final QueryLimits limits;
  final Duration lookbackDelta;
  final int maxConcurrency;

  PrometheusSettings(@Value("${altimeter.prometheus.max-samples:2000000}") long maxSamples,
      @Value("${altimeter.prometheus.max-series:100000}") int maxSeries,
      @Value("${altimeter.prometheus.timeout:2m}") Duration timeout,
      @Value("${altimeter.prometheus.lookback-delta:5m}") Duration lookbackDelta,
      @Value("${altimeter.prometheus.max-concurrency:4}") int maxConcurrency) {
    try {
      this.limits = new QueryLimits(maxSamples, maxSeries, timeout);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("altimeter.prometheus.max-samples, max-series and timeout must be positive: "
          + e.getMessage(), e);
    }
    if (lookbackDelta.isNegative() || lookbackDelta.isZero()) {
      throw new IllegalArgumentException("altimeter.prometheus.lookback-delta must be positive: " + lookbackDelta);
    }
    this.lookbackDelta = lookbackDelta;
    if (maxConcurrency <= 0) {
      throw new IllegalArgumentException("altimeter.prometheus.max-concurrency must be positive: " + maxConcurrency);
    }
    this.maxConcurrency = maxConcurrency;
  }
}
