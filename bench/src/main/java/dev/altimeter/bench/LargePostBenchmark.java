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

/**
 * The memory one large POST takes (a measurement, not a test). For each jar (e.g. the build before
 * and after a change, in one run so they share the machine's load) and each run: starts the service
 * with an embedded PostgreSQL, waits until it is ready and idle, reads the JVM's {@code VmHWM}, posts
 * one body of N samples (IngestBenchmark's shape, about 260 bytes each), and reads {@code VmHWM}
 * again once it is answered. Prints the status, the time and both high-water marks.
 *
 * <pre>
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.altimeter.bench.LargePostBenchmark \
 *   --samples 100000 --runs 3 --jars /tmp/before.jar,deploy/target/altimeter.jar --jvm-args "-Xmx512m"
 * </pre>
 */
public final class LargePostBenchmark {
  public static void main(String[] args) throws Exception {
    int samples = IngestBenchmark.intArg(args, "--samples", 100_000);
    int runs = IngestBenchmark.intArg(args, "--runs", 3);
    List<String> jars = List.of(IngestBenchmark.stringArg(args, "--jars", "deploy/target/altimeter.jar").split(","));
    List<String> jvmArgs = StartupBenchmark.split(IngestBenchmark.stringArg(args, "--jvm-args", ""));
    String body = IngestBenchmark.body("bench.large", 0, samples, Instant.now().minus(Duration.ofHours(1)));
    System.out.printf("body: %,d samples, %,d bytes; JVM options %s; load %s%n", samples, body.length(), jvmArgs,
        StartupBenchmark.loadAverage());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < runs; i++) {
      for (String jar : jars) {
        Path data = Files.createTempDirectory("altimeter-large-post");
        int httpPort = IngestBenchmark.freePort();
        int managementPort = IngestBenchmark.freePort();
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(jvmArgs);
        // the heap after each collection: the live set, which the RSS of a roomy heap does not show
        command.add("-Xlog:gc:file=" + data.resolve("gc.log"));
        command.addAll(List.of("-jar", jar, "--server.port=" + httpPort, "--management.server.port=" + managementPort,
            "--altimeter.data-dir=" + data, "--logging.level.root=WARN"));
        Process service = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(data.resolve("service.log").toFile()).start();
        try {
          StartupBenchmark.awaitOk(http, "http://127.0.0.1:" + managementPort + "/actuator/health/readiness", service);
          Thread.sleep(5_000);
          long before = StartupBenchmark.status(service.pid(), "VmHWM:");
          double t0Uptime = lastUptime(data.resolve("gc.log"));
          long t0 = System.nanoTime();
          HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v2/meters/bench.large"))
                  .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
                  .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
          double seconds = (System.nanoTime() - t0) / 1e9;
          long after = StartupBenchmark.status(service.pid(), "VmHWM:");
          System.out.printf("run %d %-40s HTTP %d in %.1f s; JVM HWM %d MiB before, %d MiB after (+%d);"
                  + " heap after GC at most %d MiB (before the POST %d MiB); load %s%n",
              i + 1, jar, r.statusCode(), seconds, before / 1024, after / 1024, (after - before) / 1024,
              maxHeapAfterGc(data.resolve("gc.log"), Long.MAX_VALUE), maxHeapAfterGc(data.resolve("gc.log"), t0Uptime),
              StartupBenchmark.loadAverage());
        } finally {
          service.destroy();
          service.waitFor();
        }
      }
    }
  }

  private static final java.util.regex.Pattern GC_LINE =
      java.util.regex.Pattern.compile("^\\[([0-9.]+)s\\].*Pause.* (\\d+)M->(\\d+)M\\(\\d+M\\)");

  /** The largest heap after a collection (MiB) in the unified GC log, up to JVM uptime {@code until} s. */
  static long maxHeapAfterGc(Path log, double until) throws java.io.IOException {
    long max = 0;
    for (String line : Files.readAllLines(log)) {
      var m = GC_LINE.matcher(line);
      if (m.find() && Double.parseDouble(m.group(1)) <= until) max = Math.max(max, Long.parseLong(m.group(3)));
    }
    return max;
  }

  /** The JVM uptime (s) of the last line of the GC log. */
  static double lastUptime(Path log) throws java.io.IOException {
    double last = 0;
    for (String line : Files.readAllLines(log)) {
      if (line.startsWith("[")) last = Double.parseDouble(line.substring(1, line.indexOf('s')));
    }
    return last;
  }

  private LargePostBenchmark() {}
}
