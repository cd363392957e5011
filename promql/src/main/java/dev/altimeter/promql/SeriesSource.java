package dev.altimeter.promql;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Where the engine reads samples from. Implementations: an in-memory source for tests
 * ({@code InMemorySeriesSource}), the PostgreSQL store in the api module.
 *
 * <p>Contract: non-blocking (the Mono may complete on any thread); every call independent; the
 * engine may call {@code select} several times per query, concurrently.
 */
public interface SeriesSource {

  /**
   * Series whose labels match every matcher (a missing label matches as {@code ""}; regular
   * expressions fully anchored, see {@link LabelMatcher}), each with its samples in
   * [minTimeMs, maxTimeMs] inclusive, ascending by time. Series without any sample in the range
   * may be left out. The list order is free. Label sets should be unique; series with equal labels
   * are merged by the engine (as one Prometheus series), not reported twice.
   *
   * <p>Must fail with {@code QueryException(TOO_MANY, ...)} (or EXECUTION) rather than read more
   * than {@code limits.maxSamples()} samples or more than {@code limits.maxSeries()} series.
   */
  Mono<List<Series>> select(List<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, QueryLimits limits);
}
