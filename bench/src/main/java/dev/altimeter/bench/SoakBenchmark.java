package dev.altimeter.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest at a fixed rate for a while, with the memory of both processes sampled (a measurement, not
 * a test): the soak of issue 14 (flat memory at half the peak rate) and the reproduction of its
 * 500s under background load (every status is counted, none fails the run).
 *
 * <p>Starts the service jar with the given JVM options and an embedded PostgreSQL, then posts
 * batches of B samples (IngestBenchmark's shape) so that R samples/s go in, at most C requests in
 * flight (a batch whose turn comes while C are in flight waits: the achieved rate is printed). Every
 * {@code --every} seconds it prints the JVM's RSS, the embedded PostgreSQL's RSS and PSS and the
 * statuses so far; at the end the RSS growth from the first sample after the warm-up minute to
 * the last, and the peaks.
 *
 * <p>With {@code --probe-ms P} it also measures freshness (issue 14 item 5) while the load runs:
 * every P ms one more sample of meter {@code bench.fresh} with a resource id of its own is posted, and
 * the API is asked for that resource's samples until it answers with it; the time from sending the
 * POST to that answer is one figure. Printed at the end: count, p50, p99 and the maximum, and every
 * probe that never showed up (within 30 s) or was not answered 201.
 *
 * <p>{@code --jvm-args "@launcher [NAME=value...] [options...]"} starts the README's command instead
 * ({@code --launcher}, default {@code deploy/bin/altimeter}, with the jar in {@code ALTIMETER_JAR}, the
 * options in {@code JAVA_OPTS} and the NAME=value words in its environment), as StartupBenchmark does.
 *
 * <p>CPU: from the end of the warm-up minute to the end, the JVM's and the PostgreSQL processes'
 * user and system time ({@code /proc/<pid>/stat}) per sample answered 201 in that window, printed as
 * µs per sample and as cores per 1,000 samples/s (the sizing table's unit).
 *
 * <pre>
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.altimeter.bench.SoakBenchmark \
 *   --rate 10000 --seconds 300 --batch 1000 --concurrency 8 --jvm-args "-Xmx256m"
 * </pre>
 */
public final class SoakBenchmark {
  public static void main(String[] args) throws Exception {
    int rate = IngestBenchmark.intArg(args, "--rate", 10_000);
    int seconds = IngestBenchmark.intArg(args, "--seconds", 300);
    int batch = IngestBenchmark.intArg(args, "--batch", 1_000);
    int concurrency = IngestBenchmark.intArg(args, "--concurrency", 8);
    int every = IngestBenchmark.intArg(args, "--every", 10);
    int probeMs = IngestBenchmark.intArg(args, "--probe-ms", 0);
    String jar = IngestBenchmark.stringArg(args, "--jar", "deploy/target/altimeter.jar");
    List<String> jvmArgs = StartupBenchmark.split(IngestBenchmark.stringArg(args, "--jvm-args", ""));
    List<String> serviceArgs = StartupBenchmark.split(IngestBenchmark.stringArg(args, "--service-args", ""));
    Path data = Files.createTempDirectory("altimeter-soak");
    int httpPort = IngestBenchmark.freePort();
    int managementPort = IngestBenchmark.freePort();
    boolean launched = !jvmArgs.isEmpty() && jvmArgs.get(0).equals("@launcher");
    List<String> command = new ArrayList<>();
    if (launched) {
      command.add(IngestBenchmark.stringArg(args, "--launcher", "deploy/bin/altimeter"));
    } else {
      command.add("java");
      command.addAll(jvmArgs);
      command.addAll(List.of("-jar", jar));
    }
    command.addAll(List.of("--server.port=" + httpPort, "--management.server.port=" + managementPort,
        "--altimeter.data-dir=" + data, "--logging.level.root=WARN"));
    command.addAll(serviceArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(data.resolve("service.log").toFile());
    if (launched) StartupBenchmark.launcherEnvironment(builder, jvmArgs.subList(1, jvmArgs.size()), jar);
    Process service = builder.start();
    System.out.printf("rate %,d samples/s for %d s, batches of %d, %d in flight; JVM options %s; data in %s; load %s%n",
        rate, seconds, batch, concurrency, jvmArgs, data, StartupBenchmark.loadAverage());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();
    try {
      StartupBenchmark.awaitOk(http, "http://127.0.0.1:" + managementPort + "/actuator/health/readiness", service);
      // the launcher execs the JVM (its pid is the service's); a launcher that forks leaves it a child
      long jvmPid = StartupBenchmark.jvmPid(service);
      System.out.printf("ready: JVM pid %d%n", jvmPid);
      URI target = URI.create("http://127.0.0.1:" + httpPort + "/v2/meters/bench.soak");
      Freshness freshness = probeMs > 0 ? Freshness.start("http://127.0.0.1:" + httpPort, probeMs) : null;
      Semaphore inFlight = new Semaphore(concurrency);
      long periodNanos = (long) (1e9 * batch / rate);
      long t0 = System.nanoTime();
      long end = t0 + seconds * 1_000_000_000L;
      long nextReport = t0 + every * 1_000_000_000L;
      long firstJvm = 0;
      long firstPg = 0;
      long peakJvm = 0;
      long peakPgPss = 0;
      long lastJvm = 0;
      long lastPgPss = 0;
      long firstJvmCpu = 0;
      long firstPgCpu = 0;
      long firstAnswered = 0;
      long sent = 0;
      Instant start = Instant.now().minus(Duration.ofHours(1));
      for (long due = t0; System.nanoTime() < end; due += periodNanos) {
        long wait = due - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        String body = IngestBenchmark.body("bench.soak", (int) (sent % 1_000_000_000), batch, start);
        inFlight.acquire();
        sent += batch;
        http.sendAsync(HttpRequest.newBuilder(target).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding())
            .whenComplete((r, e) -> {
              inFlight.release();
              String key = e != null ? e.getClass().getSimpleName() : Integer.toString(r.statusCode());
              statuses.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            });
        long now = System.nanoTime();
        if (now >= nextReport) {
          nextReport += every * 1_000_000_000L;
          long jvm = StartupBenchmark.status(jvmPid, "VmRSS:");
          long[] pg = StartupBenchmark.postgres(data);
          double elapsed = (now - t0) / 1e9;
          System.out.printf("%5.0f s: sent %,d (%,.0f/s), JVM RSS %d MiB, PostgreSQL RSS %d MiB PSS %d MiB, statuses %s, load %s%n",
              elapsed, sent, sent / elapsed, jvm / 1024, pg[0] / 1024, pg[1] / 1024, new TreeMap<>(statuses),
              StartupBenchmark.loadAverage());
          if (elapsed >= 60 && firstJvm == 0) {
            firstJvm = jvm;
            firstPg = pg[1];
            firstJvmCpu = StartupBenchmark.cpuTicks(jvmPid, false);
            firstPgCpu = StartupBenchmark.postgresCpuTicks(data);
            firstAnswered = answered(statuses) * batch;
          }
          peakJvm = Math.max(peakJvm, jvm);
          peakPgPss = Math.max(peakPgPss, pg[1]);
          lastJvm = jvm;
          lastPgPss = pg[1];
        }
      }
      inFlight.acquire(concurrency);
      long jvmCpu = StartupBenchmark.cpuTicks(jvmPid, false) - firstJvmCpu;
      long pgCpu = StartupBenchmark.postgresCpuTicks(data) - firstPgCpu;
      long samples = answered(statuses) * batch - firstAnswered;
      if (firstJvm != 0 && samples > 0) {
        // ticks of 10 ms; cores per 1,000 samples/s = CPU seconds per 1,000 samples
        System.out.printf("CPU after the first minute, over %,d samples answered 201: JVM %.1f s (%.0f µs/sample, %.3f cores"
            + " per 1,000 samples/s), PostgreSQL %.1f s (%.0f µs/sample, %.3f cores per 1,000 samples/s)%n",
            samples, jvmCpu / 100.0, jvmCpu * 1e4 / samples, jvmCpu * 10.0 / samples,
            pgCpu / 100.0, pgCpu * 1e4 / samples, pgCpu * 10.0 / samples);
      }
      if (freshness != null) System.out.println(freshness.stop());
      double elapsed = (System.nanoTime() - t0) / 1e9;
      System.out.printf("sent %,d samples in %.0f s (%,.0f/s); statuses %s%n", sent, elapsed, sent / elapsed,
          new TreeMap<>(statuses));
      System.out.printf("JVM RSS: peak %d MiB, after the first minute %d MiB, last %d MiB (%+.1f %%); JVM HWM %d MiB%n",
          peakJvm / 1024, firstJvm / 1024, lastJvm / 1024, firstJvm == 0 ? 0 : 100.0 * (lastJvm - firstJvm) / firstJvm,
          StartupBenchmark.status(jvmPid, "VmHWM:") / 1024);
      System.out.printf("PostgreSQL PSS: peak %d MiB, after the first minute %d MiB, last %d MiB; load %s%n",
          peakPgPss / 1024, firstPg / 1024, lastPgPss / 1024, StartupBenchmark.loadAverage());
      System.out.printf("service log: %s%n", data.resolve("service.log"));
    } finally {
      service.destroy();
      service.waitFor();
    }
  }

  private static long answered(Map<String, AtomicLong> statuses) {
    AtomicLong created = statuses.get("201");
    return created == null ? 0 : created.get();
  }

  /**
   * The freshness probe: one thread, one request at a time (so it adds at most one sample per
   * period to the load). Time is the client's monotonic clock from sending the POST to reading the
   * first GET answer that holds the sample.
   */
  static final class Freshness implements Runnable {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final int periodMs;
    private final List<Double> millis = new ArrayList<>();
    /** The POST's own answer time (its 201 comes once the sample is committed). */
    private final List<Double> postMillis = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private Freshness(String base, int periodMs) {
      this.base = base;
      this.periodMs = periodMs;
      this.thread = new Thread(this, "freshness-probe");
    }

    static Freshness start(String base, int periodMs) {
      Freshness f = new Freshness(base, periodMs);
      f.thread.start();
      return f;
    }

    @Override
    public void run() {
      for (int n = 0; running; n++) {
        String resource = "fresh-" + ProcessHandle.current().pid() + "-" + n;
        String body = "[{\"counter_name\":\"bench.fresh\",\"counter_type\":\"gauge\",\"counter_unit\":\"1\","
            + "\"counter_volume\":" + n + ",\"resource_id\":\"" + resource + "\",\"project_id\":\"p-fresh\","
            + "\"user_id\":\"u-fresh\",\"timestamp\":\"" + Instant.now() + "\",\"resource_metadata\":{}}]";
        URI read = URI.create(base + "/v2/samples?q.field=resource_id&q.op=eq&q.value=" + resource + "&limit=1");
        try {
          long t0 = System.nanoTime();
          HttpResponse<Void> posted = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/meters/bench.fresh"))
              .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
          double postMs = (System.nanoTime() - t0) / 1e6;
          if (posted.statusCode() != 201) {
            failures.add(resource + ": POST " + posted.statusCode());
          } else {
            long deadline = t0 + 30_000_000_000L;
            boolean seen = false;
            while (!seen && System.nanoTime() < deadline) {
              HttpResponse<String> got = http.send(HttpRequest.newBuilder(read).timeout(Duration.ofSeconds(30)).build(),
                  HttpResponse.BodyHandlers.ofString());
              seen = got.statusCode() == 200 && got.body().contains(resource);
            }
            if (seen) {
              synchronized (this) {
                millis.add((System.nanoTime() - t0) / 1e6);
                postMillis.add(postMs);
              }
            } else {
              failures.add(resource + ": not listed within 30 s");
            }
          }
          Thread.sleep(periodMs);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          failures.add(resource + ": " + e);
        }
      }
    }

    private static double[] array(List<Double> values) {
      return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Stops the probe and describes what it saw. */
    String stop() throws InterruptedException {
      running = false;
      thread.join(60_000);
      List<Double> sorted;
      double[] posts;
      synchronized (this) {
        sorted = new ArrayList<>(millis);
        posts = array(postMillis);
      }
      sorted.sort(null);
      if (sorted.isEmpty()) return "freshness: no probe listed; failures " + failures;
      return String.format("freshness: %d probes, POST sent -> listed by GET /v2/samples: p50 %.0f ms, p99 %.0f ms,"
              + " max %.0f ms (the POST's 201 alone: p50 %.0f ms, p99 %.0f ms); failures %d %s", sorted.size(),
          QueryBenchmark.percentile(array(sorted), 50), QueryBenchmark.percentile(array(sorted), 99),
          sorted.get(sorted.size() - 1), QueryBenchmark.percentile(posts, 50), QueryBenchmark.percentile(posts, 99),
          failures.size(),
          failures.size() > 5 ? failures.subList(0, 5) + "..." : failures);
    }
  }

  private SoakBenchmark() {}
}
