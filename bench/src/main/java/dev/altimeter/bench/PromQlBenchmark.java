package dev.altimeter.bench;

import dev.altimeter.promql.ConformanceQueries;
import dev.altimeter.promql.PrometheusServer;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * PromQL benchmark (a measurement, not a test; issue 15): a day of R resources (default 1,000) at
 * one sample a minute of the cumulative meter {@code cpu}, posted to the service jar's
 * {@code POST /v2/meters/cpu} (the ingest path into its embedded PostgreSQL), and the same samples,
 * with the labels the service's /api/v1 gives them, as promtool blocks in a real Prometheus 2.42.
 * Then, in the same run, p50/p99 of N requests (after a warm-up) of each query through both HTTP
 * APIs, one request at a time, alternating Altimeter and Prometheus so that both see the same
 * machine load. Each query's two answers are compared once (as the conformance tests compare).
 *
 * <p>Usage: {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)"
 * dev.altimeter.bench.PromQlBenchmark} with options {@code --resources 1000 --requests 20 --warmup
 * 2 --step 5m --jar deploy/target/altimeter.jar}.
 */
public final class PromQlBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MINUTES = 24 * 60;

  public static void main(String[] args) throws Exception {
    int resources = IngestBenchmark.intArg(args, "--resources", 1_000);
    int requests = IngestBenchmark.intArg(args, "--requests", 20);
    int warmup = IngestBenchmark.intArg(args, "--warmup", 2);
    String step = IngestBenchmark.stringArg(args, "--step", "5m");
    String jar = IngestBenchmark.stringArg(args, "--jar", "deploy/target/altimeter.jar");
    if (PrometheusServer.missing() != null) throw new IllegalStateException(PrometheusServer.missing());
    int httpPort = IngestBenchmark.freePort();
    int managementPort = IngestBenchmark.freePort();
    Path data = Files.createTempDirectory("altimeter-promql-bench");
    Process service = new ProcessBuilder("java", "-jar", jar, "--server.port=" + httpPort,
        "--management.server.port=" + managementPort, "--altimeter.data-dir=" + data,
        "--altimeter.embedded.port=" + IngestBenchmark.freePort(), "--logging.level.root=WARN")
        .redirectErrorStream(true).redirectOutput(data.resolve("service.log").toFile()).start();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String altimeter = "http://127.0.0.1:" + httpPort;
    try {
      IngestBenchmark.awaitReady(http, "http://127.0.0.1:" + managementPort, service);
      // the last sample two minutes before now: today's and yesterday's partitions exist
      Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(MINUTES + 1));
      long t0 = System.nanoTime();
      post(http, altimeter, resources, start);
      Instant last = start.plus(Duration.ofMinutes(MINUTES - 1));
      awaitStored(altimeter, (long) resources * MINUTES, last);
      System.out.printf("Altimeter: %,d samples posted and stored in %.0f s%n", (long) resources * MINUTES,
          (System.nanoTime() - t0) / 1e9);
      Map<String, Map<String, String>> labels = labelsOf(altimeter);
      Path om = data.resolve("cpu.om");
      writeOpenMetrics(om, labels, resources, start);
      t0 = System.nanoTime();
      try (PrometheusServer prometheus = PrometheusServer.start(om)) {
        System.out.printf("Prometheus: promtool blocks and start in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        Files.delete(om);
        measure(altimeter, prometheus.base(), last, step, requests, warmup);
      }
    } finally {
      service.destroy();
      service.waitFor();
      QueryBenchmark.deleteTree(data);
    }
  }

  /** Resource r's counter after m minutes: whole numbers of ns, a different rate per resource. */
  static long volume(int r, int minute) {
    return (long) minute * 60_000_000_000L / (1 + r % 7) + r;
  }

  /** One request per minute of the day (all resources), four in flight. */
  static void post(HttpClient http, String base, int resources, Instant start) throws Exception {
    Semaphore inFlight = new Semaphore(4);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int m = 0; m < MINUTES && failure.get() == null; m++) {
      StringBuilder b = new StringBuilder(resources * 200).append('[');
      for (int r = 0; r < resources; r++) {
        if (r > 0) b.append(',');
        b.append("{\"counter_name\":\"cpu\",\"counter_type\":\"cumulative\",\"counter_unit\":\"ns\",\"counter_volume\":")
            .append(volume(r, m)).append(",\"resource_id\":\"r").append(r).append("\",\"project_id\":\"p")
            .append(r % 10).append("\",\"user_id\":\"u").append(r % 50).append("\",\"timestamp\":\"")
            .append(start.plus(Duration.ofMinutes(m))).append("\"}");
      }
      inFlight.acquire();
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v2/meters/cpu"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(b.append(']').toString()))
          .build();
      CompletableFuture<?> f = http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((res, e) -> {
        inFlight.release();
        if (e != null) failure.compareAndSet(null, e);
        else if (res.statusCode() != 201) failure.compareAndSet(null, new IllegalStateException("HTTP " + res.statusCode()));
      });
      pending.add(f);
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    if (failure.get() != null) throw new IllegalStateException("ingest failed", failure.get());
  }

  /** Waits until /api/v1 counts every sample (the pipeline stores asynchronously after 201). */
  static void awaitStored(String base, long expected, Instant last) throws Exception {
    String path = "/api/v1/query?query=" + enc("sum(count_over_time(ceilometer_cpu[1d]))") + "&time="
        + last.getEpochSecond();
    for (int i = 0; ; i++) {
      JsonNode r = PrometheusServer.getJson(base + path).path("data").path("result");
      long n = r.isEmpty() ? 0 : Math.round(r.get(0).path("value").get(1).asDouble());
      if (n == expected) return;
      if (i > 300) throw new IllegalStateException("stored " + n + " of " + expected);
      Thread.sleep(1000);
    }
  }

  /** Each resource's series labels as /api/v1/series gives them, by resource_id. */
  static Map<String, Map<String, String>> labelsOf(String base) throws Exception {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (JsonNode series : PrometheusServer.getJson(base + "/api/v1/series?match[]=ceilometer_cpu&start=0").path("data")) {
      Map<String, String> labels = new TreeMap<>();
      series.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
      out.put(labels.get("resource_id"), labels);
    }
    return out;
  }

  static void writeOpenMetrics(Path om, Map<String, Map<String, String>> series, int resources, Instant start)
      throws Exception {
    try (BufferedWriter w = Files.newBufferedWriter(om)) {
      w.write("# TYPE ceilometer_cpu gauge\n"); // PromQL ignores types; an OpenMetrics counter would need _total
      for (int r = 0; r < resources; r++) {
        StringBuilder name = new StringBuilder("ceilometer_cpu{");
        series.get("r" + r).forEach((k, v) -> {
          if (!k.equals("__name__")) name.append(k).append("=\"").append(v).append("\",");
        });
        name.setLength(name.length() - 1);
        String prefix = name.append("} ").toString();
        for (int m = 0; m < MINUTES; m++) {
          w.write(prefix + volume(r, m) + " " + start.plus(Duration.ofMinutes(m)).getEpochSecond() + "\n");
        }
      }
      w.write("# EOF\n");
    }
  }

  static void measure(String altimeter, String prometheus, Instant last, String step, int requests, int warmup)
      throws Exception {
    long end = last.getEpochSecond();
    long begin = last.minus(Duration.ofDays(1)).getEpochSecond();
    String[][] queries = {
        {"rate(ceilometer_cpu[5m])", "instant"},
        {"rate(ceilometer_cpu[5m])", "range"},
        {"sum by (project_id) (rate(ceilometer_cpu[5m]))", "instant"},
        {"sum by (project_id) (rate(ceilometer_cpu[5m]))", "range"}};
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    System.out.printf("%nmachine: %s%n", QueryBenchmark.uptime());
    System.out.printf("| query | kind | Altimeter p50 / p99 (ms) | Prometheus p50 / p99 (ms) | ratio p50 | series x points | answers equal |%n");
    System.out.printf("|---|---|---|---|---|---|---|%n");
    for (String[] q : queries) {
      String path = q[1].equals("instant")
          ? "/api/v1/query?query=" + enc(q[0]) + "&time=" + end
          : "/api/v1/query_range?query=" + enc(q[0]) + "&start=" + begin + "&end=" + end + "&step=" + step;
      JsonNode a = JSON.readTree(get(http, altimeter + path));
      JsonNode p = JSON.readTree(get(http, prometheus + path));
      String diff = ConformanceQueries.compareJson(p, a);
      JsonNode result = p.path("data").path("result");
      int points = result.isEmpty() ? 0 : result.get(0).has("values") ? result.get(0).get("values").size() : 1;
      for (int i = 0; i < warmup; i++) {
        get(http, altimeter + path);
        get(http, prometheus + path);
      }
      double[] ta = new double[requests];
      double[] tp = new double[requests];
      for (int i = 0; i < requests; i++) {
        ta[i] = timed(http, altimeter + path);
        tp[i] = timed(http, prometheus + path);
      }
      double a50 = QueryBenchmark.percentile(ta, 50);
      double p50 = QueryBenchmark.percentile(tp, 50);
      System.out.printf("| `%s` | %s | %s / %s | %s / %s | %.1f | %d x %d | %s |%n", q[0],
          q[1].equals("instant") ? "instant" : "range 1 d, step " + step,
          QueryBenchmark.ms(a50), QueryBenchmark.ms(QueryBenchmark.percentile(ta, 99)),
          QueryBenchmark.ms(p50), QueryBenchmark.ms(QueryBenchmark.percentile(tp, 99)), a50 / p50,
          result.size(), points, diff == null ? "yes" : "NO: " + diff.substring(0, Math.min(300, diff.length())));
    }
    System.out.printf("machine: %s%n", QueryBenchmark.uptime());
  }

  private static double timed(HttpClient http, String url) throws Exception {
    long t0 = System.nanoTime();
    get(http, url);
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The whole body read (as a client would), failing on anything but 200. */
  private static byte[] get(HttpClient http, String url) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + ": HTTP " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
    }
    return r.body();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
