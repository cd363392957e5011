package dev.altimeter.collector.pipeline.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.config.PipelineConfigParser;
import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class SamplePipelinesTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration WAIT = Duration.ofSeconds(30); // a bound against hangs, not a timing assertion

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final List<RecordingPublisher> created = new ArrayList<>();
  final PublisherRegistry registry = PublisherRegistry.empty()
      .with("gnocchi", (url, ctx) -> record(new RecordingPublisher(false)))
      .with("test", (url, ctx) -> record(new RecordingPublisher(false)))
      .with("fail", (url, ctx) -> record(new RecordingPublisher(true)))
      .with("store", (url, ctx) -> record(new RecordingPublisher(url.hasOption("down"), true)));
  final PipelineConfigParser parser = new PipelineConfigParser(TransformerCatalog.standard(), registry.schemes());

  RecordingPublisher record(RecordingPublisher p) {
    created.add(p);
    return p;
  }

  static Path resource(String name) {
    try {
      return Path.of(SamplePipelinesTest.class.getResource("/pipeline/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Sample sample(String meter, SampleType type, String unit, double volume, String resource, long seconds,
      Map<String, Object> metadata) {
    return Sample.builder().meter(meter).type(type).unit(unit).volume(volume).resourceId(resource)
        .userId("u").projectId("p").source("openstack").timestamp(T0.plusSeconds(seconds))
        .resourceMetadata(metadata).build();
  }

  SamplePipelines build(String yaml, int capacity) {
    PipelineConfig c = parser.parse("test.yaml", yaml, PipelineConfig.Kind.SAMPLE);
    return SamplePipelines.create(c, TransformerCatalog.standard(), registry, PublisherContext.defaults(), meters,
        capacity);
  }

  @Test
  void rockyReferencePipelineProducesCeilometersDerivedSamples() {
    PipelineConfig c = parser.load(resource("reference/pipeline_with_transformers_rocky.yaml"), PipelineConfig.Kind.SAMPLE);
    SamplePipelines p = SamplePipelines.create(c, TransformerCatalog.standard(), registry, PublisherContext.defaults(),
        meters, 16);
    p.start().block(WAIT);
    assertThat(created).hasSize(5).allMatch(r -> r.started);
    RecordingPublisher meterSink = created.get(0);
    RecordingPublisher cpuSink = created.get(1);
    RecordingPublisher cpuDeltaSink = created.get(2);
    RecordingPublisher diskSink = created.get(3);
    RecordingPublisher networkSink = created.get(4);

    Map<String, Object> twoCpus = Map.of("cpu_number", 2);
    // cycle 1 (first samples: cached by the stateful transformers, nothing derived)
    p.accept(List.of(
        sample("cpu", SampleType.CUMULATIVE, "ns", 100e9, "vm1", 0, twoCpus),
        sample("cpu", SampleType.CUMULATIVE, "ns", 50e9, "vm2", 0, Map.of()),
        sample("disk.read.bytes", SampleType.CUMULATIVE, "B", 1_000_000, "vm1", 0, Map.of()),
        sample("disk.device.write.requests", SampleType.CUMULATIVE, "request", 100, "vm1-vda", 0, Map.of()),
        sample("network.incoming.bytes", SampleType.CUMULATIVE, "B", 5_000, "tap1", 0, Map.of()),
        sample("memory.usage", SampleType.GAUGE, "MB", 512, "vm1", 0, Map.of()))).block(WAIT);
    assertThat(meterSink.samples).hasSize(6);
    assertThat(cpuSink.samples).isEmpty();
    assertThat(cpuDeltaSink.samples).isEmpty();
    assertThat(diskSink.samples).isEmpty();
    assertThat(networkSink.samples).isEmpty();

    // cycle 2, 60 s later; vm2's cpu counter was reset
    p.accept(List.of(
        sample("cpu", SampleType.CUMULATIVE, "ns", 112e9, "vm1", 60, twoCpus),
        sample("cpu", SampleType.CUMULATIVE, "ns", 3e9, "vm2", 60, Map.of()),
        sample("disk.read.bytes", SampleType.CUMULATIVE, "B", 1_600_000, "vm1", 60, Map.of()),
        sample("disk.device.write.requests", SampleType.CUMULATIVE, "request", 400, "vm1-vda", 60, Map.of()),
        sample("network.incoming.bytes", SampleType.CUMULATIVE, "B", 65_000, "tap1", 60, Map.of()))).block(WAIT);

    assertThat(meterSink.samples).hasSize(11);
    // vm1: 12e9 ns / 60 s = 2e8 ns/s; * 100 / (1e9 * 2) = 10 %
    // vm2: reset => delta = 3e9; 5e7 ns/s * 100 / 1e9 = 5 %
    assertThat(cpuSink.samples).extracting(Sample::meter, Sample::unit, Sample::type, Sample::resourceId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("cpu_util", "%", SampleType.GAUGE, "vm1"),
            org.assertj.core.groups.Tuple.tuple("cpu_util", "%", SampleType.GAUGE, "vm2"));
    assertThat(cpuSink.samples.get(0).volume()).isCloseTo(10.0, within(1e-9));
    assertThat(cpuSink.samples.get(1).volume()).isCloseTo(5.0, within(1e-9));
    // delta with growth_only: vm1 +12e9; vm2 went down: dropped
    assertThat(cpuDeltaSink.samples).singleElement().satisfies(s -> {
      assertThat(s.meter()).isEqualTo("cpu.delta");
      assertThat(s.type()).isEqualTo(SampleType.DELTA);
      assertThat(s.volume()).isEqualTo(12e9);
    });
    assertThat(diskSink.samples).extracting(Sample::meter, Sample::unit, Sample::volume).containsExactly(
        org.assertj.core.groups.Tuple.tuple("disk.read.bytes.rate", "B/s", 10_000.0),
        org.assertj.core.groups.Tuple.tuple("disk.device.write.requests.rate", "request/s", 5.0));
    assertThat(networkSink.samples).extracting(Sample::meter, Sample::unit, Sample::volume).containsExactly(
        org.assertj.core.groups.Tuple.tuple("network.incoming.bytes.rate", "B/s", 1_000.0));

    assertThat(meters.get("altimeter.pipeline.received").tag("pipeline", "cpu_source:cpu_sink").counter().count())
        .isEqualTo(4.0);
    assertThat(meters.get("altimeter.pipeline.received").tag("pipeline", "meter_source:meter_sink").counter().count())
        .isEqualTo(11.0);
    p.stop().block(WAIT);
    assertThat(created).allMatch(r -> r.closed);
  }

  @Test
  void aFailingPublisherDoesNotStopTheOthersAndIsCounted() {
    SamplePipelines p = build("""
        sources:
          - name: s
            meters: ["cpu", "memory"]
            sinks: [k]
        sinks:
          - name: k
            publishers: ["fail://", "test://"]
        """, 4);
    p.accept(List.of(sample("cpu", SampleType.GAUGE, "ns", 1, "r", 0, Map.of()),
        sample("disk", SampleType.GAUGE, "B", 1, "r", 0, Map.of()),
        sample("memory", SampleType.GAUGE, "MB", 1, "r", 0, Map.of()))).block(WAIT);
    RecordingPublisher ok = created.get(1);
    assertThat(ok.samples).extracting(Sample::meter).containsExactly("cpu", "memory");
    assertThat(meters.get("altimeter.pipeline.publish.failed").tags("sink", "k", "publisher", "fail://")
        .counter().count()).isEqualTo(2.0);
    assertThat(meters.get("altimeter.pipeline.published").tags("sink", "k", "publisher", "test://")
        .counter().count()).isEqualTo(2.0);
  }

  @Test
  void anAcknowledgingPublisherFailsTheBatchAfterTheOthersRan() {
    SamplePipelines p = build("""
        sources:
          - name: s
            meters: ["*"]
            sinks: [stored, other]
        sinks:
          - name: stored
            publishers: ["store://?down", "test://"]
          - name: other
            publishers: ["test://"]
        """, 4);
    assertThatThrownBy(() -> p.accept(List.of(sample("cpu", SampleType.GAUGE, "ns", 1, "r", 0, Map.of()))).block(WAIT))
        .hasMessage("boom");
    assertThat(created.get(1).samples).hasSize(1);
    assertThat(created.get(2).samples).hasSize(1);

    SamplePipelines healthy = build("""
        sources: [{name: s, meters: ["*"], sinks: [stored]}]
        sinks: [{name: stored, publishers: ["store://", "fail://"]}]
        """, 4);
    healthy.accept(List.of(sample("cpu", SampleType.GAUGE, "ns", 1, "r", 0, Map.of()))).block(WAIT);
    assertThat(created.get(3).samples).hasSize(1);
  }

  @Test
  void transformersAreFlushedAfterEachBatchInChainOrder() {
    SamplePipelines p = build("""
        sources:
          - name: s
            meters: ["disk.*"]
            sinks: [k]
        sinks:
          - name: k
            transformers:
              - name: unit_conversion
                parameters:
                  target: {unit: KB, scale: "volume / 1024"}
              - name: accumulator
                parameters: {size: 2}
            publishers: [test]
        """, 4);
    RecordingPublisher out = created.get(0);
    p.accept(List.of(sample("disk.usage", SampleType.GAUGE, "B", 2048, "r", 0, Map.of()))).block(WAIT);
    assertThat(out.samples).isEmpty();
    p.accept(List.of(sample("cpu", SampleType.GAUGE, "B", 1, "r", 0, Map.of()))).block(WAIT);
    assertThat(out.samples).as("nothing selected: still only one held").isEmpty();
    p.accept(List.of(sample("disk.usage", SampleType.GAUGE, "B", 4096, "r", 1, Map.of()))).block(WAIT);
    assertThat(out.samples).extracting(Sample::volume).containsExactly(2.0, 4.0);
    assertThat(out.samples).extracting(Sample::unit).containsOnly("KB");
  }

  @Test
  void aSinkSharedBySourcesIsOneInstanceAndSeesDuplicates() {
    SamplePipelines p = build("""
        sources:
          - name: a
            meters: ["cpu"]
            sinks: [k]
          - name: b
            meters: ["c*"]
            sinks: [k]
        sinks:
          - name: k
            publishers: [test]
        """, 4);
    assertThat(created).hasSize(1);
    p.accept(List.of(sample("cpu", SampleType.GAUGE, "ns", 1, "r", 0, Map.of()),
        sample("cores", SampleType.GAUGE, "", 1, "r", 0, Map.of()))).block(WAIT);
    assertThat(created.get(0).samples).extracting(Sample::meter).containsExactly("cpu", "cpu", "cores");
    assertThat(p.pipelineNames()).containsExactly("a:k", "b:k");
  }

  @Test
  void aSlowPublisherBackPressuresItsSinkUntilItRefuses() {
    Sinks.Empty<Void> gate = Sinks.empty();
    List<List<Sample>> seen = new ArrayList<>();
    PublisherRegistry slow = PublisherRegistry.empty().with("slow", (url, ctx) -> new Publisher() {
      @Override
      public Mono<Void> publishSamples(List<Sample> samples) {
        seen.add(samples);
        return gate.asMono();
      }
    });
    PipelineConfig c = new PipelineConfigParser(TransformerCatalog.standard(), Set.of("slow")).parse("t.yaml", """
        sources: [{name: s, meters: ["*"], sinks: [k]}]
        sinks: [{name: k, publishers: ["slow://"]}]
        """, PipelineConfig.Kind.SAMPLE);
    SamplePipelines p = SamplePipelines.create(c, TransformerCatalog.standard(), slow, PublisherContext.defaults(),
        meters, 1);
    List<Mono<Void>> accepted = new ArrayList<>();
    List<Throwable> refused = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Mono<Void> m = p.accept(List.of(sample("cpu", SampleType.GAUGE, "ns", i, "r", i, Map.of()))).cache();
      m.subscribe(v -> { }, refused::add);
      accepted.add(m);
    }
    assertThat(seen).as("one batch in flight, the rest waits").hasSize(1);
    assertThat(refused).isNotEmpty().allMatch(e -> e instanceof SampleConsumer.Overloaded);
    assertThat(refused).as("one in flight, one queued (capacity 1), eight refused").hasSize(8);
    assertThat(meters.get("altimeter.pipeline.rejected").tag("sink", "k").counter().count())
        .isEqualTo(refused.size());
    gate.tryEmitEmpty();
    assertThat(seen).hasSize(10 - refused.size());
    assertThat(seen.stream().map(b -> b.get(0).volume()).collect(Collectors.toList()))
        .as("in submission order").isSorted();
  }

  @Test
  void eventPipelinesFilterByTypeAndPropagateASoleFailingPublisher() {
    PipelineConfig c = parser.parse("event_pipeline.yaml", """
        sources:
          - name: compute
            events: ["compute.instance.*"]
            sinks: [one, two]
        sinks:
          - name: one
            publishers: [fail://]
          - name: two
            publishers: [fail://, test://]
        """, PipelineConfig.Kind.EVENT);
    EventPipelines p = EventPipelines.create(c, registry, PublisherContext.defaults(), meters);
    Event create = new Event("m1", "compute.instance.create.end", T0, List.of(), Map.of());
    Event image = new Event("m2", "image.upload", T0, List.of(), Map.of());
    assertThatThrownBy(() -> p.accept(List.of(create, image)).block(WAIT)).hasMessageContaining("boom");
    assertThat(created.get(2).events).containsExactly(create);

    PipelineConfig two = parser.parse("event_pipeline.yaml", """
        sources: [{name: all, events: ["*"], sinks: [two]}]
        sinks: [{name: two, publishers: [fail://, test://]}]
        """, PipelineConfig.Kind.EVENT);
    EventPipelines q = EventPipelines.create(two, registry, PublisherContext.defaults(), meters);
    q.accept(List.of(create, image)).block(WAIT);
    assertThat(created.get(4).events).containsExactly(create, image);
  }

  @Test
  void concurrentProducersAreSerialisedPerSinkWithoutLoss() throws Exception {
    SamplePipelines p = build("""
        sources: [{name: s, meters: ["*"], sinks: [k]}]
        sinks:
          - name: k
            transformers:
              - name: delta
            publishers: [test]
        """, 10_000);
    int threads = 4;
    int batches = 250;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String resource = "r" + t;
      futures.add(pool.submit(() -> {
        for (int i = 0; i < batches; i++) {
          p.accept(List.of(sample("m", SampleType.CUMULATIVE, "B", i, resource, i, Map.of()))).block(WAIT);
        }
      }));
    }
    for (java.util.concurrent.Future<?> f : futures) f.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    pool.shutdown();
    // per resource: the first sample is cached, every next one yields a delta of exactly 1
    assertThat(created.get(0).samples).hasSize(threads * (batches - 1)).allMatch(s -> s.volume() == 1.0);
    assertThat(meters.get("altimeter.pipeline.rejected").tag("sink", "k").counter().count()).isZero();
  }

  @Test
  void transformerEvictionsAreCounted() {
    PipelineConfig c = parser.parse("t.yaml", """
        sources: [{name: s, meters: ["*"], sinks: [k]}]
        sinks: [{name: k, transformers: [{name: delta}], publishers: [test]}]
        """, PipelineConfig.Kind.SAMPLE);
    SamplePipelines p = SamplePipelines.create(c, TransformerCatalog.standard(2, java.time.Clock.systemUTC()), registry,
        PublisherContext.defaults(), meters, 4);
    p.accept(List.of(sample("m", SampleType.GAUGE, "B", 1, "r1", 0, Map.of()),
        sample("m", SampleType.GAUGE, "B", 1, "r2", 0, Map.of()),
        sample("m", SampleType.GAUGE, "B", 1, "r3", 0, Map.of()),
        sample("m", SampleType.GAUGE, "B", 1, "r4", 0, Map.of()))).block(WAIT);
    assertThat(meters.get("altimeter.pipeline.transform.evictions").tags("sink", "k", "transformer", "delta")
        .counter().count()).isEqualTo(2.0);
  }
}
