package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus (Debian's 2.42, {@code /usr/bin/prometheus}) scraping itself and remote-writing
 * to the API: its samples arrive through the pipeline and read back through /api/v1 with their
 * labels. An integration test: it waits (up to two minutes) for Prometheus's first batch. Skipped,
 * visibly, where Prometheus is not installed.
 */
class PrometheusServerRemoteWriteTest extends ApiTestSupport {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void aPrometheusServerRemoteWritesIntoAltimeter(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed at " + PROMETHEUS + ": test skipped");
    int promPort;
    try (ServerSocket s = new ServerSocket(0)) {
      promPort = s.getLocalPort();
    }
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: self
            static_configs:
              - targets: ['127.0.0.1:%d']
        remote_write:
          - url: http://127.0.0.1:%d/api/v1/write
            queue_config:
              batch_send_deadline: 1s
        """.formatted(promPort, port));
    Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      List<Sample> up = List.of();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (up.isEmpty() && System.nanoTime() < deadline && prometheus.isAlive()) {
        Thread.sleep(500);
        up = store.samples(SampleFilter.builder().meter("up").build(), 10)
            .collectList().block(Duration.ofSeconds(10));
      }
      assertThat(up).as("samples of 'up' remote-written by Prometheus; its log: %s",
          Files.exists(dir.resolve("prometheus.log")) ? Files.readString(dir.resolve("prometheus.log")) : "").isNotEmpty();
      Sample first = up.get(0);
      assertThat(first.volume()).isEqualTo(1.0);
      assertThat(first.resourceId()).isEqualTo("127.0.0.1:" + promPort);
      assertThat(first.source()).isEqualTo("prometheus");

      JsonNode result = JSON.readTree(get("/api/v1/query?query=ceilometer_up&time=" + (first.timestamp().getEpochSecond() + 1))
          .expectStatus().isOk().expectBody().returnResult().getResponseBody()).get("data").get("result");
      assertThat(result).singleElement().satisfies(r -> {
        assertThat(r.get("metric").get("job").asString()).isEqualTo("self");
        assertThat(r.get("metric").get("instance").asString()).isEqualTo("127.0.0.1:" + promPort);
        assertThat(r.get("value").get(1).asString()).isEqualTo("1");
      });
      // a counter of Prometheus's own, typed cumulative by its _total suffix
      assertThat(store.samples(SampleFilter.builder()
          .meter("prometheus_http_requests_total").build(), 1).collectList().block(Duration.ofSeconds(10)))
          .allSatisfy(s -> assertThat(s.type()).isEqualTo(dev.altimeter.storage.SampleType.CUMULATIVE));
    } finally {
      prometheus.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) prometheus.destroyForcibly();
    }
  }
}
