package dev.altimeter.promql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * A SeriesSource over series held in memory, for tests and the conformance run. Enforces the
 * limits as the contract asks. Immutable after construction, thread-safe.
 */
public final class InMemorySeriesSource implements SeriesSource {

  private final List<Series> series;

  public InMemorySeriesSource(List<Series> series) {
    this.series = List.copyOf(series);
  }

  @Override
  public Mono<List<Series>> select(List<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, QueryLimits limits) {
    return Mono.fromCallable(() -> {
      long deadline = System.nanoTime() + limits.timeout().toNanos();
      List<Predicate<String>> predicates = new ArrayList<>();
      for (LabelMatcher m : matchers) {
        predicates.add(m.matcher(deadline));
      }
      List<Series> out = new ArrayList<>();
      long samples = 0;
      for (Series s : series) {
        boolean match = true;
        for (int i = 0; i < matchers.size() && match; i++) {
          match = predicates.get(i).test(s.labels().get(matchers.get(i).name()));
        }
        if (!match) {
          continue;
        }
        long[] ts = s.timestamps();
        int from = lowerBound(ts, minTimeMs);
        int to = lowerBound(ts, maxTimeMs + 1);
        if (from >= to) {
          continue;
        }
        samples += to - from;
        if (samples > limits.maxSamples()) {
          throw QueryException.tooManySamples();
        }
        if (out.size() >= limits.maxSeries()) {
          throw new QueryException(QueryException.ErrorType.TOO_MANY,
              "query selects more than " + limits.maxSeries() + " series");
        }
        out.add(new Series(s.labels(), Arrays.copyOfRange(ts, from, to), Arrays.copyOfRange(s.values(), from, to)));
      }
      return out;
    });
  }

  /** First index with ts[i] >= t. */
  static int lowerBound(long[] ts, long t) {
    int lo = 0;
    int hi = ts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
