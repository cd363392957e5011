package dev.altimeter.promql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.promql.QueryException.ErrorType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The engine around the evaluator: fetch ranges, limits, timeout, threads, result shapes. */
class PromQlEngineTest {

  static final long MIN = 60_000;

  /** 60 series "m{i}" with a sample every minute for an hour, value = minute. */
  static List<Series> data() {
    List<Series> out = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      long[] ts = new long[61];
      double[] vs = new double[61];
      for (int k = 0; k <= 60; k++) {
        ts[k] = k * MIN;
        vs[k] = k;
      }
      out.add(new Series(Labels.of("__name__", "m", "i", String.valueOf(i)), ts, vs));
    }
    return out;
  }

  /** Records what the engine asks for. */
  static final class RecordingSource implements SeriesSource {
    final SeriesSource delegate = new InMemorySeriesSource(data());
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Mono<List<Series>> select(List<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, QueryLimits limits) {
      calls.add(matchers + " [" + minTimeMs + ", " + maxTimeMs + "]");
      return delegate.select(matchers, minTimeMs, maxTimeMs, limits);
    }
  }

  @Test
  void fetchesEachSelectorForTheRangeItNeeds() {
    RecordingSource source = new RecordingSource();
    PromQlEngine engine = new PromQlEngine(source, QueryLimits.DEFAULT);
    engine.range("m{i=\"1\"} + rate(m{i=\"2\"}[10m] offset 5m) + max_over_time(m{i=\"3\"}[30m:1m])",
        60 * MIN, 70 * MIN, MIN).block();
    assertThat(source.calls).containsExactlyInAnyOrder(
        "[__name__=\"m\", i=\"1\"] [3300000, 4200000]", // lookback 5m before the start
        "[__name__=\"m\", i=\"2\"] [2700000, 3900000]", // range 10m, offset 5m
        "[__name__=\"m\", i=\"3\"] [1500000, 4200000]"); // subquery 30m, then the 5m lookback
  }

  @Test
  void tooManySamplesIsAnExecutionError() {
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(data()),
        new QueryLimits(1000, 1000, Duration.ofMinutes(1)));
    StepVerifier.create(engine.instant("sum(m)", 30 * MIN)).expectNextCount(1).verifyComplete();
    StepVerifier.create(engine.instant("sum(count_over_time(m[1h]))", 60 * MIN))
        .verifyErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(QueryException.class);
          assertThat(((QueryException) e).type()).isEqualTo(ErrorType.TOO_MANY);
          assertThat(((QueryException) e).type().promType()).isEqualTo("execution");
          assertThat(((QueryException) e).type().httpStatus()).isEqualTo(422);
        });
  }

  /** Nested label_replace with "$1$1..." multiplies a value's length per level: bounded like samples. */
  @Test
  void labelValuesMadeByAQueryCountAgainstTheSampleBound() {
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(data()),
        new QueryLimits(1000, 1000, Duration.ofMinutes(1)));
    String repl = "$1".repeat(100);
    String bomb = "label_replace(vector(1), \"a\", \"xxxxxxxxxx\", \"\", \"\")";
    for (int i = 0; i < 4; i++) bomb = "label_replace(" + bomb + ", \"a\", \"" + repl + "\", \"a\", \"(.*)\")";
    StepVerifier.create(engine.instant(bomb, 30 * MIN)).verifyErrorSatisfies(e ->
        assertThat(((QueryException) e).type()).isEqualTo(ErrorType.TOO_MANY));
    String join = "label_join(vector(1), \"b\", \"" + "-".repeat(20_000) + "\", \"a\", \"a\")";
    StepVerifier.create(engine.instant(join, 30 * MIN)).verifyErrorSatisfies(e ->
        assertThat(((QueryException) e).type()).isEqualTo(ErrorType.TOO_MANY));
    // within the bound (16,000 characters) it answers
    String small = "label_replace(label_replace(vector(1), \"a\", \"xxxxxxxxxx\", \"\", \"\"), \"a\", \"" + repl
        + "\", \"a\", \"(.*)\")";
    StepVerifier.create(engine.instant(small, 30 * MIN)).expectNextCount(1).verifyComplete();
  }

  @Test
  void tooManySeriesIsRefused() {
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(data()),
        new QueryLimits(1_000_000, 10, Duration.ofMinutes(1)));
    StepVerifier.create(engine.instant("m", 30 * MIN))
        .verifyErrorSatisfies(e -> assertThat(((QueryException) e).type()).isEqualTo(ErrorType.TOO_MANY));
    StepVerifier.create(engine.instant("m{i=~\"[0-8]\"}", 30 * MIN)).expectNextCount(1).verifyComplete();
  }

  @Test
  void aSourceThatNeverAnswersTimesOut() {
    SeriesSource never = (m, a, b, l) -> Mono.never();
    PromQlEngine engine = new PromQlEngine(never, new QueryLimits(1000, 1000, Duration.ofMillis(200)));
    StepVerifier.create(engine.instant("m", 0))
        .verifyErrorSatisfies(e -> {
          assertThat(((QueryException) e).type()).isEqualTo(ErrorType.TIMEOUT);
          assertThat(((QueryException) e).type().httpStatus()).isEqualTo(503);
        });
  }

  @Test
  void evaluationStopsAtTheDeadline() {
    // a deadline already passed: the evaluator's own check fires, not only the Mono timeout
    Evaluator ev = new Evaluator(java.util.Map.of(), 300_000, System.nanoTime() - 1, 1000, () -> false);
    try {
      ev.eval(Parser.parse("1 + 1"), 0);
      throw new AssertionError("no timeout");
    } catch (QueryException e) {
      assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT);
    }
    Evaluator cancelled = new Evaluator(java.util.Map.of(), 300_000, System.nanoTime() + 60_000_000_000L, 1000,
        () -> true);
    try {
      cancelled.eval(Parser.parse("1 + 1"), 0);
      throw new AssertionError("not cancelled");
    } catch (QueryException e) {
      assertThat(e.type()).isEqualTo(ErrorType.CANCELED);
    }
  }

  @Test
  void catastrophicBacktrackingEndsAtTheDeadline() {
    String evil = "a".repeat(40) + "!";
    List<Series> data = List.of(new Series(Labels.of("__name__", "m", "v", evil), new long[] {0}, new double[] {1}));
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(data),
        new QueryLimits(1000, 1000, Duration.ofMillis(300)));
    // (.*a){12} against 40 a's and a mismatch takes ~40^12 steps with a backtracking engine (RE2: linear)
    StepVerifier.create(engine.instant("label_replace(m, \"x\", \"$1\", \"v\", \"(.*a){12}\")", 0))
        .verifyErrorSatisfies(e -> assertThat(((QueryException) e).type()).isEqualTo(ErrorType.TIMEOUT));
    StepVerifier.create(engine.instant("m{v=~\"(.*a){12}\"}", 0))
        .verifyErrorSatisfies(e -> assertThat(((QueryException) e).type()).isEqualTo(ErrorType.TIMEOUT));
  }

  @Test
  void evaluatesOffTheCallersThread() {
    AtomicReference<String> thread = new AtomicReference<>();
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(data()), QueryLimits.DEFAULT);
    engine.instant("sum(m)", 0).doOnNext(r -> thread.set(Thread.currentThread().getName())).block();
    assertThat(thread.get()).startsWith("boundedElastic");
  }

  @Test
  void rangeQueryParametersAreChecked() {
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(data()), QueryLimits.DEFAULT);
    assertBadData(engine.range("m", 10, 0, 1), "end timestamp must not be before start time");
    assertBadData(engine.range("m", 0, 10, 0), "zero or negative query resolution step widths are not accepted");
    assertBadData(engine.range("m[5m]", 0, 10, 1), "invalid expression type \"range vector\" for range query");
    assertBadData(engine.range("\"s\"", 0, 10, 1), "invalid expression type \"string\" for range query");
    assertBadData(engine.instant("m +", 0), "1:4: parse error: unexpected end of input");
    StepVerifier.create(engine.range("m", 0, 10_999_000, 1000)).expectNextCount(1).verifyComplete();
    // Prometheus refuses only (end - start) / step > 11 000: exactly 11 000 passes, 11 001 does not
    StepVerifier.create(engine.range("m", 0, 11_000_000, 1000)).expectNextCount(1).verifyComplete();
    StepVerifier.create(engine.range("m", 0, 11_000_999, 1000)).expectNextCount(1).verifyComplete();
    assertBadData(engine.range("m", 0, 11_001_000, 1000), "exceeded maximum resolution of 11,000 points per timeseries."
        + " Try decreasing the query resolution (?step=XX)");
    // the bound is checked before the query is parsed, as Prometheus orders them
    assertBadData(engine.range("sum(", 0, 11_001_000, 1000), "exceeded maximum resolution of 11,000 points");
  }

  private static void assertBadData(Mono<QueryResult> r, String message) {
    StepVerifier.create(r).verifyErrorSatisfies(e -> {
      assertThat(((QueryException) e).type()).isEqualTo(ErrorType.BAD_DATA);
      assertThat(((QueryException) e).type().httpStatus()).isEqualTo(400);
      assertThat(e).hasMessageContaining(message);
    });
  }

  @Test
  void seriesWithEqualLabelsAreMergedSortedByLabels() {
    Labels a = Labels.of("__name__", "x", "i", "a");
    List<Series> merged = PromQlEngine.sorted(List.of(
        new Series(Labels.of("__name__", "x", "i", "b"), new long[] {1}, new double[] {1}),
        new Series(a, new long[] {10, 30}, new double[] {1, 3}),
        new Series(a, new long[] {20, 30}, new double[] {2, 4})));
    assertThat(merged).containsExactly(
        new Series(a, new long[] {10, 20, 30}, new double[] {1, 2, 4}),
        new Series(Labels.of("__name__", "x", "i", "b"), new long[] {1}, new double[] {1}));
  }

  @Test
  void resultShapes() {
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(data()), QueryLimits.DEFAULT);
    QueryResult s = engine.instant("1 + 2", 5000).block();
    assertThat(s).isEqualTo(new QueryResult.Scalar(5000, 3));
    assertThat(s.resultType()).isEqualTo("scalar");
    assertThat(engine.instant("\"x\"", 5000).block()).isEqualTo(new QueryResult.StringResult(5000, "x"));
    QueryResult.Vector v = (QueryResult.Vector) engine.instant("m{i=~\"1|2\"}", 90_000).block();
    assertThat(v.resultType()).isEqualTo("vector");
    // instant vectors carry the evaluation time, sorted by labels
    assertThat(v.samples()).containsExactly(
        new QueryResult.Sample(Labels.of("__name__", "m", "i", "1"), 90_000, 1),
        new QueryResult.Sample(Labels.of("__name__", "m", "i", "2"), 90_000, 1));
    QueryResult.Matrix m = (QueryResult.Matrix) engine.instant("m{i=\"1\"}[2m]", 3 * MIN).block();
    assertThat(m.series()).hasSize(1);
    assertThat(m.series().get(0).ts()).containsExactly(MIN, 2 * MIN, 3 * MIN);
    QueryResult.Matrix r = (QueryResult.Matrix) engine.range("time()", 0, 2 * MIN, MIN).block();
    assertThat(r.resultType()).isEqualTo("matrix");
    assertThat(r.series().get(0).labels()).isEqualTo(Labels.EMPTY);
    assertThat(r.series().get(0).vs()).containsExactly(0, 60, 120);
  }
}
