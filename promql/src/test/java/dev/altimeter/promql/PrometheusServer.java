package dev.altimeter.promql;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A real Prometheus 2.42 (/usr/bin/prometheus) on a free loopback port over TSDB blocks that
 * promtool made from OpenMetrics text, with a retention long enough to keep old data. Shared
 * (test-jar) by the conformance tests and the benchmark. Not thread-safe to start or close.
 */
public final class PrometheusServer implements AutoCloseable {

  public static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  public static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Process process;
  private final String base;

  /** Whether prometheus and promtool are installed (Debian package prometheus 2.42). */
  public static boolean installed() {
    return Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL);
  }

  /**
   * Fails when ALTIMETER_REQUIRE_PROMETHEUS is set and Prometheus is missing; else returns the
   * reason to skip (for an assumption), or null when installed.
   */
  public static String missing() {
    if (installed()) {
      return null;
    }
    String missing = PROMETHEUS + " / " + PROMTOOL + " not installed (Debian package prometheus 2.42)";
    if (System.getenv("ALTIMETER_REQUIRE_PROMETHEUS") != null) {
      throw new IllegalStateException("ALTIMETER_REQUIRE_PROMETHEUS is set but " + missing);
    }
    return missing;
  }

  /** Makes blocks from {@code openMetrics} (text ending in "# EOF") and waits until Prometheus is ready. */
  public static PrometheusServer start(String openMetrics) throws Exception {
    Path om = Files.createTempFile("prometheus", ".om");
    try {
      Files.writeString(om, openMetrics);
      return start(om);
    } finally {
      Files.delete(om);
    }
  }

  /** As {@link #start(String)}, from a file of OpenMetrics text (left in place). */
  public static PrometheusServer start(Path om) throws Exception {
    Path dir = Files.createTempDirectory("prometheus");
    Path tsdb = dir.resolve("tsdb");
    run(List.of(PROMTOOL.toString(), "tsdb", "create-blocks-from", "openmetrics", om.toString(), tsdb.toString()));
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  evaluation_interval: 1m\n");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + tsdb, "--storage.tsdb.retention.time=100y",
        "--web.listen-address=127.0.0.1:" + port, "--query.lookback-delta=5m")
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer server = new PrometheusServer(dir, process, "http://127.0.0.1:" + port);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.base + "/-/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return server;
        }
      } catch (IOException notYet) {
        // retry
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String log = Files.readString(dir.resolve("prometheus.log"));
        server.close();
        throw new IllegalStateException("prometheus did not start: " + log);
      }
      Thread.sleep(200);
    }
  }

  private PrometheusServer(Path dir, Process process, String base) {
    this.dir = dir;
    this.process = process;
    this.base = base;
  }

  /** http://127.0.0.1:port, no trailing slash. */
  public String base() {
    return base;
  }

  /** GET {@code base + pathAndQuery} (already encoded), the body as JSON. */
  public JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
    return getJson(base + pathAndQuery);
  }

  /** GET any URL, the body as JSON. */
  public static JsonNode getJson(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(command + " failed: " + out);
    }
  }
}
