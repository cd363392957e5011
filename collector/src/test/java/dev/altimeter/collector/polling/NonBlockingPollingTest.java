package dev.altimeter.collector.polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.BlockHoundInstaller;
import dev.altimeter.collector.polling.host.HostPollster;
import dev.altimeter.storage.RecordingSampleConsumer;
import dev.altimeter.storage.Sample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * BlockHound is installed for the test JVM ({@link BlockHoundInstaller}): a blocking call on a non-blocking thread (Reactor's parallel
 * and single schedulers, the agent's timer, Netty event loops) throws. The agent runs every kind
 * of pollster, declared only in YAML, from a non-blocking thread; any hidden blocking call shows up
 * as a pollster error or a failed cycle.
 */
class NonBlockingPollingTest {
  LocalHttpServer server;
  PollsterFactory factory;
  SimpleMeterRegistry registry;
  final RecordingSampleConsumer consumer = new RecordingSampleConsumer();

  @BeforeAll
  static void installBlockHound() {
    BlockHoundInstaller.install(); // done already by the launcher session listener; here for IDE runs of this class alone
  }

  @BeforeEach
  void start() throws Exception {
    server = new LocalHttpServer()
        .route("/clusters", 200, "application/json", "{\"clusters\":[{\"uuid\":\"c-1\",\"status\":\"CREATE_COMPLETE\","
            + "\"project_id\":\"p1\",\"user_id\":\"u1\"}]}")
        .route("/metrics", 200, "text/plain; version=0.0.4", "# TYPE up gauge\nup 1\n# TYPE reqs_total counter\nreqs_total{code=\"200\"} 42\n");
    registry = new SimpleMeterRegistry();
    factory = new PollsterFactory(registry);
  }

  @AfterEach
  void stop() {
    factory.close();
    server.close();
  }

  @Test
  void blockHoundIsActive() {
    assertThatThrownBy(() -> Mono.fromCallable(() -> {
          Thread.sleep(1);
          return 1;
        }).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(10)))
        .hasCauseInstanceOf(BlockingOperationError.class);
  }

  @Test
  void pollstersDeclaredInYamlRunWithoutBlockingANonBlockingThread() throws Exception {
    String definitions = """
        - name: dynamic.magnum.cluster
          sample_type: gauge
          unit: cluster
          url_path: "%s"
          response_entries_key: clusters
          value_attribute: status
          resource_id_attribute: uuid
          value_mapping: {CREATE_COMPLETE: 2}
          default_value: 0
        - name: prometheus.local
          kind: prometheus
          targets: ["%s"]
        """.formatted(server.url("/clusters"), server.url("/metrics"));
    List<Pollster> pollsters = new ArrayList<>(factory.fromDefinitions(definitions, "pollsters.yaml", Map.of(), true));
    Path proc = Path.of(getClass().getResource("/host/proc").toURI());
    Path sys = Path.of(getClass().getResource("/host/sys").toURI());
    pollsters.add(factory.host(new HostPollster.Config(null, proc, sys, Files.createTempDirectory("root"), null)));
    PollingConfig config = PollingConfig.parse("""
        sources:
          - name: everything
            interval: 60
            meters: ["hardware.*", "dynamic.*", "prometheus.*"]
        """, "polling.yaml");
    try (PollingAgent agent = PollingAgent.builder(config, pollsters, consumer).meterRegistry(registry).build()) {
      // the cycle runs on a parallel (non-blocking) thread; responses arrive on Netty event loops
      agent.pollOnce("everything").subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(30));
    }

    assertThat(registry.find("altimeter.polling.errors").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
    assertThat(consumer.samples()).extracting(Sample::meter)
        .contains("dynamic.magnum.cluster", "prometheus.local.up", "prometheus.local.reqs_total",
            "hardware.memory.used", "hardware.network.incoming.bytes");
    assertThat(consumer.samples().stream().map(Sample::timestamp).distinct()).hasSize(1);
  }

  @Test
  void aPollsterThatBlocksOnTheCallingThreadIsCaught() throws Exception {
    Path file = Files.createTempFile("blocking", ".txt");
    Files.writeString(file, "1");
    Pollster careless = new Pollster() {
      @Override public String name() { return "careless"; }
      @Override public Flux<Sample> poll(PollCycle cycle) {
        return Mono.fromCallable(() -> Files.readString(file, StandardCharsets.UTF_8)) // no subscribeOn: wrong
            .map(v -> Sample.builder().meter("careless").type(dev.altimeter.storage.SampleType.GAUGE).unit("1")
                .volume(Double.parseDouble(v)).resourceId("r").timestamp(cycle.timestamp()).build())
            .flux();
      }
    };
    PollingConfig config = PollingConfig.parse("sources:\n  - {name: s, interval: 60, meters: ['*']}\n", "polling.yaml");
    try (PollingAgent agent = PollingAgent.builder(config, List.of(careless), consumer).meterRegistry(registry).build()) {
      agent.pollOnce("s").subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(30));
    }
    assertThat(registry.counter("altimeter.polling.errors", "pollster", "careless").count()).isEqualTo(1);
    assertThat(consumer.samples()).isEmpty();
  }
}
