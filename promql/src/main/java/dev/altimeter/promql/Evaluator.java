package dev.altimeter.promql;

import dev.altimeter.promql.Expr.AggregateOp;
import dev.altimeter.promql.Expr.BinaryOp;
import dev.altimeter.promql.Expr.VectorMatching;
import dev.altimeter.promql.Expr.VectorMatching.Card;
import dev.altimeter.promql.QueryException.ErrorType;
import dev.altimeter.promql.Value.Mat;
import dev.altimeter.promql.Value.Sample;
import dev.altimeter.promql.Value.Scalar;
import dev.altimeter.promql.Value.Str;
import dev.altimeter.promql.Value.Vec;
import dev.altimeter.promql.Value.Window;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Evaluates an expression at one timestamp over series already fetched, with Prometheus 2.42's
 * semantics (promql/engine.go). A range query evaluates at each step; subquery results are
 * memoized per inner timestamp, so overlapping outer windows do not evaluate twice.
 * Not thread-safe: one instance per query, used by one thread at a time.
 */
final class Evaluator {

  /** Prometheus' default evaluation_interval, the step of a subquery written without one. */
  static final long DEFAULT_SUBQUERY_STEP_MS = 60_000;

  private final Map<Expr.VectorSelector, List<Series>> data;
  private final long lookbackMs;
  private final long deadlineNanos;
  private final long maxSamples;
  /**
   * Characters of label values made by label_replace and label_join in this query, charged against
   * the sample bound at 16 characters a sample: nested label_replace(..., "$1$1...") multiplies a
   * value's length at each level, so without it a short query builds gigabyte strings.
   */
  private long labelChars;
  private final Map<Expr.Subquery, Map<Long, Vec>> subqueryMemo = new IdentityHashMap<>();
  private final java.util.function.BooleanSupplier cancelled;
  private long memoSamples;
  /** Labels without __name__ per Labels instance: series labels recur at every step of a range query. */
  private final Map<Labels, Labels> dropNameMemo = new IdentityHashMap<>();
  private final Map<Expr.Aggregate, Map<Labels, Labels>> groupingKeyMemo = new IdentityHashMap<>();

  /**
   * @param deadlineNanos in System.nanoTime() terms; evaluation fails with TIMEOUT after it
   * @param cancelled polled with the deadline; evaluation fails with CANCELED once it is true
   */
  Evaluator(Map<Expr.VectorSelector, List<Series>> data, long lookbackMs, long deadlineNanos, long maxSamples,
      java.util.function.BooleanSupplier cancelled) {
    this.data = data;
    this.lookbackMs = lookbackMs;
    this.deadlineNanos = deadlineNanos;
    this.maxSamples = maxSamples;
    this.cancelled = cancelled;
  }

  void checkDeadline() {
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new QueryException(ErrorType.TIMEOUT, "query timed out in query execution");
    }
    if (cancelled.getAsBoolean()) {
      throw new QueryException(ErrorType.CANCELED, "query was canceled in query execution");
    }
  }

  Value eval(Expr e, long t) {
    checkDeadline();
    if (e instanceof Expr.NumberLiteral n) {
      return new Scalar(n.value());
    } else if (e instanceof Expr.StringLiteral s) {
      return new Str(s.value());
    } else if (e instanceof Expr.Paren p) {
      return eval(p.expr(), t);
    } else if (e instanceof Expr.VectorSelector vs) {
      return vectorSelector(vs, t);
    } else if (e instanceof Expr.MatrixSelector ms) {
      return matrixSelector(ms, t);
    } else if (e instanceof Expr.Subquery sq) {
      return subquery(sq, t);
    } else if (e instanceof Expr.Unary u) {
      return unary(u, t);
    } else if (e instanceof Expr.Call c) {
      return call(c, t);
    } else if (e instanceof Expr.Aggregate a) {
      return aggregate(a, t);
    } else if (e instanceof Expr.Binary b) {
      return binary(b, t);
    }
    throw new QueryException(ErrorType.INTERNAL, "unexpected expression " + e);
  }

  // --- selectors ---

  private Vec vectorSelector(Expr.VectorSelector vs, long t) {
    long ref = t - vs.offsetMs;
    List<Sample> out = new ArrayList<>();
    for (Series s : data.get(vs)) {
      long[] ts = s.timestamps();
      int k = InMemorySeriesSource.lowerBound(ts, ref + 1) - 1;
      if (k >= 0 && ts[k] >= ref - lookbackMs) {
        out.add(new Sample(s.labels(), s.values()[k], ts[k]));
      }
    }
    return new Vec(out);
  }

  private Mat matrixSelector(Expr.MatrixSelector ms, long t) {
    long maxt = t - ms.selector().offsetMs;
    long mint = maxt - ms.rangeMs();
    List<Window> out = new ArrayList<>();
    for (Series s : data.get(ms.selector())) {
      int from = InMemorySeriesSource.lowerBound(s.timestamps(), mint);
      int to = InMemorySeriesSource.lowerBound(s.timestamps(), maxt + 1);
      if (from < to) {
        out.add(new Window(s.labels(), s.timestamps(), s.values(), from, to));
      }
    }
    return new Mat(out);
  }

  /** The first inner timestamp of a subquery evaluated at t, aligned to absolute multiples of the step. */
  static long subqueryStart(long t, long rangeMs, long offsetMs, long step) {
    long lower = t - offsetMs - rangeMs;
    long start = step * Math.floorDiv(lower, step);
    return start < lower ? start + step : start;
  }

  static long subqueryStep(Expr.Subquery sq) {
    return sq.stepMs != 0 ? sq.stepMs : DEFAULT_SUBQUERY_STEP_MS;
  }

  private Mat subquery(Expr.Subquery sq, long t) {
    long step = subqueryStep(sq);
    long end = t - sq.offsetMs;
    Map<Long, Vec> memo = subqueryMemo.computeIfAbsent(sq, k -> new HashMap<>());
    Map<Labels, PointBuffer> byLabels = new LinkedHashMap<>();
    for (long ts = subqueryStart(t, sq.rangeMs, sq.offsetMs, step); ts <= end; ts += step) {
      Vec v = memo.get(ts);
      if (v == null) {
        v = toVector(eval(sq.expr, ts), ts);
        memoSamples += v.samples().size();
        if (memoSamples > maxSamples) {
          throw QueryException.tooManySamples();
        }
        memo.put(ts, v);
      }
      for (Sample s : v.samples()) {
        byLabels.computeIfAbsent(s.labels(), k -> new PointBuffer()).add(ts, s.v());
      }
    }
    List<Window> out = new ArrayList<>();
    byLabels.forEach((labels, p) -> {
      long[] ts = p.timestamps();
      out.add(new Window(labels, ts, p.values(), 0, ts.length));
    });
    out.sort(Comparator.comparing(Window::labels));
    return new Mat(out);
  }

  /** A scalar as a one-element vector without labels (what a subquery over a scalar-typed vector sees). */
  private static Vec toVector(Value v, long t) {
    if (v instanceof Vec vec) {
      return vec;
    }
    if (v instanceof Scalar s) {
      return new Vec(List.of(new Sample(Labels.EMPTY, s.v(), t)));
    }
    throw new QueryException(ErrorType.INTERNAL, "expected an instant vector, got " + v);
  }

  // --- unary, helpers ---

  private Value unary(Expr.Unary u, long t) {
    Value v = eval(u.expr(), t);
    if (v instanceof Scalar s) {
      return new Scalar(-s.v());
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : ((Vec) v).samples()) {
      out.add(new Sample(dropName(s.labels()), -s.v(), t));
    }
    return checkUnique(new Vec(out));
  }

  private Labels dropName(Labels l) {
    Labels d = dropNameMemo.get(l);
    if (d == null) {
      d = l.withoutMetricName();
      if (dropNameMemo.size() < 1_000_000) {
        dropNameMemo.put(l, d);
      }
    }
    return d;
  }

  static Vec checkUnique(Vec v) {
    if (v.samples().size() > 1) {
      Set<Labels> seen = new HashSet<>();
      for (Sample s : v.samples()) {
        if (!seen.add(s.labels())) {
          throw new QueryException(ErrorType.EXECUTION, "vector cannot contain metrics with the same labelset");
        }
      }
    }
    return v;
  }

  private static Expr unwrap(Expr e) {
    while (e instanceof Expr.Paren p) {
      e = p.expr();
    }
    return e;
  }

  private double scalarArg(Expr e, long t) {
    return ((Scalar) eval(e, t)).v();
  }

  // --- functions ---

  private Value call(Expr.Call c, long t) {
    Function f = c.function();
    List<Expr> args = c.args();
    switch (f) {
      case TIME:
        return new Scalar(t / 1000.0);
      case VECTOR_:
        return new Vec(List.of(new Sample(Labels.EMPTY, scalarArg(args.get(0), t), t)));
      case SCALAR_: {
        List<Sample> in = ((Vec) eval(args.get(0), t)).samples();
        return new Scalar(in.size() == 1 ? in.get(0).v() : Double.NaN);
      }
      case ABSENT: {
        if (!((Vec) eval(args.get(0), t)).samples().isEmpty()) {
          return new Vec(List.of());
        }
        return new Vec(List.of(new Sample(absentLabels(args.get(0)), 1, t)));
      }
      case TIMESTAMP: {
        boolean selector = unwrap(args.get(0)) instanceof Expr.VectorSelector;
        List<Sample> out = new ArrayList<>();
        for (Sample s : ((Vec) eval(args.get(0), t)).samples()) {
          out.add(new Sample(dropName(s.labels()), (selector ? s.t() : t) / 1000.0, t));
        }
        return checkUnique(new Vec(out));
      }
      case LABEL_REPLACE:
        return labelReplace(c, t);
      case LABEL_JOIN:
        return labelJoin(c, t);
      case PI:
        return new Scalar(Math.PI);
      case ABS, CEIL, FLOOR, ROUND, CLAMP, CLAMP_MIN, CLAMP_MAX, EXP, LN, LOG2, LOG10, SQRT, SGN, SIN, COS, TAN,
          ASIN, ACOS, ATAN, SINH, COSH, TANH, DEG, RAD, HOUR, MINUTE, MONTH, YEAR, DAY_OF_MONTH, DAY_OF_WEEK,
          DAYS_IN_MONTH:
        return simple(c, t);
      default:
        return rangeFunction(c, t);
    }
  }

  private Vec simple(Expr.Call c, long t) {
    List<Expr> args = c.args();
    // the date functions default to vector(time())
    Vec in = args.isEmpty() ? new Vec(List.of(new Sample(Labels.EMPTY, t / 1000.0, t))) : (Vec) eval(args.get(0), t);
    double a = args.size() > 1 ? scalarArg(args.get(1), t) : 1;
    double b = args.size() > 2 ? scalarArg(args.get(2), t) : 0;
    if (c.function() == Function.CLAMP && b < a) {
      return new Vec(List.of());
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : in.samples()) {
      double v = s.v();
      double r = switch (c.function()) {
        case ABS -> Math.abs(v);
        case CEIL -> Math.ceil(v);
        case FLOOR -> Math.floor(v);
        case ROUND -> {
          double inverse = 1.0 / a;
          yield Math.floor(v * inverse + 0.5) / inverse;
        }
        case CLAMP -> Math.max(a, Math.min(b, v));
        case CLAMP_MIN -> Math.max(a, v);
        case CLAMP_MAX -> Math.min(a, v);
        case EXP -> Math.exp(v);
        case LN -> Math.log(v);
        case LOG2 -> log2(v);
        case LOG10 -> Math.log10(v);
        case SQRT -> Math.sqrt(v);
        case SGN -> v < 0 ? -1 : v > 0 ? 1 : v;
        case SIN -> Math.sin(v);
        case COS -> Math.cos(v);
        case TAN -> Math.tan(v);
        case ASIN -> Math.asin(v);
        case ACOS -> Math.acos(v);
        case ATAN -> Math.atan(v);
        case SINH -> Math.sinh(v);
        case COSH -> Math.cosh(v);
        case TANH -> Math.tanh(v);
        case DEG -> v * 180 / Math.PI;
        case RAD -> v * Math.PI / 180;
        case HOUR, MINUTE, MONTH, YEAR, DAY_OF_MONTH, DAY_OF_WEEK, DAYS_IN_MONTH -> dateField(c.function(), v);
        default -> throw new IllegalStateException();
      };
      out.add(new Sample(dropName(s.labels()), r, t));
    }
    return checkUnique(new Vec(out));
  }

  /** Go's math.Log2: exact for powers of two. */
  static double log2(double v) {
    if (v > 0 && !Double.isInfinite(v) && (Double.doubleToRawLongBits(v) & 0x000fffffffffffffL) == 0
        && Math.getExponent(v) >= Double.MIN_EXPONENT) {
      return Math.getExponent(v);
    }
    return Math.log(v) / Math.log(2);
  }

  /** The date functions on a value of unix seconds (Go: time.Unix(int64(v), 0).UTC()). */
  static double dateField(Function f, double v) {
    if (Double.isNaN(v) || Math.abs(v) > 3.1e16) {
      // Go converts these to int64 with implementation-defined results: refused, not guessed
      throw new QueryException(ErrorType.EXECUTION, "timestamp out of range in " + f.promName + "(): " + formatGo(v));
    }
    java.time.ZonedDateTime d = java.time.Instant.ofEpochSecond((long) v).atZone(java.time.ZoneOffset.UTC);
    return switch (f) {
      case HOUR -> d.getHour();
      case MINUTE -> d.getMinute();
      case MONTH -> d.getMonthValue();
      case YEAR -> d.getYear();
      case DAY_OF_MONTH -> d.getDayOfMonth();
      case DAY_OF_WEEK -> d.getDayOfWeek().getValue() % 7; // Sunday is 0
      case DAYS_IN_MONTH -> d.toLocalDate().lengthOfMonth();
      default -> throw new IllegalStateException();
    };
  }

  /** absent()'s labels: the selector's equality matchers, except a label matched twice (Prometheus). */
  private static Labels absentLabels(Expr arg) {
    List<LabelMatcher> matchers;
    if (arg instanceof Expr.VectorSelector vs) {
      matchers = vs.matchers;
    } else if (arg instanceof Expr.MatrixSelector ms) {
      matchers = ms.selector().matchers;
    } else {
      return Labels.EMPTY;
    }
    Map<String, String> m = new TreeMap<>();
    Set<String> empty = new HashSet<>();
    for (LabelMatcher lm : matchers) {
      if (lm.name().equals(Labels.METRIC_NAME)) {
        continue;
      }
      if (lm.type() == LabelMatcher.Type.EQ && !m.containsKey(lm.name())) {
        m.put(lm.name(), lm.value());
      } else {
        empty.add(lm.name());
      }
    }
    empty.forEach(m::remove);
    return Labels.of(m);
  }

  private Vec labelReplace(Expr.Call c, long t) {
    Vec in = (Vec) eval(c.args().get(0), t);
    String dst = ((Expr.StringLiteral) unwrap(c.args().get(1))).value();
    String repl = ((Expr.StringLiteral) unwrap(c.args().get(2))).value();
    String src = ((Expr.StringLiteral) unwrap(c.args().get(3))).value();
    String regex = ((Expr.StringLiteral) unwrap(c.args().get(4))).value();
    Pattern p;
    try {
      p = LabelMatcher.anchored(regex);
    } catch (PatternSyntaxException e) {
      throw new QueryException(ErrorType.EXECUTION, "invalid regular expression in label_replace(): " + regex);
    }
    if (!Parser.LABEL_NAME.matcher(dst).matches()) {
      throw new QueryException(ErrorType.EXECUTION, "invalid destination label name in label_replace(): " + dst);
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : in.samples()) {
      String srcVal = s.labels().get(src);
      Matcher m = p.matcher(new DeadlineCharSequence(srcVal == null ? "" : srcVal, deadlineNanos));
      Labels labels = s.labels();
      if (m.matches()) {
        labels = labels.with(dst, chargeLabel(expand(repl, m, labelCharsLeft())));
      }
      out.add(new Sample(labels, s.v(), t));
    }
    return checkUnique(new Vec(out));
  }

  private Vec labelJoin(Expr.Call c, long t) {
    Vec in = (Vec) eval(c.args().get(0), t);
    String dst = ((Expr.StringLiteral) unwrap(c.args().get(1))).value();
    String sep = ((Expr.StringLiteral) unwrap(c.args().get(2))).value();
    List<String> src = new ArrayList<>();
    for (Expr e : c.args().subList(3, c.args().size())) {
      String name = ((Expr.StringLiteral) unwrap(e)).value();
      if (!Parser.LABEL_NAME.matcher(name).matches()) {
        throw new QueryException(ErrorType.EXECUTION, "invalid source label name in label_join(): " + name);
      }
      src.add(name);
    }
    if (!Parser.LABEL_NAME.matcher(dst).matches()) {
      throw new QueryException(ErrorType.EXECUTION, "invalid destination label name in label_join(): " + dst);
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : in.samples()) {
      List<String> vals = new ArrayList<>();
      for (String name : src) {
        String v = s.labels().get(name);
        vals.add(v == null ? "" : v);
      }
      long length = (long) sep.length() * Math.max(0, vals.size() - 1);
      for (String v : vals) length += v.length();
      if (length > labelCharsLeft()) throw QueryException.tooManySamples();
      out.add(new Sample(s.labels().with(dst, chargeLabel(String.join(sep, vals))), s.v(), t));
    }
    return checkUnique(new Vec(out));
  }

  private long labelCharsLeft() {
    return maxSamples > Long.MAX_VALUE / 16 ? Long.MAX_VALUE : maxSamples * 16 - labelChars;
  }

  private String chargeLabel(String value) {
    labelChars += value.length();
    if (labelCharsLeft() < 0) throw QueryException.tooManySamples();
    return value;
  }

  /** Go's regexp.Expand: $1, ${1}, $name, ${name}, $$; unknown groups expand to "". */
  static String expand(String template, Matcher m) {
    return expand(template, m, Long.MAX_VALUE);
  }

  /** {@link #expand(String, Matcher)}, failing with too-many-samples once longer than {@code maxChars}. */
  static String expand(String template, Matcher m, long maxChars) {
    StringBuilder out = new StringBuilder();
    int k = 0;
    while (k < template.length()) {
      char c = template.charAt(k);
      if (c != '$') {
        out.append(c);
        k++;
        continue;
      }
      k++;
      if (k < template.length() && template.charAt(k) == '$') {
        out.append('$');
        k++;
        continue;
      }
      boolean brace = k < template.length() && template.charAt(k) == '{';
      int nameStart = brace ? k + 1 : k;
      int j = nameStart;
      while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
        j++;
      }
      if (j == nameStart || (brace && (j >= template.length() || template.charAt(j) != '}'))) {
        out.append('$'); // malformed: the $ is literal text
        continue;
      }
      String name = template.substring(nameStart, j);
      k = brace ? j + 1 : j;
      int num = -1;
      if (name.chars().allMatch(Character::isDigit) && name.length() <= 8 && !(name.length() > 1 && name.charAt(0) == '0')) {
        num = Integer.parseInt(name);
      }
      try {
        String g = num >= 0 ? (num <= m.groupCount() ? m.group(num) : null) : m.group(name);
        if (g != null) {
          out.append(g);
          if (out.length() > maxChars) throw QueryException.tooManySamples();
        }
      } catch (IllegalArgumentException noSuchGroup) {
        // Go expands an unknown name to ""
      }
    }
    return out.toString();
  }

  private Value rangeFunction(Expr.Call c, long t) {
    Function f = c.function();
    int matrixArg = f == Function.QUANTILE_OVER_TIME ? 1 : 0;
    double q = f == Function.QUANTILE_OVER_TIME ? scalarArg(c.args().get(0), t)
        : f == Function.PREDICT_LINEAR ? scalarArg(c.args().get(1), t) : 0;
    Expr arg = unwrap(c.args().get(matrixArg));
    long rangeMs;
    long offsetMs;
    if (arg instanceof Expr.MatrixSelector ms) {
      rangeMs = ms.rangeMs();
      offsetMs = ms.selector().offsetMs;
    } else {
      Expr.Subquery sq = (Expr.Subquery) arg;
      rangeMs = sq.rangeMs;
      offsetMs = sq.offsetMs;
    }
    long rangeEnd = t - offsetMs;
    long rangeStart = rangeEnd - rangeMs;
    Mat m = (Mat) eval(arg, t);
    if (f == Function.ABSENT_OVER_TIME) {
      return new Vec(m.windows().isEmpty() ? List.of(new Sample(absentLabels(c.args().get(0)), 1, t)) : List.of());
    }
    List<Sample> out = new ArrayList<>();
    for (Window w : m.windows()) {
      Double r = switch (f) {
        case RATE -> RangeFunctions.extrapolatedRate(w, rangeStart, rangeEnd, rangeMs, true, true);
        case INCREASE -> RangeFunctions.extrapolatedRate(w, rangeStart, rangeEnd, rangeMs, true, false);
        case DELTA -> RangeFunctions.extrapolatedRate(w, rangeStart, rangeEnd, rangeMs, false, false);
        case IRATE -> RangeFunctions.instantValue(w, true);
        case IDELTA -> RangeFunctions.instantValue(w, false);
        case DERIV -> RangeFunctions.deriv(w);
        case RESETS -> RangeFunctions.resets(w);
        case CHANGES -> RangeFunctions.changes(w);
        case AVG_OVER_TIME -> RangeFunctions.avgOverTime(w);
        case MIN_OVER_TIME -> RangeFunctions.minOverTime(w);
        case MAX_OVER_TIME -> RangeFunctions.maxOverTime(w);
        case SUM_OVER_TIME -> RangeFunctions.sumOverTime(w);
        case COUNT_OVER_TIME -> (double) w.size();
        case LAST_OVER_TIME -> w.vs()[w.to() - 1];
        case STDDEV_OVER_TIME -> Math.sqrt(RangeFunctions.stdvarOverTime(w));
        case STDVAR_OVER_TIME -> RangeFunctions.stdvarOverTime(w);
        case PRESENT_OVER_TIME -> 1.0;
        case PREDICT_LINEAR -> RangeFunctions.predictLinear(w, t, q);
        case QUANTILE_OVER_TIME -> RangeFunctions.quantileOverTime(q, w);
        default -> throw new QueryException(ErrorType.INTERNAL, "function " + f.promName + " not implemented");
      };
      if (r != null) {
        // Prometheus 2.42 keeps the metric name for last_over_time only: it selects, not computes
        Labels labels = f == Function.LAST_OVER_TIME ? w.labels() : dropName(w.labels());
        out.add(new Sample(labels, r, t));
      }
    }
    return checkUnique(new Vec(out));
  }

  // --- aggregation ---

  private static final class Group {
    final Labels labels;
    double value;
    double mean;
    long count;
    final List<Sample> members = new ArrayList<>();

    Group(Labels labels, double v) {
      this.labels = labels;
      this.value = v;
      this.mean = v;
      this.count = 1;
    }
  }

  private Vec aggregate(Expr.Aggregate a, long t) {
    AggregateOp op = a.op();
    Value param = a.param() == null ? null : eval(a.param(), t);
    Vec in = (Vec) eval(a.expr(), t);
    List<String> grouping = a.grouping();
    String valueLabel = null;
    if (op == AggregateOp.COUNT_VALUES) {
      valueLabel = ((Str) param).s();
      if (!a.without()) {
        grouping = new ArrayList<>(grouping);
        grouping.add(valueLabel);
      }
    }
    long k = 0;
    if (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK) {
      double kf = ((Scalar) param).v();
      if (Double.isNaN(kf) || kf > Long.MAX_VALUE || kf < Long.MIN_VALUE) {
        throw new QueryException(ErrorType.EXECUTION, "Scalar value " + formatGo(kf) + " overflows int64");
      }
      k = (long) kf;
      if (k < 1) {
        return new Vec(List.of());
      }
    }
    Set<String> groupSet = new HashSet<>(grouping);
    Set<String> dropSet = new HashSet<>(groupSet);
    dropSet.add(Labels.METRIC_NAME);
    // grouping keys per input Labels instance: the same series recur at every step
    Map<Labels, Labels> keys = valueLabel != null ? new HashMap<>()
        : groupingKeyMemo.computeIfAbsent(a, x -> new IdentityHashMap<>());
    Map<Labels, Group> groups = new LinkedHashMap<>();
    for (Sample s : in.samples()) {
      Labels metric = s.labels();
      if (valueLabel != null) {
        metric = metric.with(valueLabel, formatFloat(s.v()));
      }
      Labels key = keys.get(metric);
      if (key == null) {
        key = a.without() ? metric.without(dropSet) : metric.keep(groupSet);
        if (keys.size() < 1_000_000) {
          keys.put(metric, key);
        }
      }
      Group g = groups.get(key);
      if (g == null) {
        g = new Group(key, s.v());
        if (op == AggregateOp.STDDEV || op == AggregateOp.STDVAR) {
          g.value = 0;
        }
        g.members.add(s);
        groups.put(key, g);
        continue;
      }
      switch (op) {
        case SUM -> g.value += s.v();
        case AVG -> {
          g.count++;
          if (Double.isInfinite(g.mean)) {
            if (Double.isInfinite(s.v()) && (g.mean > 0) == (s.v() > 0)) {
              break;
            }
            if (!Double.isInfinite(s.v()) && !Double.isNaN(s.v())) {
              break;
            }
          }
          g.mean += s.v() / g.count - g.mean / g.count;
        }
        case MAX -> {
          if (g.value < s.v() || Double.isNaN(g.value)) {
            g.value = s.v();
          }
        }
        case MIN -> {
          if (g.value > s.v() || Double.isNaN(g.value)) {
            g.value = s.v();
          }
        }
        case COUNT, COUNT_VALUES -> g.count++;
        case STDDEV, STDVAR -> {
          g.count++;
          double delta = s.v() - g.mean;
          g.mean += delta / g.count;
          g.value += delta * (s.v() - g.mean);
        }
        case TOPK, BOTTOMK, QUANTILE -> g.members.add(s);
        case GROUP -> {
        }
        default -> throw new IllegalStateException();
      }
    }
    List<Sample> out = new ArrayList<>();
    for (Group g : groups.values()) {
      double v = switch (op) {
        case AVG -> g.mean;
        case COUNT, COUNT_VALUES -> g.count;
        case STDVAR -> g.value / g.count;
        case STDDEV -> Math.sqrt(g.value / g.count);
        case GROUP -> 1;
        case QUANTILE -> {
          double[] vals = new double[g.members.size()];
          for (int i = 0; i < vals.length; i++) {
            vals[i] = g.members.get(i).v();
          }
          yield RangeFunctions.quantile(((Scalar) param).v(), vals);
        }
        default -> g.value;
      };
      if (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK) {
        SelectionHeap heap = new SelectionHeap(k, op == AggregateOp.TOPK);
        g.members.forEach(heap::offer);
        for (Sample m : heap.samples()) {
          out.add(new Sample(m.labels(), m.v(), t));
        }
        continue;
      }
      out.add(new Sample(g.labels, v, t));
    }
    return new Vec(out);
  }

  /** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
  static String formatFloat(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    String s = new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    return s;
  }

  /** Go's %v of a float64, as in Prometheus' messages. */
  private static String formatGo(double v) {
    return Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : formatFloat(v);
  }

  // --- binary operators ---

  private Value binary(Expr.Binary b, long t) {
    Value l = eval(b.lhs(), t);
    Value r = eval(b.rhs(), t);
    BinaryOp op = b.op();
    if (l instanceof Scalar ls && r instanceof Scalar rs) {
      double v = elem(op, ls.v(), rs.v());
      if (op.isComparison()) {
        v = keep(op, ls.v(), rs.v()) ? 1 : 0;
      }
      return new Scalar(v);
    }
    if (l instanceof Vec lv && r instanceof Vec rv) {
      VectorMatching matching = b.matching();
      return switch (op) {
        case AND -> and(lv, rv, matching, false);
        case UNLESS -> and(lv, rv, matching, true);
        case OR -> or(lv, rv, matching);
        default -> checkUnique(vectorBinop(op, lv, rv, matching, b.returnBool(), t));
      };
    }
    boolean scalarLeft = l instanceof Scalar;
    Vec vec = (Vec) (scalarLeft ? r : l);
    double scalar = ((Scalar) (scalarLeft ? l : r)).v();
    List<Sample> out = new ArrayList<>();
    for (Sample s : vec.samples()) {
      double lv = scalarLeft ? scalar : s.v();
      double rv = scalarLeft ? s.v() : scalar;
      double v = elem(op, lv, rv);
      boolean keep = true;
      if (op.isComparison()) {
        keep = keep(op, lv, rv);
        v = s.v(); // the vector's value even when the scalar is on the left
      }
      if (b.returnBool()) {
        v = keep ? 1 : 0;
        keep = true;
      }
      if (keep) {
        Labels labels = op.dropsMetricName() || b.returnBool() ? dropName(s.labels()) : s.labels();
        out.add(new Sample(labels, v, t));
      }
    }
    return checkUnique(new Vec(out));
  }

  /** The arithmetic result, or for comparisons the left value (see {@link #keep}). */
  static double elem(BinaryOp op, double l, double r) {
    return switch (op) {
      case ADD -> l + r;
      case SUB -> l - r;
      case MUL -> l * r;
      case DIV -> l / r;
      case MOD -> l % r;
      case POW -> goPow(l, r);
      default -> l;
    };
  }

  static boolean keep(BinaryOp op, double l, double r) {
    return switch (op) {
      case EQL -> l == r;
      case NEQ -> l != r;
      case GTR -> l > r;
      case LSS -> l < r;
      case GTE -> l >= r;
      case LTE -> l <= r;
      default -> true;
    };
  }

  /**
   * Go's math.Pow, ported (BSD licence, The Go Authors): Prometheus' {@code ^}. Java's Math.pow is
   * more exactly rounded; Go's multiplies frexp mantissas by repeated squaring, and where a result
   * feeds a cancelling computation (deriv over values near 1e28) the last-bit differences grow to
   * visible ones. Special cases as Go: Pow(1, y) = 1 and Pow(-1, ±Inf) = 1 among them.
   */
  static double goPow(double x, double y) {
    if (y == 0 || x == 1) {
      return 1;
    }
    if (y == 1) {
      return x;
    }
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.NaN;
    }
    if (x == 0 || Double.isInfinite(y) || Double.isInfinite(x) || y == 0.5 || y == -0.5) {
      // Go's remaining special cases agree with Java's, except Pow(-1, ±Inf) = 1
      return x == -1 && Double.isInfinite(y) ? 1 : Math.pow(x, y);
    }
    double ay = Math.abs(y);
    double yi = Math.floor(ay);
    double yf = ay - yi;
    if (yf != 0 && x < 0) {
      return Double.NaN;
    }
    if (yi >= 0x1p63) {
      // a huge even integer: overflow or underflow for all x but -1 (Go's cases)
      if (x == -1) {
        return 1;
      }
      return (Math.abs(x) < 1) == (y > 0) ? 0 : Double.POSITIVE_INFINITY;
    }
    double a1 = 1.0;
    long ae = 0;
    if (yf != 0) {
      if (yf > 0.5) {
        yf--;
        yi++;
      }
      a1 = Math.exp(yf * Math.log(x));
    }
    // frexp: x = x1 * 2^xe, |x1| in [0.5, 1)
    int e = Math.getExponent(x);
    double x1;
    long xe;
    if (e == Double.MIN_EXPONENT - 1) { // subnormal: normalise first, as Go's Frexp does
      double n = x * 0x1p52;
      int en = Math.getExponent(n);
      x1 = Math.scalb(n, -(en + 1));
      xe = en + 1 - 52;
    } else {
      x1 = Math.scalb(x, -(e + 1));
      xe = e + 1;
    }
    for (long i = (long) yi; i != 0; i >>= 1) {
      if (xe < -(1 << 12) || (1 << 12) < xe) {
        ae += xe; // catastrophic overflow: Ldexp handles it
        break;
      }
      if ((i & 1) == 1) {
        a1 *= x1;
        ae += xe;
      }
      x1 *= x1;
      xe <<= 1;
      if (x1 < .5) {
        x1 += x1;
        xe--;
      }
    }
    if (y < 0) {
      a1 = 1 / a1;
      ae = -ae;
    }
    return ldexp(a1, ae);
  }

  /** Go's math.Ldexp (frac × 2^exp with Go's rounding of subnormal results). */
  private static double ldexp(double frac, long exp) {
    if (frac == 0 || Double.isInfinite(frac) || Double.isNaN(frac)) {
      return frac;
    }
    int e = Math.getExponent(frac);
    double f = frac;
    if (e == Double.MIN_EXPONENT - 1) {
      f = frac * 0x1p52;
      e = Math.getExponent(f);
      exp -= 52;
    }
    long total = exp + e;
    if (total < -1075) {
      return Math.copySign(0, frac);
    }
    if (total > 1023) {
      return frac < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    double m = Math.scalb(f, -e); // [1, 2)
    if (total < -1022) {
      // Go: denormal; exp += 53; m *= 1 / (1 << 53), then the bits are assembled
      return Math.scalb(m, (int) total + 53) * 0x1p-53;
    }
    return Math.scalb(m, (int) total);
  }

  private static java.util.function.Function<Labels, Labels> signature(VectorMatching m) {
    if (m.on()) {
      Set<String> keep = new HashSet<>(m.matchingLabels());
      return l -> l.keep(keep);
    }
    Set<String> drop = new HashSet<>(m.matchingLabels());
    drop.add(Labels.METRIC_NAME);
    return l -> l.without(drop);
  }

  private static Vec and(Vec lhs, Vec rhs, VectorMatching m, boolean unless) {
    if (!unless && (lhs.samples().isEmpty() || rhs.samples().isEmpty())) {
      return new Vec(List.of());
    }
    var sig = signature(m);
    Set<Labels> right = new HashSet<>();
    for (Sample s : rhs.samples()) {
      right.add(sig.apply(s.labels()));
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : lhs.samples()) {
      if (right.contains(sig.apply(s.labels())) != unless) {
        out.add(s);
      }
    }
    return new Vec(out);
  }

  private static Vec or(Vec lhs, Vec rhs, VectorMatching m) {
    var sig = signature(m);
    Set<Labels> left = new HashSet<>();
    List<Sample> out = new ArrayList<>(lhs.samples());
    for (Sample s : lhs.samples()) {
      left.add(sig.apply(s.labels()));
    }
    for (Sample s : rhs.samples()) {
      if (!left.contains(sig.apply(s.labels()))) {
        out.add(s);
      }
    }
    return new Vec(out);
  }

  private static Vec vectorBinop(BinaryOp op, Vec lhsIn, Vec rhsIn, VectorMatching m, boolean returnBool, long t) {
    if (lhsIn.samples().isEmpty() || rhsIn.samples().isEmpty()) {
      return new Vec(List.of());
    }
    var sig = signature(m);
    List<Sample> lhs = lhsIn.samples();
    List<Sample> rhs = rhsIn.samples();
    if (m.card() == Card.ONE_TO_MANY) {
      List<Sample> tmp = lhs;
      lhs = rhs;
      rhs = tmp;
    }
    // rhs is now the "one" side: its signatures must be unique
    Map<Labels, Sample> rightSigs = new HashMap<>();
    for (Sample rs : rhs) {
      Labels s = sig.apply(rs.labels());
      Sample dupl = rightSigs.put(s, rs);
      if (dupl != null) {
        String side = m.card() == Card.ONE_TO_MANY ? "left" : "right";
        throw new QueryException(ErrorType.EXECUTION, "found duplicate series for the match group " + s
            + " on the " + side + " hand-side of the operation: [" + rs.labels() + ", " + dupl.labels()
            + "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
    }
    Map<Labels, Set<Labels>> matched = new HashMap<>();
    List<Sample> out = new ArrayList<>();
    for (Sample ls : lhs) {
      Labels s = sig.apply(ls.labels());
      Sample rs = rightSigs.get(s);
      if (rs == null) {
        continue;
      }
      double vl = ls.v();
      double vr = rs.v();
      if (m.card() == Card.ONE_TO_MANY) {
        vl = rs.v();
        vr = ls.v();
      }
      double value = elem(op, vl, vr);
      boolean keep = keep(op, vl, vr);
      if (returnBool) {
        value = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      Labels metric = resultMetric(ls.labels(), rs.labels(), op, m);
      if (returnBool) {
        metric = metric.withoutMetricName();
      }
      Set<Labels> inserted = matched.get(s);
      if (m.card() == Card.ONE_TO_ONE) {
        if (inserted != null) {
          throw new QueryException(ErrorType.EXECUTION,
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        }
        matched.put(s, Set.of());
      } else {
        if (inserted == null) {
          inserted = new HashSet<>();
          matched.put(s, inserted);
        }
        if (!inserted.add(metric)) {
          throw new QueryException(ErrorType.EXECUTION,
              "multiple matches for labels: grouping labels must ensure unique matches");
        }
      }
      out.add(new Sample(metric, value, t));
    }
    return new Vec(out);
  }

  private static Labels resultMetric(Labels lhs, Labels rhs, BinaryOp op, VectorMatching m) {
    Labels l = op.dropsMetricName() ? lhs.withoutMetricName() : lhs;
    if (m.card() == Card.ONE_TO_ONE) {
      l = m.on() ? l.keep(new HashSet<>(m.matchingLabels())) : l.without(m.matchingLabels());
    }
    for (String name : m.include()) {
      l = l.with(name, rhs.get(name));
    }
    return l;
  }
}
