package dev.altimeter.collector.polling.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.polling.LocalHttpServer;
import dev.altimeter.collector.polling.PollCycle;
import dev.altimeter.collector.polling.PollsterFactory;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;

class ScrapePollsterTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  LocalHttpServer exporter;
  WebClient http = PollsterFactory.webClient(16 * 1024 * 1024);
  SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() throws Exception {
    exporter = new LocalHttpServer()
        .route("/metrics", 200, "text/plain; version=0.0.4; charset=utf-8", ExpositionTest.resource("node_exporter.txt"))
        .route("/om", 200, "application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionTest.resource("openmetrics.txt"))
        .route("/broken", 500, "text/plain", "oops");
  }

  @AfterEach
  void stop() {
    exporter.close();
  }

  List<Sample> scrape(ScrapePollster.Config config) {
    ScrapePollster p = new ScrapePollster(config, http, registry);
    return p.poll(new PollCycle("prom", T0, p.defaultResources())).collectList().block(Duration.ofSeconds(10));
  }

  static ScrapePollster.Config config(List<URI> targets, String resourceLabel, List<ScrapePollster.Rule> rules) {
    return new ScrapePollster.Config("node", targets, "node.", resourceLabel, rules, Map.of(), null, 0);
  }

  static Map<String, List<Sample>> byMeter(List<Sample> samples) {
    return samples.stream().collect(Collectors.groupingBy(Sample::meter));
  }

  @Test
  void mapsFamiliesOfTheTextFormatToMeters() {
    List<Sample> samples = scrape(config(List.of(URI.create(exporter.url("/metrics"))), null, List.of()));
    Map<String, List<Sample>> m = byMeter(samples);
    String resource = "127.0.0.1:" + exporter.port();

    assertThat(samples).allSatisfy(s -> {
      assertThat(s.timestamp()).isEqualTo(T0);
      assertThat(s.resourceId()).isEqualTo(resource);
      assertThat(s.source()).isEqualTo("prometheus");
    });
    assertThat(samples).extracting(Sample::messageId).doesNotHaveDuplicates();

    List<Sample> cpu = m.get("node.node_cpu_seconds_total");
    assertThat(cpu).hasSize(3).allSatisfy(s -> {
      assertThat(s.type()).isEqualTo(SampleType.CUMULATIVE);
      assertThat(s.unit()).isEqualTo("s");
    });
    assertThat(cpu.get(1).resourceMetadata()).containsEntry("cpu", "0").containsEntry("mode", "user");
    assertThat(cpu.get(1).volume()).isEqualTo(12034.5);

    assertThat(m.get("node.node_load1").get(0).type()).isEqualTo(SampleType.GAUGE);
    assertThat(m.get("node.node_filesystem_avail_bytes").get(0).unit()).isEqualTo("B");
    assertThat(m).doesNotContainKey("node.node_hwmon_temp_celsius"); // NaN skipped
    assertThat(registry.counter("altimeter.polling.prometheus.skipped", "pollster", "node").count()).isEqualTo(1);

    List<Sample> buckets = m.get("node.http_request_duration_seconds_bucket");
    assertThat(buckets).hasSize(3).allSatisfy(s -> assertThat(s.type()).isEqualTo(SampleType.CUMULATIVE));
    assertThat(buckets.get(2).resourceMetadata()).containsEntry("le", "+Inf");
    assertThat(buckets.get(2).volume()).isEqualTo(10);
    assertThat(m.get("node.http_request_duration_seconds_sum").get(0).volume()).isEqualTo(1.75);
    assertThat(m.get("node.http_request_duration_seconds_count").get(0).type()).isEqualTo(SampleType.CUMULATIVE);

    List<Sample> quantiles = m.get("node.go_gc_duration_seconds");
    assertThat(quantiles).hasSize(3).allSatisfy(s -> assertThat(s.type()).isEqualTo(SampleType.GAUGE));
    assertThat(m.get("node.go_gc_duration_seconds_count").get(0).volume()).isEqualTo(211);
    assertThat(m.get("node.untyped_thing").get(0).volume()).isEqualTo(-3);
    assertThat(exporter.requestHeaders.get(0).get("Accept").get(0)).contains("text/plain;version=0.0.4");
  }

  @Test
  void readsOpenMetricsAndDropsCreatedSamples() {
    List<Sample> samples = scrape(config(List.of(URI.create(exporter.url("/om"))), null, List.of()));
    Map<String, List<Sample>> m = byMeter(samples);
    assertThat(m).containsKeys("node.process_cpu_seconds_total", "node.foo_bucket", "node.foo_sum", "node.build_info",
        "node.acme_http_router_request_seconds_sum");
    assertThat(m.keySet()).noneMatch(k -> k.endsWith("_created"));
    assertThat(m.get("node.process_cpu_seconds_total").get(0).unit()).isEqualTo("seconds");
    assertThat(m.get("node.process_cpu_seconds_total").get(0).type()).isEqualTo(SampleType.CUMULATIVE);
    assertThat(m.get("node.foo_bucket")).hasSize(3);
  }

  @Test
  void appliesKeepAndDropRulesAndTakesTheResourceFromALabel() {
    List<Sample> samples = scrape(config(List.of(URI.create(exporter.url("/metrics"))), "device", List.of(
        new ScrapePollster.Rule(ScrapePollster.Action.KEEP, "__name__", Pattern.compile("node_filesystem_.*")),
        new ScrapePollster.Rule(ScrapePollster.Action.DROP, "fstype", Pattern.compile("squashfs|tmpfs")))));
    assertThat(samples).singleElement().satisfies(s -> {
      assertThat(s.meter()).isEqualTo("node.node_filesystem_avail_bytes");
      assertThat(s.resourceId()).isEqualTo("/dev/sda1");
      assertThat(s.volume()).isEqualTo(4.2e10);
    });
  }

  @Test
  void aFailingTargetFailsTheCycleAfterTheOthers() {
    ScrapePollster p = new ScrapePollster(config(List.of(URI.create(exporter.url("/broken")),
        URI.create(exporter.url("/metrics"))), null, List.of()), http, registry);
    List<Sample> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> p.poll(new PollCycle("prom", T0, p.defaultResources())).doOnNext(got::add)
        .blockLast(Duration.ofSeconds(10))).hasMessageContaining("answered 500");
    assertThat(got).isNotEmpty();
  }
}
