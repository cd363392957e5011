package dev.altimeter.collector.pipeline.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.config.PipelineConfigParser;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

class ReloadingPipelinesTest {
  static final Duration WAIT = Duration.ofSeconds(30); // a bound against hangs, not a timing assertion
  final RecordingPublisher one = new RecordingPublisher(false);
  final RecordingPublisher two = new RecordingPublisher(false);
  final PublisherRegistry publishers = PublisherRegistry.empty().with("one", (u, c) -> one).with("two", (u, c) -> two);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final PipelineConfigParser parser = new PipelineConfigParser(TransformerCatalog.standard(), publishers.schemes());
  @TempDir Path dir;
  ReloadingPipelines<Sample> pipelines;

  static String yaml(String publisher) {
    return """
        sources:
          - name: all
            meters: ["*"]
            sinks: [out]
        sinks:
          - name: out
            publishers: ["%s"]
        """.formatted(publisher);
  }

  ReloadingPipelines<Sample> create(Path file, Duration interval) {
    return new ReloadingPipelines<Sample>(file, parser, PipelineConfig.Kind.SAMPLE, config -> SamplePipelines.create(config,
        TransformerCatalog.standard(), publishers, PublisherContext.defaults(), registry, 16), interval,
        Schedulers.boundedElastic(), registry).load();
  }

  @AfterEach
  void stop() {
    if (pipelines != null) pipelines.stop().block(WAIT);
  }

  static List<Sample> batch(String meter) {
    return List.of(Sample.builder().meter(meter).type(SampleType.GAUGE).unit("1").volume(1).resourceId("r")
        .timestamp(Instant.parse("2026-01-01T00:00:00Z")).build());
  }

  double count(String outcome) {
    return registry.get("altimeter.pipeline.reloads").tag("outcome", outcome).counter().count();
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not met in time");
      Thread.sleep(20);
    }
  }

  @Test
  void aGoodNewFileReplacesThePipelinesAndABadOneIsRejected() throws Exception {
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, yaml("one://"));
    pipelines = create(file, Duration.ofMinutes(10)); // checks driven by the test
    pipelines.start().block(WAIT);
    pipelines.accept(batch("a")).block(WAIT);
    assertThat(pipelines.check().block(WAIT)).isFalse(); // unchanged

    Files.writeString(file, yaml("two://"));
    assertThat(pipelines.check().block(WAIT)).isTrue();
    pipelines.accept(batch("b")).block(WAIT);
    assertThat(one.samples).extracting(Sample::meter).containsExactly("a");
    assertThat(two.samples).extracting(Sample::meter).containsExactly("b");
    assertThat(count("reloaded")).isEqualTo(1.0);

    // a dangling sink: rejected, counted once, the running pipelines keep going
    Files.writeString(file, yaml("two://").replace("sinks: [out]", "sinks: [nowhere]"));
    assertThat(pipelines.check().block(WAIT)).isFalse();
    assertThat(pipelines.check().block(WAIT)).isFalse();
    assertThat(count("rejected")).isEqualTo(1.0);
    pipelines.accept(batch("c")).block(WAIT);
    assertThat(two.samples).extracting(Sample::meter).containsExactly("b", "c");

    // an unknown publisher scheme is rejected too
    Files.writeString(file, yaml("three://"));
    assertThat(pipelines.check().block(WAIT)).isFalse();
    assertThat(count("rejected")).isEqualTo(2.0);
    pipelines.accept(batch("d")).block(WAIT);
    assertThat(two.samples).extracting(Sample::meter).containsExactly("b", "c", "d");
  }

  @Test
  void theWatchPicksUpAChangeByItself() throws Exception {
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, yaml("one://"));
    pipelines = create(file, Duration.ofMillis(50));
    pipelines.start().block(WAIT);
    Files.writeString(file, yaml("two://"));
    await(() -> count("reloaded") == 1.0);
    pipelines.accept(batch("x")).block(WAIT);
    assertThat(two.samples).extracting(Sample::meter).containsExactly("x");
  }

  @Test
  void aBadFileAtStartUpFailsNamingIt() throws Exception {
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, yaml("one://").replace("sinks: [out]", "sinks: [nowhere]"));
    assertThatThrownBy(() -> create(file, Duration.ofMinutes(1))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("pipeline.yaml");
  }

  @Test
  void eventPipelinesReloadToo() throws Exception {
    Path file = dir.resolve("event_pipeline.yaml");
    String events = """
        sources:
          - name: all
            events: ["*"]
            sinks: [out]
        sinks:
          - name: out
            publishers: ["%s"]
        """;
    Files.writeString(file, events.formatted("one://"));
    ReloadingPipelines<Event> reloading = new ReloadingPipelines<Event>(file, parser, PipelineConfig.Kind.EVENT,
        config -> EventPipelines.create(config, publishers, PublisherContext.defaults(), registry),
        Duration.ofMinutes(10), Schedulers.boundedElastic(), registry).load();
    reloading.start().block(WAIT);
    try {
      Event e1 = new Event("e1", "compute.instance.create.end", Instant.parse("2026-01-01T00:00:00Z"), List.of(), Map.of());
      Event e2 = new Event("e2", "compute.instance.create.end", Instant.parse("2026-01-01T00:00:01Z"), List.of(), Map.of());
      reloading.accept(List.of(e1)).block(WAIT);
      Files.writeString(file, events.formatted("two://"));
      assertThat(reloading.check().block(WAIT)).isTrue();
      reloading.accept(List.of(e2)).block(WAIT);
      assertThat(one.events).extracting(Event::messageId).containsExactly("e1");
      assertThat(two.events).extracting(Event::messageId).containsExactly("e2");
      // a sample pipeline file is not an event pipeline file: rejected, the running ones keep going
      Files.writeString(file, yaml("one://"));
      assertThat(reloading.check().block(WAIT)).isFalse();
      assertThat(registry.get("altimeter.pipeline.reloads").tag("outcome", "rejected").tag("file", "event_pipeline")
          .counter().count()).isEqualTo(1.0);
    } finally {
      reloading.stop().block(WAIT);
    }
  }
}
