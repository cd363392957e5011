package dev.altimeter.promql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The conformance run's generated queries over {@link ConformanceData} and the reading of
 * Prometheus's JSON answers; shared (test-jar) by the engine-level run
 * ({@code PrometheusConformanceTest}) and the HTTP-level one in the api module.
 */
public final class ConformanceQueries {

  private ConformanceQueries() {
  }

  /** Every query of one run: the templates, then {@code composed} random compositions. */
  public static List<String> all(Random templates, Random composed, int n) {
    List<String> q = new ArrayList<>(templates(templates));
    q.addAll(composed(composed, n));
    return q;
  }


  static final String[] COUNTERS = {
      "http_requests_total", "http_requests_total{job=\"api\"}", "http_requests_total{method!=\"GET\"}",
      "http_requests_total{instance=~\"a.*|c:1\"}", "http_requests_total{instance!~\"b.*\",job=~\"web|api\"}",
      "node_cpu_seconds_total", "node_cpu_seconds_total{mode=\"user\"}"};
  static final String[] GAUGES = {
      "temperature_celsius", "temperature_celsius{room=\"lab\"}", "temperature_celsius{sensor!=\"s1\"}",
      "queue_depth", "queue_depth{queue=~\"q[12]\"}", "odd_gauge"};
  static final String[] RANGES = {"1m", "90s", "5m", "10m", "30m"};
  static final String[] OFFSETS = {"", "", " offset 5m", " offset 1h", " offset -7m"};

  static List<String> templates(Random r) {
    List<String> q = new ArrayList<>();
    for (String c : COUNTERS) {
      String range = pick(r, RANGES);
      String off = pick(r, OFFSETS);
      q.add(c + off);
      q.add("rate(" + c + "[" + range + "]" + off + ")");
      q.add("increase(" + c + "[" + pick(r, RANGES) + "])");
      q.add("irate(" + c + "[" + pick(r, RANGES) + "]" + pick(r, OFFSETS) + ")");
      q.add("resets(" + c + "[" + pick(r, RANGES) + "])");
      q.add("timestamp(" + c + ")");
    }
    for (String g : GAUGES) {
      String range = pick(r, RANGES);
      q.add(g);
      q.add("delta(" + g + "[" + range + "])");
      q.add("idelta(" + g + "[" + pick(r, RANGES) + "])");
      q.add("deriv(" + g + "[" + pick(r, RANGES) + "])");
      q.add("changes(" + g + "[" + pick(r, RANGES) + "]" + pick(r, OFFSETS) + ")");
      for (String f : new String[] {"avg", "min", "max", "sum", "count", "last", "stddev"}) {
        q.add(f + "_over_time(" + g + "[" + pick(r, RANGES) + "]" + pick(r, OFFSETS) + ")");
      }
      q.add("quantile_over_time(0." + r.nextInt(10) + ", " + g + "[" + pick(r, RANGES) + "])");
      q.add("quantile_over_time(1.5, " + g + "[" + pick(r, RANGES) + "])");
      q.add("stdvar_over_time(" + g + "[" + pick(r, RANGES) + "])");
      q.add("present_over_time(" + g + "[" + pick(r, RANGES) + "]" + pick(r, OFFSETS) + ")");
      q.add("predict_linear(" + g + "[" + pick(r, RANGES) + "], " + (r.nextInt(7200) - 600) + ")");
      q.add(pick(r, new String[] {"exp", "ln", "log2", "log10", "sqrt", "sgn", "sin", "cos", "tan", "asin", "acos",
          "atan", "sinh", "cosh", "tanh", "deg", "rad"}) + "(" + g + " / 10)");
      q.add("abs(" + g + ")");
      q.add("ceil(" + g + ")");
      q.add("floor(" + g + ")");
      q.add("round(" + g + ")");
      q.add("round(" + g + ", 0.5)");
      q.add("clamp(" + g + ", -1, 5)");
      q.add("clamp_min(" + g + ", 2)");
      q.add("clamp_max(" + g + ", 10)");
      q.add("-" + g);
      q.add(g + " * 2 + 1");
      q.add(g + " > 3");
      q.add(g + " >= bool 3");
      q.add("3 < " + g);
      q.add("3 <= bool " + g);
      q.add(g + " % 3");
      q.add("2 ^ " + g + " / 4");
    }
    q.addAll(List.of(
        "label_replace(temperature_celsius, \"dst\", \"$1-x\", \"room\", \"(.*)\")",
        "label_replace(http_requests_total, \"instance\", \"$1\", \"instance\", \"([^:]*):.*\")",
        "label_replace(queue_depth, \"q\", \"${1}_$2\", \"queue\", \"(q)(\\\\d)\")",
        "label_replace(queue_depth, \"queue\", \"\", \"queue\", \"q1\")",
        "timestamp(temperature_celsius{room=\"hall\"} offset 10m)",
        "timestamp(rate(http_requests_total[5m]))",
        "time()", "vector(time())", "time() - 1700000000", "scalar(sum(queue_depth))",
        "scalar(queue_depth)", "vector(1) + queue_depth",
        "absent(nonexistent{job=\"x\",instance=~\"y\"})", "absent(queue_depth)",
        "absent(nonexistent{job=\"x\",job=\"y\"})",
        "sum by (job) (rate(http_requests_total[5m]))", "sum(rate(http_requests_total[5m]))",
        "sum without (method) (http_requests_total)",
        "avg without (sensor) (temperature_celsius)", "avg by (room) (temperature_celsius)",
        "min by (room) (temperature_celsius)", "max(temperature_celsius)",
        "count by (mode) (node_cpu_seconds_total)", "count(http_requests_total)",
        "stddev by (room) (temperature_celsius)", "stddev(queue_depth)",
        "topk(2, temperature_celsius)", "bottomk by (room) (1, temperature_celsius)",
        "topk(3, rate(http_requests_total[5m]))", "bottomk(2, rate(node_cpu_seconds_total[10m]))",
        "quantile(0.9, temperature_celsius)", "quantile by (sensor) (0.25, temperature_celsius)",
        "count_values(\"depth\", queue_depth)", "count_values by (instance) (\"depth\", queue_depth)",
        "count_values without (queue) (\"depth\", queue_depth)",
        "sum by (__name__) ({__name__=~\"queue_depth|temperature_celsius\"})",
        "rate(http_requests_total[5m]) / on(instance) group_left sum by (instance) (rate(http_requests_total[5m]))",
        "sum by (instance) (rate(node_cpu_seconds_total[5m])) / on(instance) group_right sum by (instance, mode) (rate(node_cpu_seconds_total[5m]))",
        "temperature_celsius{sensor=\"s1\"} - ignoring(sensor) temperature_celsius{sensor=\"s2\"}",
        "temperature_celsius{sensor=\"s1\"} > ignoring(sensor) temperature_celsius{sensor=\"s2\"}",
        "temperature_celsius{sensor=\"s1\"} > bool ignoring(sensor) temperature_celsius{sensor=\"s2\"}",
        "temperature_celsius{sensor=\"s1\"} > on(room) temperature_celsius{sensor=\"s2\"}",
        "queue_depth * on(instance) group_left(job) sum by (instance, job) (http_requests_total{method=\"GET\"})",
        "http_requests_total and on(instance) node_cpu_seconds_total{mode=\"idle\"}",
        "queue_depth or temperature_celsius", "queue_depth or on(instance) http_requests_total",
        "temperature_celsius unless on(room) temperature_celsius{sensor=\"s2\"}",
        "temperature_celsius > 10 unless temperature_celsius > 20",
        "queue_depth == on(instance) group_left queue_depth{queue=\"q1\"}",
        "1 + 2 * 3 ^ 2", "2 ^ 3 ^ 2", "-2 ^ 2", "(1 > bool 2) + 1", "10 % 3 - 1 / 0", "-(3)",
        "max_over_time(rate(http_requests_total[5m])[30m:1m])",
        "avg_over_time(temperature_celsius[10m:])", "rate(http_requests_total[5m:30s])",
        "deriv(sum(temperature_celsius)[20m:2m] offset 5m)",
        "min_over_time((temperature_celsius > 10)[15m:1m])",
        "sum_over_time(queue_depth[10m:45s])", "count_over_time(vector(1)[5m:1m])",
        "increase(http_requests_total{job=\"api\"}[10m:1m] offset 30m)",
        "max_over_time(max_over_time(temperature_celsius[2m:30s])[10m:1m])",
        "sum(odd_gauge) + avg(odd_gauge) + max(odd_gauge) + min(odd_gauge)", "stddev(odd_gauge)",
        "count_values(\"v\", odd_gauge)", "count_values(\"v\", temperature_celsius / 7)",
        "quantile(0.5, odd_gauge or temperature_celsius)", "topk(2, odd_gauge or temperature_celsius)",
        "bottomk(2, odd_gauge or temperature_celsius)", "odd_gauge > 0", "odd_gauge != odd_gauge",
        "odd_gauge ^ 0", "1 ^ odd_gauge", "(-1) ^ odd_gauge", "odd_gauge % 3", "resets(odd_gauge[10m])",
        "max by (kind) (max_over_time(odd_gauge[3m:20s]))",
        "temperature_celsius == bool on(room, sensor) temperature_celsius",
        "temperature_celsius * on() group_left vector(2)", "sum(temperature_celsius) * on() vector(2)",
        "temperature_celsius / ignoring(sensor) group_left sum without (sensor) (temperature_celsius)",
        "sum without (sensor) (temperature_celsius) - ignoring(sensor) group_right temperature_celsius",
        "sum by (room) (temperature_celsius) > on(room) group_right(sensor) temperature_celsius",
        "queue_depth * on(instance) group_left(mode) node_cpu_seconds_total{mode=\"idle\"}",
        "http_requests_total > on(instance, job) group_left http_requests_total{method=\"GET\"}",
        "sum(sum by (job) (http_requests_total)) / count(count by (job) (http_requests_total))",
        "avg(avg_over_time(temperature_celsius[5m:15s]) offset 2m)",
        "sum_over_time(deriv(temperature_celsius[5m])[10m:1m])",
        "idelta(queue_depth[10m:1m])", "irate(http_requests_total[30m:2m])",
        "changes(temperature_celsius[15m:]) offset 3m", "rate(vector(time())[5m:])",
        "absent(sum(nonexistent))", "absent(nonexistent{job=~\"x\"}) * 3",
        "scalar(vector(5)) * queue_depth", "time() > bool 1700003600",
        "vector(3) and vector(4)", "vector(3) unless on() queue_depth",
        "round(odd_gauge)", "clamp(odd_gauge, -5, 5)", "ceil(-temperature_celsius)",
        "timestamp(queue_depth) - time()", "timestamp(vector(1))",
        "label_replace(temperature_celsius, \"__name__\", \"renamed\", \"room\", \"lab\")",
        "label_replace(queue_depth, \"x\", \"$1$2$3 $$ ${1}x $q\", \"queue\", \"(q)(.)\")",
        "label_replace(queue_depth, \"instance\", \"$1\", \"nolabel\", \"(.*)\")",
        "http_requests_total @ 1700003600", "\"a string\"", "42", "-Inf", "nan",
        "sum by (le) (queue_depth)", "count without () (queue_depth)",
        "topk by (instance) (1, queue_depth + 0.001 * timestamp(queue_depth))",
        "quantile(-0.5, temperature_celsius)", "quantile(2, temperature_celsius)",
        "topk(0, temperature_celsius)", "topk(2.9, temperature_celsius)",
        "absent_over_time(nonexistent{job=\"x\"}[5m])", "absent_over_time(queue_depth[5m])",
        "absent_over_time(http_requests_total{instance=\"d:1\"}[5m])", "absent_over_time(nonexistent[5m:1m])",
        "label_join(queue_depth, \"joined\", \"-\", \"queue\", \"instance\")",
        "label_join(queue_depth, \"queue\", \"\", \"nolabel\")", "label_join(queue_depth, \"x\", \",\")",
        "label_join(temperature_celsius, \"__name__\", \"_\", \"room\", \"sensor\")",
        "pi()", "pi() * queue_depth", "log2(vector(8)) + log2(queue_depth)", "exp(odd_gauge)", "sqrt(odd_gauge)",
        "hour()", "minute()", "month()", "year()", "day_of_month()", "day_of_week()", "days_in_month()",
        "hour(timestamp(queue_depth))", "minute(timestamp(temperature_celsius))",
        "days_in_month(vector(1709251199))", "day_of_week(vector(1700006400 + 86400 * 3))",
        "predict_linear(http_requests_total[10m:1m], 3600)",
        // errors: both sides must reject
        "label_join(queue_depth, \"1x\", \"-\", \"queue\")", "label_join(queue_depth)", "hour(1, 2)",
        "rate(temperature_celsius)", "sum(temperature_celsius[5m])", "1e400", "queue_depth * 1e308 * 10", "http_requests_total + on(job) http_requests_total",
        "queue_depth + queue_depth{queue=\"q1\"} or", "foo{", "label_replace(queue_depth, \"1x\", \"\", \"queue\", \"q1\")",
        "rate(http_requests_total[5m]) or rate(node_cpu_seconds_total[5m])",
        "{__name__=~\"queue_depth|temperature_celsius\"} * 1"));
    return q;
  }

  /**
   * Random compositions of the supported constructs (depth-bounded), to reach combinations no
   * template spells out: nested aggregations, matching over function results, scalars in vectors.
   */
  static List<String> composed(Random r, int n) {
    List<String> q = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      q.add(vectorExpr(r, 3));
    }
    return q;
  }

  static final String[] LABELS = {"job", "instance", "room", "sensor", "mode", "queue", "method"};
  static final String[] RANGE_FUNCS = {"rate", "increase", "irate", "delta", "idelta", "deriv", "resets",
      "changes", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
      "last_over_time", "stddev_over_time"};
  static final String[] AGGS = {"sum", "avg", "min", "max", "count", "stddev", "stdvar", "group"};
  static final String[] ARITH = {"+", "-", "*", "/", "%", "^"};
  static final String[] CMP = {"==", "!=", ">", "<", ">=", "<="};

  static String vectorExpr(Random r, int depth) {
    int choice = depth <= 0 ? r.nextInt(2) : r.nextInt(9);
    String[] all = r.nextBoolean() ? COUNTERS : GAUGES;
    switch (choice) {
      case 0:
        return pick(r, all) + (r.nextInt(4) == 0 ? pick(r, OFFSETS) : "");
      case 1:
        return pick(r, RANGE_FUNCS) + "(" + pick(r, all) + "[" + pick(r, RANGES) + "]" + pick(r, OFFSETS) + ")";
      case 2: {
        String grouping = r.nextBoolean() ? "" : (r.nextBoolean() ? " by (" : " without (")
            + pick(r, LABELS) + (r.nextBoolean() ? ", " + pick(r, LABELS) : "") + ")";
        return pick(r, AGGS) + grouping + " (" + vectorExpr(r, depth - 1) + ")";
      }
      case 3:
        return "(" + vectorExpr(r, depth - 1) + " " + pick(r, ARITH) + " " + scalarExpr(r) + ")";
      case 4:
        return "(" + scalarExpr(r) + " " + pick(r, CMP) + (r.nextBoolean() ? " bool " : " ") + vectorExpr(r, depth - 1) + ")";
      case 5: {
        String op = r.nextInt(3) == 0 ? pick(r, new String[] {"and", "or", "unless"})
            : r.nextBoolean() ? pick(r, ARITH) : pick(r, CMP) + (r.nextBoolean() ? " bool" : "");
        String matching = r.nextBoolean() ? "" : (r.nextBoolean() ? " on(" : " ignoring(") + pick(r, LABELS) + ")";
        return "(" + vectorExpr(r, depth - 1) + " " + op + matching + " " + vectorExpr(r, depth - 1) + ")";
      }
      case 6:
        return pick(r, new String[] {"max_over_time", "min_over_time", "avg_over_time", "rate", "deriv",
            "count_over_time"}) + "(" + vectorExpr(r, depth - 1) + "[" + pick(r, new String[] {"5m", "10m", "20m"})
            + ":" + pick(r, new String[] {"", "30s", "1m", "2m"}) + "]" + pick(r, OFFSETS) + ")";
      case 7:
        return pick(r, new String[] {"abs", "ceil", "floor", "round", "timestamp", "-"}) + "(" + vectorExpr(r, depth - 1) + ")";
      default:
        return pick(r, new String[] {"topk", "bottomk"}) + "(" + (1 + r.nextInt(3)) + ", " + vectorExpr(r, depth - 1) + ")";
    }
  }

  static String scalarExpr(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> String.valueOf(r.nextInt(10));
      case 1 -> "0." + r.nextInt(100);
      case 2 -> "scalar(sum(queue_depth))";
      default -> "(time() % 7)";
    };
  }

  static String pick(Random r, String[] a) {
    return a[r.nextInt(a.length)];
  }

  /** A time in the data's span, or a little before or after it. */
  public static long time(Random r) {
    return ConformanceData.T0 - 10 * 60_000 + (long) (r.nextDouble() * (ConformanceData.SPAN + 20 * 60_000));
  }

  /**
   * Compares two answers of the HTTP API (Prometheus's JSON): status and errorType, resultType,
   * label sets exactly, timestamps, values to 1e-9 relative (NaN equals NaN). Null when equal,
   * else the first difference.
   */
  public static String compareJson(JsonNode expected, JsonNode actual) {
    String es = expected.path("status").asString();
    String as = actual.path("status").asString();
    if (!es.equals(as)) {
      return "status " + es + " (" + expected.path("error").asString() + ") vs " + as + " ("
          + actual.path("error").asString() + ")";
    }
    if (!"success".equals(es)) {
      String et = expected.path("errorType").asString();
      String at = actual.path("errorType").asString();
      return et.equals(at) ? null : "both failed, errorType " + et + " vs " + at + " (" + actual.path("error").asString() + ")";
    }
    String type = expected.path("data").path("resultType").asString();
    if (!type.equals(actual.path("data").path("resultType").asString())) {
      return "resultType " + type + " vs " + actual.path("data").path("resultType").asString();
    }
    JsonNode e = expected.path("data").path("result");
    JsonNode a = actual.path("data").path("result");
    if (type.equals("scalar") || type.equals("string")) {
      return points(wrap(e), wrap(a));
    }
    Map<String, JsonNode> em = bySeries(e);
    Map<String, JsonNode> am = bySeries(a);
    if (!em.keySet().equals(am.keySet())) {
      return "labels " + em.keySet() + " vs " + am.keySet();
    }
    for (String k : em.keySet()) {
      String d = points(em.get(k), am.get(k));
      if (d != null) {
        return k + ": " + d;
      }
    }
    return null;
  }

  private static JsonNode wrap(JsonNode point) {
    return tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(point);
  }

  /** Series by their label set; a vector's one value as a list of one point. */
  private static Map<String, JsonNode> bySeries(JsonNode result) {
    Map<String, JsonNode> m = new TreeMap<>();
    for (JsonNode s : result) {
      m.put(labels(s.path("metric")), s.has("value") ? wrap(s.get("value")) : s.path("values"));
    }
    return m;
  }

  private static String points(JsonNode e, JsonNode a) {
    if (e.size() != a.size()) {
      return e.size() + " points vs " + a.size();
    }
    for (int i = 0; i < e.size(); i++) {
      JsonNode ep = e.get(i);
      JsonNode ap = a.get(i);
      boolean same = ms(ep.get(0)) == ms(ap.get(0)) && (ep.get(1).asString().equals(ap.get(1).asString())
          || isNumber(ep.get(1)) && isNumber(ap.get(1)) && close(value(ep.get(1)), value(ap.get(1))));
      if (!same) {
        return "point " + i + ": " + ep + " vs " + ap;
      }
    }
    return null;
  }

  /** A string result's value is not a number; every other sample value is. */
  private static boolean isNumber(JsonNode v) {
    try {
      value(v);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  public static boolean close(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.isNaN(a) && Double.isNaN(b);
    }
    if (a == b) {
      return true;
    }
    return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }

  public static long ms(JsonNode t) {
    return Math.round(t.asDouble() * 1000);
  }

  public static double value(JsonNode v) {
    String s = v.asString();
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  public static String labels(JsonNode metric) {
    Map<String, String> m = new LinkedHashMap<>();
    metric.properties().forEach(e -> m.put(e.getKey(), e.getValue().asString()));
    return Labels.of(m).toString();
  }
}
