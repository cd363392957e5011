package dev.altimeter.api.prometheus;

import dev.altimeter.promql.Labels;
import dev.altimeter.promql.QueryResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Query results in Prometheus's JSON: {@code {"resultType": ..., "result": ...}}, a sample as
 * {@code [<unix seconds>, "<value>"]}. Seconds are written as Prometheus writes them (whole seconds,
 * then {@code .} and three digits when the millisecond is not zero); values as Go's {@code
 * FormatFloat(v, 'f', -1, 64)}: plain decimal, no exponent, {@code NaN}, {@code +Inf}, {@code -Inf}.
 * Stateless.
 */
final class ResultJson {
  private ResultJson() {}

  static Map<String, Object> data(QueryResult result) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("resultType", result.resultType());
    data.put("result", result(result));
    return data;
  }

  private static Object result(QueryResult result) {
    if (result instanceof QueryResult.Scalar s) return point(s.t(), s.v());
    if (result instanceof QueryResult.StringResult s) return List.of(seconds(s.t()), s.v());
    List<Object> out = new ArrayList<>();
    if (result instanceof QueryResult.Vector v) {
      for (QueryResult.Sample s : v.samples()) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("metric", metric(s.labels()));
        e.put("value", point(s.t(), s.v()));
        out.add(e);
      }
    } else if (result instanceof QueryResult.Matrix m) {
      for (QueryResult.Range r : m.series()) {
        List<Object> values = new ArrayList<>(r.ts().length);
        for (int i = 0; i < r.ts().length; i++) values.add(point(r.ts()[i], r.vs()[i]));
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("metric", metric(r.labels()));
        e.put("values", values);
        out.add(e);
      }
    }
    return out;
  }

  static Map<String, String> metric(Labels labels) {
    return labels.asMap();
  }

  static List<Object> point(long ms, double v) {
    return List.of(seconds(ms), value(v));
  }

  /** Milliseconds as Prometheus's JSON number of seconds: {@code 1.5} s is {@code 1.500}, 2 s is {@code 2}. */
  static BigDecimal seconds(long ms) {
    return ms % 1000 == 0 ? BigDecimal.valueOf(ms / 1000) : BigDecimal.valueOf(ms, 3);
  }

  static String value(double v) {
    if (Double.isNaN(v)) return "NaN";
    if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == 0) return 1 / v < 0 ? "-0" : "0";
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}
