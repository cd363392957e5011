package dev.altimeter.promql;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic test data for the conformance run: counters with resets, gauges (negative values,
 * integer gauges with repeats), several label sets, irregular millisecond timestamps, series that
 * start late, end early or have gaps longer than the lookback delta, over two hours.
 */
public final class ConformanceData {

  /** 2023-11-14T22:13:20Z; the data covers [T0, T0 + 2 h]. */
  public static final long T0 = 1_700_000_000_000L;
  public static final long SPAN = 2 * 3_600_000L;

  private ConformanceData() {
  }

  public static List<Series> generate(long seed) {
    Random r = new Random(seed);
    List<Series> out = new ArrayList<>();
    out.add(counter(r, Labels.of("__name__", "http_requests_total", "job", "api", "instance", "a:1", "method", "GET"), 15_000, 0, SPAN, 0));
    out.add(counter(r, Labels.of("__name__", "http_requests_total", "job", "api", "instance", "a:1", "method", "POST"), 15_000, 0, SPAN, 0.02));
    out.add(counter(r, Labels.of("__name__", "http_requests_total", "job", "api", "instance", "b:1", "method", "GET"), 15_000, 30 * 60_000, SPAN, 0.01));
    out.add(counter(r, Labels.of("__name__", "http_requests_total", "job", "web", "instance", "c:1", "method", "GET"), 10_000, 0, 90 * 60_000, 0.01));
    out.add(withGap(counter(r, Labels.of("__name__", "http_requests_total", "job", "web", "instance", "d:1", "method", "PUT"), 20_000, 0, SPAN, 0.005), 50 * 60_000, 62 * 60_000));
    for (String mode : new String[] {"idle", "user", "system"}) {
      out.add(counter(r, Labels.of("__name__", "node_cpu_seconds_total", "instance", "a:1", "mode", mode), 30_000, 0, SPAN, mode.equals("user") ? 0.01 : 0));
    }
    out.add(counter(r, Labels.of("__name__", "node_cpu_seconds_total", "instance", "c:1", "mode", "idle"), 30_000, 0, SPAN, 0));
    for (String room : new String[] {"lab", "office", "hall"}) {
      for (String sensor : new String[] {"s1", "s2"}) {
        out.add(gauge(r, Labels.of("__name__", "temperature_celsius", "room", room, "sensor", sensor), 20_000,
            room.equals("hall") && sensor.equals("s2") ? 40 * 60_000 : 0, SPAN));
      }
    }
    for (String q : new String[] {"q1", "q2", "q3"}) {
      out.add(intGauge(r, Labels.of("__name__", "queue_depth", "queue", q, "instance", q.equals("q3") ? "c:1" : "a:1"), 60_000, SPAN));
    }
    out.add(special(r, Labels.of("__name__", "odd_gauge", "kind", "specials"), 25_000, SPAN));
    return out;
  }

  /** A gauge with occasional NaN, +Inf and -Inf values among ordinary ones. */
  private static Series special(Random r, Labels labels, long interval, long to) {
    long[] ts = times(r, interval, 0, to);
    double[] vs = new double[ts.length];
    for (int i = 0; i < ts.length; i++) {
      double x = r.nextDouble();
      vs[i] = x < 0.05 ? Double.NaN : x < 0.08 ? Double.POSITIVE_INFINITY : x < 0.11 ? Double.NEGATIVE_INFINITY
          : round3(r.nextGaussian() * 10);
    }
    return new Series(labels, ts, vs);
  }

  private static long[] times(Random r, long interval, long from, long to) {
    List<Long> ts = new ArrayList<>();
    long t = T0 + from + r.nextInt((int) interval);
    while (t <= T0 + to) {
      ts.add(t);
      long jitter = (long) (interval * 0.4 * (r.nextDouble() - 0.5));
      t += interval + jitter;
    }
    return ts.stream().mapToLong(Long::longValue).toArray();
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static Series counter(Random r, Labels labels, long interval, long from, long to, double resetProbability) {
    long[] ts = times(r, interval, from, to);
    double[] vs = new double[ts.length];
    double v = r.nextInt(1000);
    double rate = 0.5 + r.nextDouble() * 5;
    for (int i = 0; i < ts.length; i++) {
      if (r.nextDouble() < resetProbability) {
        v = r.nextInt(5);
      } else {
        v = round3(v + rate * r.nextDouble() * interval / 1000);
      }
      vs[i] = v;
    }
    return new Series(labels, ts, vs);
  }

  private static Series gauge(Random r, Labels labels, long interval, long from, long to) {
    long[] ts = times(r, interval, from, to);
    double[] vs = new double[ts.length];
    double v = r.nextDouble() * 30 - 5;
    for (int i = 0; i < ts.length; i++) {
      v = round3(v + r.nextGaussian());
      vs[i] = v;
    }
    return new Series(labels, ts, vs);
  }

  private static Series intGauge(Random r, Labels labels, long interval, long to) {
    long[] ts = times(r, interval, 0, to);
    double[] vs = new double[ts.length];
    for (int i = 0; i < ts.length; i++) {
      vs[i] = r.nextInt(6);
    }
    return new Series(labels, ts, vs);
  }

  private static Series withGap(Series s, long gapFrom, long gapTo) {
    List<Integer> keep = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      long rel = s.timestamps()[i] - T0;
      if (rel < gapFrom || rel > gapTo) {
        keep.add(i);
      }
    }
    long[] ts = new long[keep.size()];
    double[] vs = new double[keep.size()];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = s.timestamps()[keep.get(i)];
      vs[i] = s.values()[keep.get(i)];
    }
    return new Series(s.labels(), ts, vs);
  }

  /** The series as OpenMetrics text, one family per metric name (all typed gauge: PromQL ignores types). */
  public static String openMetrics(List<Series> series) {
    StringBuilder b = new StringBuilder();
    String family = null;
    for (Series s : series.stream().sorted((x, y) -> x.labels().metricName().compareTo(y.labels().metricName())).toList()) {
      String name = s.labels().metricName();
      if (!name.equals(family)) {
        b.append("# TYPE ").append(name).append(" gauge\n");
        family = name;
      }
      StringBuilder l = new StringBuilder(name).append('{');
      boolean first = true;
      for (String n : s.labels().names()) {
        if (n.equals(Labels.METRIC_NAME)) {
          continue;
        }
        if (!first) {
          l.append(',');
        }
        first = false;
        l.append(n).append("=\"").append(s.labels().get(n)).append('"');
      }
      l.append("} ");
      for (int i = 0; i < s.size(); i++) {
        long t = s.timestamps()[i];
        double v = s.values()[i];
        String value = Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf")
            : new BigDecimal(Double.toString(v)).toPlainString();
        b.append(l).append(value).append(' ')
            .append(t / 1000).append('.').append(String.format("%03d", t % 1000)).append('\n');
      }
    }
    return b.append("# EOF\n").toString();
  }
}
