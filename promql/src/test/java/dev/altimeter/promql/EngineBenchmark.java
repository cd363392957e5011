package dev.altimeter.promql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The benchmark shape for the engine alone (in-memory source, no database, no HTTP): a day
 * of 1,000 resources at one sample a minute (1.44 M samples), {@code rate(cpu[5m])} by resource
 * and {@code sum by (project_id)} of it, instant and as a day-long range query at a 5 m step.
 * Prints p50/p99; asserts nothing about time. Opt-in:
 * {@code ./mvnw -o -B -q -pl promql test -Dtest=EngineBenchmark -Dpromql.bench=true}.
 */
class EngineBenchmark {

  @Test
  void run() {
    Assumptions.assumeTrue(Boolean.getBoolean("promql.bench"), "benchmark skipped: pass -Dpromql.bench=true");
    long day = 86_400_000L;
    List<Series> data = new ArrayList<>();
    for (int r = 0; r < 1000; r++) {
      long[] ts = new long[1440];
      double[] vs = new double[1440];
      double v = 0;
      for (int k = 0; k < 1440; k++) {
        ts[k] = k * 60_000L + (r * 37L) % 60_000;
        v += (r % 7) + (k % 5);
        vs[k] = v;
      }
      data.add(new Series(Labels.of("__name__", "cpu", "resource_id", "r" + r, "project_id", "p" + (r % 20)), ts, vs));
    }
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(data), QueryLimits.DEFAULT);
    measure("instant rate(cpu[5m])", 50, () -> engine.instant("rate(cpu[5m])", day - 60_000).block());
    measure("instant sum by (project_id) (rate(cpu[5m]))", 50,
        () -> engine.instant("sum by (project_id) (rate(cpu[5m]))", day - 60_000).block());
    measure("range 1d/5m rate(cpu[5m])", 10, () -> engine.range("rate(cpu[5m])", 0, day, 300_000).block());
    measure("range 1d/5m sum by (project_id) (rate(cpu[5m]))", 10,
        () -> engine.range("sum by (project_id) (rate(cpu[5m]))", 0, day, 300_000).block());
  }

  private static void measure(String name, int runs, Runnable query) {
    for (int i = 0; i < 3; i++) {
      query.run();
    }
    long[] ns = new long[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      query.run();
      ns[i] = System.nanoTime() - t;
    }
    Arrays.sort(ns);
    System.out.printf(Locale.ROOT, "%-50s p50 %7.1f ms  p99 %7.1f ms  (%d runs)%n", name, ns[runs / 2] / 1e6,
        ns[Math.min(runs - 1, (int) Math.ceil(runs * 0.99) - 1)] / 1e6, runs);
  }
}
