package dev.altimeter.collector.polling.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.polling.LocalHttpServer;
import dev.altimeter.collector.polling.PollCycle;
import dev.altimeter.collector.polling.Pollster;
import dev.altimeter.collector.polling.PollsterFactory;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worked examples A, B and C of spec §5.6 against a real local HTTP server. */
class DynamicPollsterTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  LocalHttpServer server;
  PollsterFactory factory;
  Map<String, Pollster> pollsters;

  static String resource(String name) throws Exception {
    try (var in = DynamicPollsterTest.class.getResourceAsStream("/dynamic/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = new LocalHttpServer();
    String base = server.url("");
    String json = "application/json";
    server.route("/v1/clusters", 200, json, resource("clusters.json"))
        .route("/v2.1/servers/detail?all_tenants=true&limit=2", 200, json, resource("servers-1.json").replace("{base}", base))
        .route("/v2.1/servers/detail?all_tenants=true&limit=2&marker=S2", 200, json, resource("servers-2.json"))
        .route("/admin/usage", 200, json, resource("usage.json"));
    factory = new PollsterFactory(new SimpleMeterRegistry());
    Map<String, URI> catalog = Map.of("container-infra", URI.create(base + "/v1"), "compute", URI.create(base + "/v2.1"));
    pollsters = factory.fromDefinitions(resource("examples.yaml").replace("{base}", base), "examples.yaml", catalog, true)
        .stream().collect(Collectors.toMap(Pollster::name, p -> p));
  }

  @AfterEach
  void stop() {
    factory.close();
    server.close();
  }

  List<Sample> poll(String name) {
    Pollster p = pollsters.get(name);
    return p.poll(new PollCycle("dynamic", T0, p.defaultResources())).collectList().block(Duration.ofSeconds(10));
  }

  @Test
  void exampleA_singleMetricWithMappingSkipAndMetadata() {
    List<Sample> samples = poll("dynamic.magnum.cluster");
    assertThat(server.requests).containsExactly("/v1/clusters");
    assertThat(samples).hasSize(2);
    Sample c1 = samples.get(0);
    assertThat(c1.meter()).isEqualTo("dynamic.magnum.cluster");
    assertThat(c1.type()).isEqualTo(SampleType.GAUGE);
    assertThat(c1.unit()).isEqualTo("cluster");
    assertThat(c1.resourceId()).isEqualTo("c-1");
    assertThat(c1.projectId()).isEqualTo("p1");
    assertThat(c1.userId()).isEqualTo("u1");
    assertThat(c1.volume()).isEqualTo(2);
    assertThat(c1.timestamp()).isEqualTo(T0);
    assertThat(c1.resourceMetadata()).isEqualTo(Map.of("node_count", 3L, "labels.kube_tag", "v1.27", "display_name", "k8s-a"));
    Sample c3 = samples.get(1);
    assertThat(c3.resourceId()).isEqualTo("c-3");
    assertThat(c3.projectId()).isEqualTo("p2");
    assertThat(c3.userId()).isEqualTo("u2");
    assertThat(c3.volume()).isEqualTo(0);
    assertThat(c3.resourceMetadata()).isEqualTo(Map.of("node_count", 5L, "labels.kube_tag", "v1.28", "display_name", "k8s-b"));
  }

  @Test
  void exampleB_operationsAndPagination() {
    List<Sample> samples = poll("dynamic.instance.ram");
    assertThat(server.requests).containsExactly("/v2.1/servers/detail?all_tenants=true&limit=2",
        "/v2.1/servers/detail?all_tenants=true&limit=2&marker=S2");
    assertThat(samples).extracting(Sample::resourceId).containsExactly("S1", "S2", "S3");
    assertThat(samples).extracting(Sample::volume).containsExactly(2.0, 8.0, 0.5);
    assertThat(samples).allSatisfy(s -> {
      assertThat(s.projectId()).isEqualTo("p1");
      assertThat(s.userId()).isEqualTo("u1");
      assertThat(s.unit()).isEqualTo("GiB");
    });
    assertThat(samples).extracting(Sample::messageId).doesNotHaveDuplicates();
  }

  @Test
  void exampleC_multiMetricWithIdOperations() {
    List<Sample> samples = poll("dynamic.radosgw.api.request.{category}");
    assertThat(samples).extracting(Sample::meter)
        .containsExactly("dynamic.radosgw.api.request.get_obj", "dynamic.radosgw.api.request.put_obj");
    assertThat(samples).extracting(Sample::volume).containsExactly(46.0, 46.0);
    assertThat(samples).allSatisfy(s -> {
      assertThat(s.resourceId()).isEqualTo("p1");
      assertThat(s.projectId()).isEqualTo("p1");
      assertThat(s.userId()).isEqualTo("p1");
      assertThat(s.unit()).isEqualTo("request");
    });
  }

  @Test
  void exampleC_singleMetricTotalAndHeaders() {
    List<Sample> samples = poll("dynamic.radosgw.api.total");
    assertThat(samples).singleElement().satisfies(s -> {
      assertThat(s.volume()).isEqualTo(100);
      assertThat(s.resourceId()).isEqualTo("p1");
    });
    assertThat(server.requestHeaders.get(0).get("X-auth-token")).containsExactly("s3cr3t");
  }

  @Test
  void aMissingKeyOrAnErrorStatusFailsTheCycle() throws Exception {
    server.route("/broken", 500, "application/json", "{}")
        .route("/nokey", 200, "application/json", "{\"items\":[{\"id\":\"a\"}]}");
    String defs = """
        - {name: a.broken, sample_type: gauge, unit: x, url_path: "%s", value_attribute: v}
        - {name: a.nokey, sample_type: gauge, unit: x, url_path: "%s", value_attribute: v}
        """.formatted(server.url("/broken"), server.url("/nokey"));
    Map<String, Pollster> ps = factory.fromDefinitions(defs, "t.yaml", Map.of(), true).stream()
        .collect(Collectors.toMap(Pollster::name, p -> p));
    assertThatThrownBy(() -> ps.get("a.broken").poll(new PollCycle("s", T0, ps.get("a.broken").defaultResources()))
        .blockLast(Duration.ofSeconds(10))).hasMessageContaining("answered 500");
    assertThatThrownBy(() -> ps.get("a.nokey").poll(new PollCycle("s", T0, ps.get("a.nokey").defaultResources()))
        .blockLast(Duration.ofSeconds(10))).hasMessageContaining("key 'v'");
  }

  @Test
  void invalidDefinitionsAreRejectedOrSkipped() {
    String defs = """
        - {name: "bad name!", sample_type: gauge, unit: x, url_path: "http://h/", value_attribute: v}
        - {name: no.unit, sample_type: gauge, unit: "", url_path: "http://h/", value_attribute: v}
        - {name: bad.type, sample_type: rate, unit: x, url_path: "http://h/", value_attribute: v}
        - {name: bad.op, sample_type: gauge, unit: x, url_path: "http://h/", value_attribute: "v | 1 + 1"}
        - {name: evil.op, sample_type: gauge, unit: x, url_path: "http://h/", value_attribute: "v | __import__('os')"}
        - {name: cmd, sample_type: gauge, unit: x, host_command: "rm -rf /", value_attribute: v}
        - {name: "multi.{x}", sample_type: gauge, unit: x, url_path: "http://h/", value_attribute: "v"}
        - {name: good.one, sample_type: gauge, unit: x, url_path: "http://h/", value_attribute: v}
        - {name: good.one, sample_type: delta, unit: y, url_path: "http://h/", value_attribute: w}
        """;
    List<Pollster> loaded = factory.fromDefinitions(defs, "t.yaml", Map.of(), false);
    assertThat(loaded).extracting(Pollster::name).containsExactly("good.one");
    assertThatThrownBy(() -> factory.fromDefinitions(defs, "t.yaml", Map.of(), true))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("t.yaml:1: dynamic pollster bad name!: name 'bad name!' does not match");
    assertThatThrownBy(() -> DynamicPollsterDefinition.of(Map.of("name", "n", "sample_type", "gauge", "unit", "u",
        "url_path", "http://h", "value_attribute", "v | 1 + 1"), "f.yaml", 1)).hasMessageContaining("must use 'value'");
    assertThatThrownBy(() -> DynamicPollsterDefinition.of(Map.of("name", "n", "sample_type", "gauge", "unit", "u",
        "host_command", "id", "value_attribute", "v"), "f.yaml", 1)).hasMessageContaining("host_command");
  }

  @Test
  void urlsJoinAsUrljoin() {
    assertThat(DynamicPollster.join("http://magnum:9511/v1", "clusters")).hasToString("http://magnum:9511/v1/clusters");
    assertThat(DynamicPollster.join("http://nova:8774/v2.1", "/v2.1/servers/detail?all_tenants=true&limit=2"))
        .hasToString("http://nova:8774/v2.1/servers/detail?all_tenants=true&limit=2");
    assertThat(DynamicPollster.join("http://nova:8774/v2.1", "http://other/x")).hasToString("http://other/x");
  }
}
