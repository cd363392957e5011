package dev.altimeter.collector.pipeline.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.notification.amqp.TestBroker;
import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.config.PipelineConfigParser;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import reactor.core.scheduler.Schedulers;

/**
 * Two collectors sharing a rate_of_change sink through partition queues with single active
 * consumer: RabbitMQ only (the embedded Qpid broker has no single active consumer).
 */
@EnabledIfEnvironmentVariable(named = TestBroker.URL_VARIABLE, matches = ".+")
class PartitionedSinkTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final int RESOURCES = 20;
  static final int ROUNDS = 10;
  final String sinkName = "cpu_sink_" + UUID.randomUUID().toString().substring(0, 8);
  final List<SamplePipelines> running = new ArrayList<>();
  final List<CachingConnectionFactory> connections = new ArrayList<>();

  /** One collector: its own broker connection, transformer state and recording publisher. */
  record Collector(SamplePipelines pipelines, RecordingPublisher out) {}

  Collector collector(int partitions) {
    RecordingPublisher out = new RecordingPublisher(false);
    PublisherRegistry publishers = PublisherRegistry.empty().with("rec", (url, ctx) -> out);
    String yaml = """
        sources:
          - name: cpu_source
            meters: ["cpu"]
            sinks: [%s]
        sinks:
          - name: %s
            transformers:
              - name: rate_of_change
                parameters:
                  target: {name: cpu_util, unit: "%%", type: gauge, max: 100,
                           scale: "100.0 / (10**9 * (resource_metadata.cpu_number or 1))"}
            publishers: ["rec://"]
        """.formatted(sinkName, sinkName);
    PipelineConfig config = new PipelineConfigParser(TransformerCatalog.standard(), publishers.schemes())
        .parse("pipeline.yaml", yaml, PipelineConfig.Kind.SAMPLE);
    Partitioning partitioning = Partitioning.off();
    if (partitions > 0) {
      CachingConnectionFactory cf = TestBroker.connectionFactory();
      // confirms: a batch routed by a is on its queue before b routes the next one
      cf.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
      connections.add(cf);
      partitioning = new Partitioning(partitions, cf, Schedulers.boundedElastic(), 10, Duration.ofSeconds(10));
    }
    SamplePipelines p = SamplePipelines.create(config, TransformerCatalog.standard(), publishers,
        PublisherContext.defaults(), new SimpleMeterRegistry(), 16, partitioning);
    p.start().block(Duration.ofSeconds(30));
    running.add(p);
    return new Collector(p, out);
  }

  @AfterEach
  void cleanUp() {
    running.forEach(p -> p.stop().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(Duration.ofSeconds(30)));
    CachingConnectionFactory cf = TestBroker.connectionFactory();
    RabbitAdmin admin = new RabbitAdmin(cf);
    for (int i = 0; i < 4; i++) admin.deleteQueue(PartitionedSink.queueName(sinkName, i));
    cf.destroy();
    connections.forEach(CachingConnectionFactory::destroy);
  }

  static List<Sample> round(int r) {
    List<Sample> batch = new ArrayList<>();
    for (int i = 0; i < RESOURCES; i++) {
      // cumulative cpu time with a reset of resource 3 in round 6
      double volume = (i == 3 && r >= 6) ? 1e9 * (r - 6) : 1e9 * r * (1 + i % 5);
      batch.add(new Sample("cpu", SampleType.CUMULATIVE, "ns", volume, "u", "p", "vm-" + i,
          T0.plusSeconds(10L * r), null, "openstack", Map.of("cpu_number", 1 + i % 2),
          UUID.nameUUIDFromBytes(("vm-" + i + "/" + r).getBytes(StandardCharsets.UTF_8)), null));
    }
    return batch;
  }

  /** What a derived sample is, independent of which collector made it. */
  record Derived(String resource, Instant timestamp, double volume, UUID id) {
    static Derived of(Sample s) {
      return new Derived(s.resourceId(), s.timestamp(), s.volume(), s.messageId());
    }
  }

  static Set<Derived> derived(List<Sample> samples) {
    Set<Derived> out = new HashSet<>();
    for (Sample s : samples) {
      assertThat(s.meter()).isEqualTo("cpu_util");
      out.add(Derived.of(s));
    }
    return out;
  }

  /** One collector in process, as without partitioning: the reference. */
  Set<Derived> reference(int fromRound, int toRound) {
    Collector one = collector(0);
    for (int r = 0; r < ROUNDS; r++) one.pipelines.accept(round(r)).block(Duration.ofSeconds(30));
    Set<Derived> out = new HashSet<>();
    for (Derived d : derived(one.out.samples)) {
      if (!d.timestamp.isBefore(T0.plusSeconds(10L * fromRound)) && !d.timestamp.isAfter(T0.plusSeconds(10L * toRound))) {
        out.add(d);
      }
    }
    return out;
  }

  /** Waits until every partition queue has {@code n} consumers registered. */
  void awaitConsumers(int n) throws InterruptedException {
    CachingConnectionFactory cf = TestBroker.connectionFactory();
    try {
      RabbitAdmin admin = new RabbitAdmin(cf);
      await(() -> {
        for (int i = 0; i < 4; i++) {
          var info = admin.getQueueInfo(PartitionedSink.queueName(sinkName, i));
          if (info == null || info.getConsumerCount() != n) return false;
        }
        return true;
      });
    } finally {
      cf.destroy();
    }
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 30 s");
      Thread.sleep(20);
    }
  }

  @Test
  void twoCollectorsDeriveWhatOneDerivesAndTheSurvivorTakesOver() throws Exception {
    Set<Derived> phase1 = reference(1, 4);
    Set<Derived> phase2 = reference(6, 9);
    assertThat(phase1).hasSize(RESOURCES * 4);
    assertThat(phase2).hasSize(RESOURCES * 4);

    // a subscribes first and is active on every partition; b waits in line. Then a hands
    // partitions 0 and 1 over to b, so that each collector owns half of the resources.
    Collector a = collector(4);
    awaitConsumers(1);
    Collector b = collector(4);
    awaitConsumers(2);
    a.pipelines.partitionedSinks().get(0).handOver(List.of(0, 1));
    awaitConsumers(2);
    // the input arrives at both collectors alternately (competing consumers of the notifications)
    for (int r = 0; r <= 4; r++) (r % 2 == 0 ? a : b).pipelines.accept(round(r)).block(Duration.ofSeconds(30));
    await(() -> a.out.samples.size() + b.out.samples.size() >= RESOURCES * 4);
    List<Sample> both = new ArrayList<>(a.out.samples);
    both.addAll(b.out.samples);
    assertThat(both).hasSize(RESOURCES * 4); // nothing twice
    assertThat(derived(both)).isEqualTo(phase1);
    // and each resource met one collector only: the owner of its partition
    for (Sample s : a.out.samples) assertThat(PartitionedSink.partition(s.resourceId(), 4)).isIn(2, 3);
    for (Sample s : b.out.samples) assertThat(PartitionedSink.partition(s.resourceId(), 4)).isIn(0, 1);
    assertThat(a.out.samples).isNotEmpty();
    assertThat(b.out.samples).isNotEmpty();

    // collector a goes away: b takes its partitions over and keeps deriving correct rates
    int before = b.out.samples.size();
    a.pipelines.stop().block(Duration.ofSeconds(30));
    running.remove(a.pipelines);
    for (int r = 5; r < ROUNDS; r++) b.pipelines.accept(round(r)).block(Duration.ofSeconds(30));
    await(() -> derived(b.out.samples).containsAll(phase2));
    Set<Derived> after = derived(b.out.samples.subList(before, b.out.samples.size()));
    Set<Derived> all = new HashSet<>(reference(5, 9));
    // every rate b derived after the takeover is the one a single collector derives (a resource
    // whose partition moved only seeds b's state with its first sample)
    assertThat(all).containsAll(after);
    assertThat(after).containsAll(phase2);
  }
}
