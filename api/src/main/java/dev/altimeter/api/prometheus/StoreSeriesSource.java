package dev.altimeter.api.prometheus;

import dev.altimeter.promql.LabelMatcher;
import dev.altimeter.promql.Labels;
import dev.altimeter.promql.QueryException;
import dev.altimeter.promql.QueryLimits;
import dev.altimeter.promql.Series;
import dev.altimeter.promql.SeriesSource;
import dev.altimeter.storage.Meter;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleRange;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Values;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * The PromQL engine's {@link SeriesSource} over the {@link SampleStore}, for one caller.
 *
 * <p>What the store does (it pays: indexed columns, and it bounds what is read): the metric name
 * (every name matcher is resolved against the meter list here, then the store reads only those
 * meters' ids), equality on {@code resource_id}, {@code project_id}, {@code user_id}, {@code
 * source}, and the time range. Everything else (metadata labels, {@code unit}, {@code type},
 * regular expressions and negations on any label) is matched here, per series, on its labels; every
 * matcher is checked here again, so pushing down is an optimisation, never the rule.
 *
 * <p>Project scoping: a source for a non-admin carries its project, which is pushed down and
 * matched like a {@code project_id="..."} matcher on every selector, whatever the query says.
 *
 * <p>Bounded: reads at most {@code maxSamples + 1} samples from the store per call and fails with
 * the engine's limit error on the extra one (the read stops there), and fails as soon as more than
 * {@code maxSeries} series match. Thread-safe; each call is independent.
 */
final class StoreSeriesSource implements SeriesSource {
  /** Meter definitions listed at most to resolve a name matcher. */
  static final int MAX_METERS = 100_000;
  private static final Set<String> PUSHED = Set.of(SampleLabels.RESOURCE_ID, SampleLabels.PROJECT_ID,
      SampleLabels.USER_ID, SampleLabels.SOURCE);

  private final SampleStore store;
  private final String project;

  /** @param project the only project the caller may read, or null for an admin (every project) */
  StoreSeriesSource(SampleStore store, String project) {
    this.store = store;
    this.project = project;
  }

  @Override
  public Mono<List<Series>> select(List<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, QueryLimits limits) {
    List<LabelMatcher> all = new ArrayList<>(matchers);
    if (project != null) all.add(new LabelMatcher(SampleLabels.PROJECT_ID, LabelMatcher.Type.EQ, project));
    // Java's regular expressions backtrack (RE2's do not): matching observes the query's deadline
    long deadline = System.nanoTime() + limits.timeout().toNanos();
    List<Predicate<Labels>> checks = new ArrayList<>();
    for (LabelMatcher m : all) {
      Predicate<String> p = m.matcher(deadline); // throws bad_data on a bad regular expression
      checks.add(labels -> p.test(labels.get(m.name())));
    }
    Instant start = clamp(minTimeMs, 0);
    // samples are stored to the microsecond; the last millisecond is included whole
    Instant end = clamp(maxTimeMs, 999_000);
    List<LabelMatcher> names = all.stream().filter(m -> m.name().equals(Labels.METRIC_NAME)).toList();
    Mono<Set<String>> meters = names.isEmpty() ? Mono.just(Set.of(ANY)) : meterNames(names, deadline);
    return meters.flatMap(resolved -> {
      SampleRange range = new SampleRange(resolved.contains(ANY) ? null : resolved, equalities(all, SampleLabels.RESOURCE_ID),
          equalities(all, SampleLabels.PROJECT_ID), equalities(all, SampleLabels.USER_ID),
          equalities(all, SampleLabels.SOURCE), start, end);
      if (range.matchesNothing()) return Mono.just(List.<Series>of());
      long maxSamples = limits.maxSamples();
      int readLimit = (int) Math.min(Integer.MAX_VALUE - 1, maxSamples) + 1;
      return Mono.defer(() -> {
        Assembly assembly = new Assembly(checks, limits.maxSeries(), maxSamples);
        return store.range(range, readLimit).doOnNext(assembly::add).then(Mono.fromCallable(assembly::series));
      });
    });
  }

  /** The marker "no name matcher": every meter. */
  private static final String ANY = "\u0000any";

  private static Instant clamp(long ms, long extraNanos) {
    if (ms <= Values.EARLIEST.toEpochMilli()) return Values.EARLIEST;
    if (ms >= Values.LATEST.toEpochMilli()) return Values.LATEST;
    return Instant.ofEpochMilli(ms).plusNanos(extraNanos);
  }

  /** The meters whose metric name every name matcher accepts (several meters may share a name). */
  private Mono<Set<String>> meterNames(List<LabelMatcher> names, long deadline) {
    List<Predicate<String>> checks = names.stream().map(m -> m.matcher(deadline)).toList();
    return store.meters(SampleFilter.ALL, true, MAX_METERS).map(Meter::name).collect(HashSet<String>::new, Set::add)
        .map(meters -> {
          Set<String> out = new HashSet<>();
          for (String meter : meters) {
            String metric = dev.altimeter.storage.MetricNames.of(meter);
            if (checks.stream().allMatch(c -> c.test(metric))) out.add(meter);
          }
          return out;
        });
  }

  /**
   * The values an owner label must equal (the intersection of its {@code =} matchers), or null when
   * none constrains it; {@code =""} means "absent", which the store does not push down.
   */
  static Set<String> equalities(List<LabelMatcher> matchers, String label) {
    if (!PUSHED.contains(label)) return null;
    Set<String> values = null;
    for (LabelMatcher m : matchers) {
      if (!m.name().equals(label) || m.type() != LabelMatcher.Type.EQ || m.value().isEmpty()) continue;
      // no stored value holds a NUL (the store refuses them): nothing can match
      if (m.value().indexOf('\u0000') >= 0) return Set.of();
      if (values == null) {
        values = new HashSet<>(Set.of(m.value()));
      } else {
        values.retainAll(Set.of(m.value()));
      }
    }
    return values;
  }

  /** Identity of a series as the store returns it; its labels are computed once. */
  private record Key(String meter, SampleType type, String unit, String resourceId, String userId,
      String projectId, String source, Map<String, Object> metadata) {
    static Key of(Sample s) {
      return new Key(s.meter(), s.type(), s.unit(), s.resourceId(), s.userId(), s.projectId(), s.source(),
          s.resourceMetadata());
    }
  }

  /**
   * Samples into series; not thread-safe (one per read, fed in order). Samples of a series arrive in
   * ascending time; two in the same millisecond keep the later one read (Prometheus holds one value
   * per timestamp).
   */
  private static final class Assembly {
    private final List<Predicate<Labels>> checks;
    private final int maxSeries;
    private final long maxSamples;
    private final Map<Key, Builder> byKey = new HashMap<>();
    private final Map<Labels, Builder> byLabels = new LinkedHashMap<>();
    private long read;

    Assembly(List<Predicate<Labels>> checks, int maxSeries, long maxSamples) {
      this.checks = checks;
      this.maxSeries = maxSeries;
      this.maxSamples = maxSamples;
    }

    void add(Sample s) {
      if (++read > maxSamples) throw tooManySamples();
      Builder b = byKey.computeIfAbsent(Key.of(s), k -> {
        Labels labels = SampleLabels.of(s);
        for (Predicate<Labels> c : checks) {
          if (!c.test(labels)) return Builder.REFUSED;
        }
        // metadata variants that flatten to the same labels are one series
        Builder same = byLabels.get(labels);
        if (same != null) return same;
        if (byLabels.size() >= maxSeries) {
          throw new QueryException(QueryException.ErrorType.TOO_MANY,
              "query selects more than " + maxSeries + " series (altimeter.prometheus.max-series)");
        }
        Builder created = new Builder(labels);
        byLabels.put(labels, created);
        return created;
      });
      if (b != Builder.REFUSED) b.add(s.timestamp().toEpochMilli(), s.volume());
    }

    List<Series> series() {
      List<Series> out = new ArrayList<>(byLabels.size());
      for (Builder b : byLabels.values()) out.add(b.build());
      return out;
    }
  }

  /** Prometheus's words for a query past its time. */
  static QueryException timeoutError() {
    return new QueryException(QueryException.ErrorType.TIMEOUT, "query timed out in query execution");
  }

  static QueryException tooManySamples() {
    return new QueryException(QueryException.ErrorType.TOO_MANY,
        "query processing would load too many samples into memory in query execution");
  }

  /** One series' samples; growing arrays. */
  private static final class Builder {
    static final Builder REFUSED = new Builder(Labels.EMPTY);
    private final Labels labels;
    private long[] ts = new long[8];
    private double[] vs = new double[8];
    private int n;
    private boolean unordered;

    Builder(Labels labels) {
      this.labels = labels;
    }

    void add(long t, double v) {
      if (n > 0 && t <= ts[n - 1]) {
        if (t == ts[n - 1]) {
          vs[n - 1] = v;
          return;
        }
        // metadata variants merged into one series interleave: sorted at the end
        unordered = true;
      }
      if (n == ts.length) {
        ts = Arrays.copyOf(ts, n * 2);
        vs = Arrays.copyOf(vs, n * 2);
      }
      ts[n] = t;
      vs[n++] = v;
    }

    Series build() {
      long[] t = Arrays.copyOf(ts, n);
      double[] v = Arrays.copyOf(vs, n);
      if (unordered) return sorted(t, v);
      return new Series(labels, t, v);
    }

    private Series sorted(long[] t, double[] v) {
      Integer[] order = new Integer[t.length];
      for (int i = 0; i < order.length; i++) order[i] = i;
      // stable: of equal timestamps the later read wins below
      Arrays.sort(order, (a, b) -> Long.compare(t[a], t[b]));
      long[] st = new long[t.length];
      double[] sv = new double[t.length];
      int m = 0;
      for (Integer i : order) {
        if (m > 0 && st[m - 1] == t[i]) {
          sv[m - 1] = v[i];
        } else {
          st[m] = t[i];
          sv[m++] = v[i];
        }
      }
      return new Series(labels, Arrays.copyOf(st, m), Arrays.copyOf(sv, m));
    }
  }
}
