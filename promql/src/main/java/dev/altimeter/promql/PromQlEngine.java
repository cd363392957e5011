package dev.altimeter.promql;

import dev.altimeter.promql.QueryException.ErrorType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Evaluates PromQL instant and range queries over a {@link SeriesSource} with Prometheus 2.42's
 * semantics. Thread-safe; one instance serves all queries.
 *
 * <p>A query runs in three phases: parse (on the caller's thread, microseconds); fetch every
 * selector's series for the time range it needs (lookback, range, offset, subquery) through the
 * SeriesSource, reactively and concurrently; evaluate in memory on the evaluation scheduler.
 * Evaluation is CPU-bound and may run for seconds, so it never runs on an event loop; it runs on
 * {@link Schedulers#boundedElastic()} by default rather than {@link Schedulers#parallel()}, whose
 * few threads also serve Reactor's timers (the query timeout itself) and other short tasks that a
 * long evaluation must not starve. boundedElastic caps threads (10 × cores) and queues
 * (100 000 tasks) — both bounded. The timeout covers fetch and evaluation; evaluation checks it
 * cooperatively, so a timed-out query also stops using its thread.
 */
public final class PromQlEngine {

  public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(5);
  /** Prometheus' bound on points per series of a range query. */
  public static final int MAX_POINTS = 11_000;

  private final SeriesSource source;
  private final QueryLimits limits;
  private final long lookbackMs;
  private final Scheduler scheduler;

  public PromQlEngine(SeriesSource source, QueryLimits limits, Duration lookbackDelta) {
    this(source, limits, lookbackDelta, Schedulers.boundedElastic());
  }

  public PromQlEngine(SeriesSource source, QueryLimits limits) {
    this(source, limits, DEFAULT_LOOKBACK);
  }

  /** With an evaluation scheduler of the caller's (e.g. a dedicated, smaller bounded one). */
  public PromQlEngine(SeriesSource source, QueryLimits limits, Duration lookbackDelta, Scheduler scheduler) {
    this.source = Objects.requireNonNull(source, "source");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.lookbackMs = (lookbackDelta == null ? DEFAULT_LOOKBACK : lookbackDelta).toMillis();
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /**
   * Parses and type-checks a query without running it.
   *
   * @throws QueryException BAD_DATA with Prometheus' "line:col: parse error: ..." message
   */
  public static void validate(String query) {
    Parser.parse(query);
  }

  /**
   * Parses a series selector as Prometheus' API reads {@code match[]} (series, labels, label
   * values): {@code name{label op "value", ...}}, either part optional, nothing else. The matchers
   * come in written order, the name's first; regular expressions are checked here.
   *
   * @throws QueryException BAD_DATA with Prometheus' "line:col: parse error: ..." message, or
   *     "match[] must contain at least one non-empty matcher" when every matcher matches ""
   */
  public static List<LabelMatcher> parseSelector(String selector) {
    List<LabelMatcher> matchers = Parser.parseSelector(selector == null ? "" : selector);
    for (LabelMatcher m : matchers) {
      if (!m.matches("")) {
        return matchers;
      }
    }
    throw QueryException.badData("match[] must contain at least one non-empty matcher");
  }

  /**
   * Prometheus' bound on a range query's points, the one check of it (the HTTP API calls it before
   * parsing the query, as Prometheus orders its checks): refused only when (end - start) / step,
   * in integer division, exceeds {@link #MAX_POINTS}, so 11 000 steps (11 001 points) pass.
   * Arguments in ms, stepMs &gt; 0, endMs &gt;= startMs.
   *
   * @throws QueryException BAD_DATA with Prometheus' message
   */
  public static void checkResolution(long startMs, long endMs, long stepMs) {
    if ((endMs - startMs) / stepMs > MAX_POINTS) {
      throw QueryException.badData(
          "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    }
  }

  /** An instant query at timeMs (ms since epoch). Errors are {@link QueryException}s. */
  public Mono<QueryResult> instant(String query, long timeMs) {
    return instant(query, timeMs, limits);
  }

  /** As {@link #instant(String, long)} with per-request limits (e.g. a shorter timeout). */
  public Mono<QueryResult> instant(String query, long timeMs, QueryLimits limits) {
    return Mono.defer(() -> {
      Expr expr = Parser.parse(query);
      return run(expr, timeMs, timeMs, 1, limits, ev -> instantResult(ev.eval(expr, timeMs), timeMs));
    }).onErrorMap(PromQlEngine::asQueryException);
  }

  /**
   * A range query evaluated at startMs, startMs + stepMs, ... &lt;= endMs; the result is a matrix
   * (or an error). stepMs &gt; 0, endMs &gt;= startMs; Prometheus' 11 000 points limit applies.
   */
  public Mono<QueryResult> range(String query, long startMs, long endMs, long stepMs) {
    return range(query, startMs, endMs, stepMs, limits);
  }

  public Mono<QueryResult> range(String query, long startMs, long endMs, long stepMs, QueryLimits limits) {
    return Mono.defer(() -> {
      if (endMs < startMs) {
        throw QueryException.badData("end timestamp must not be before start time");
      }
      if (stepMs <= 0) {
        throw QueryException.badData(
            "zero or negative query resolution step widths are not accepted. Try a positive integer");
      }
      checkResolution(startMs, endMs, stepMs);
      Expr expr = Parser.parse(query);
      if (expr.type() != Expr.ValueType.SCALAR && expr.type() != Expr.ValueType.VECTOR) {
        throw QueryException.badData("invalid expression type \"" + expr.type()
            + "\" for range query, must be Scalar or instant Vector");
      }
      return run(expr, startMs, endMs, stepMs, limits, ev -> rangeResult(ev, expr, startMs, endMs, stepMs, limits));
    }).onErrorMap(PromQlEngine::asQueryException);
  }

  private interface Evaluation {
    QueryResult apply(Evaluator ev);
  }

  private Mono<QueryResult> run(Expr expr, long start, long end, long step, QueryLimits limits, Evaluation evaluation) {
    Map<Expr.VectorSelector, long[]> ranges = new IdentityHashMap<>();
    collectRanges(expr, start, end, ranges);
    long deadline = System.nanoTime() + limits.timeout().toNanos();
    AtomicBoolean cancelled = new AtomicBoolean();
    return Flux.fromIterable(ranges.entrySet())
        .flatMap(e -> source.select(e.getKey().matchers, e.getValue()[0], e.getValue()[1], limits)
            .map(list -> Map.entry(e.getKey(), sorted(list))), 4)
        .collectList()
        .publishOn(scheduler)
        .map(fetched -> {
          Map<Expr.VectorSelector, List<Series>> data = new IdentityHashMap<>();
          long samples = 0;
          for (Map.Entry<Expr.VectorSelector, List<Series>> e : fetched) {
            data.put(e.getKey(), e.getValue());
            for (Series s : e.getValue()) {
              samples += s.size();
            }
          }
          if (samples > limits.maxSamples()) {
            throw QueryException.tooManySamples();
          }
          return evaluation.apply(new Evaluator(data, lookbackMs, deadline, limits.maxSamples(), cancelled::get));
        })
        // a cancelled or timed-out query stops evaluating at its next check, freeing the thread
        .doOnCancel(() -> cancelled.set(true))
        .timeout(limits.timeout())
        .onErrorMap(PromQlEngine::asQueryException);
  }

  /** Every failure leaves the engine as a QueryException; INTERNAL means a bug here or in the source. */
  private static Throwable asQueryException(Throwable e) {
    if (e instanceof QueryException) {
      return e;
    }
    if (e instanceof TimeoutException) {
      return new QueryException(ErrorType.TIMEOUT, "query timed out in query execution", e);
    }
    if (e instanceof RejectedExecutionException) {
      return new QueryException(ErrorType.EXECUTION, "too many concurrent queries", e);
    }
    return new QueryException(ErrorType.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  /**
   * The source's series sorted by labels (Prometheus' storage order, which fixes the order of
   * floating-point sums and of topk's ties), series with equal labels merged into one (Prometheus'
   * storage cannot hold two; at equal timestamps the later series' sample wins).
   */
  static List<Series> sorted(List<Series> list) {
    List<Series> copy = new ArrayList<>(list);
    copy.sort(Comparator.comparing(Series::labels));
    List<Series> out = new ArrayList<>(copy.size());
    for (Series s : copy) {
      int last = out.size() - 1;
      if (last >= 0 && out.get(last).labels().equals(s.labels())) {
        out.set(last, merge(out.get(last), s));
      } else {
        out.add(s);
      }
    }
    return out;
  }

  private static Series merge(Series a, Series b) {
    java.util.TreeMap<Long, Double> m = new java.util.TreeMap<>();
    for (int i = 0; i < a.size(); i++) {
      m.put(a.timestamps()[i], a.values()[i]);
    }
    for (int i = 0; i < b.size(); i++) {
      m.put(b.timestamps()[i], b.values()[i]);
    }
    long[] ts = new long[m.size()];
    double[] vs = new double[m.size()];
    int i = 0;
    for (Map.Entry<Long, Double> e : m.entrySet()) {
      ts[i] = e.getKey();
      vs[i++] = e.getValue();
    }
    return new Series(a.labels(), ts, vs);
  }

  /** Records, per selector, the sample time range [min, max] it reads when evaluated at [mint, maxt]. */
  private void collectRanges(Expr e, long mint, long maxt, Map<Expr.VectorSelector, long[]> out) {
    if (e instanceof Expr.VectorSelector vs) {
      out.put(vs, new long[] {mint - vs.offsetMs - lookbackMs, maxt - vs.offsetMs});
    } else if (e instanceof Expr.MatrixSelector ms) {
      Expr.VectorSelector vs = ms.selector();
      out.put(vs, new long[] {mint - vs.offsetMs - ms.rangeMs(), maxt - vs.offsetMs});
    } else if (e instanceof Expr.Subquery sq) {
      collectRanges(sq.expr, mint - sq.offsetMs - sq.rangeMs, maxt - sq.offsetMs, out);
    } else if (e instanceof Expr.Paren p) {
      collectRanges(p.expr(), mint, maxt, out);
    } else if (e instanceof Expr.Unary u) {
      collectRanges(u.expr(), mint, maxt, out);
    } else if (e instanceof Expr.Call c) {
      c.args().forEach(a -> collectRanges(a, mint, maxt, out));
    } else if (e instanceof Expr.Aggregate a) {
      collectRanges(a.expr(), mint, maxt, out);
      if (a.param() != null) {
        collectRanges(a.param(), mint, maxt, out);
      }
    } else if (e instanceof Expr.Binary b) {
      collectRanges(b.lhs(), mint, maxt, out);
      collectRanges(b.rhs(), mint, maxt, out);
    }
  }

  private static QueryResult instantResult(Value v, long t) {
    if (v instanceof Value.Scalar s) {
      return new QueryResult.Scalar(t, s.v());
    }
    if (v instanceof Value.Str s) {
      return new QueryResult.StringResult(t, s.s());
    }
    if (v instanceof Value.Vec vec) {
      List<QueryResult.Sample> out = new ArrayList<>();
      for (Value.Sample s : vec.samples()) {
        out.add(new QueryResult.Sample(s.labels(), t, s.v()));
      }
      out.sort(Comparator.comparing(QueryResult.Sample::labels));
      return new QueryResult.Vector(out);
    }
    List<QueryResult.Range> out = new ArrayList<>();
    for (Value.Window w : ((Value.Mat) v).windows()) {
      out.add(new QueryResult.Range(w.labels(), Arrays.copyOfRange(w.ts(), w.from(), w.to()),
          Arrays.copyOfRange(w.vs(), w.from(), w.to())));
    }
    out.sort(Comparator.comparing(QueryResult.Range::labels));
    return new QueryResult.Matrix(out);
  }

  private static QueryResult rangeResult(Evaluator ev, Expr expr, long start, long end, long step, QueryLimits limits) {
    Map<Labels, PointBuffer> series = new LinkedHashMap<>();
    long points = 0;
    for (long t = start; t <= end; t += step) {
      Value v = ev.eval(expr, t);
      if (v instanceof Value.Scalar s) {
        series.computeIfAbsent(Labels.EMPTY, k -> new PointBuffer()).add(t, s.v());
        points++;
      } else {
        for (Value.Sample s : ((Value.Vec) v).samples()) {
          series.computeIfAbsent(s.labels(), k -> new PointBuffer()).add(t, s.v());
        }
        points += ((Value.Vec) v).samples().size();
      }
      if (points > limits.maxSamples()) {
        throw QueryException.tooManySamples();
      }
      if (series.size() > limits.maxSeries()) {
        throw new QueryException(ErrorType.TOO_MANY, "query result has more than " + limits.maxSeries() + " series");
      }
    }
    List<QueryResult.Range> out = new ArrayList<>();
    series.forEach((labels, p) -> out.add(new QueryResult.Range(labels, p.timestamps(), p.values())));
    out.sort(Comparator.comparing(QueryResult.Range::labels));
    return new QueryResult.Matrix(out);
  }
}
