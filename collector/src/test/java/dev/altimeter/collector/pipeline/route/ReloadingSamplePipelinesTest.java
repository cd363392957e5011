package dev.altimeter.collector.pipeline.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.pipeline.config.PipelineConfigException;
import dev.altimeter.collector.pipeline.config.PipelineConfigParser;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

class ReloadingSamplePipelinesTest {
  static final Duration WAIT = Duration.ofSeconds(30); // a bound against hangs, not a timing assertion
  final RecordingPublisher one = new RecordingPublisher(false);
  final RecordingPublisher two = new RecordingPublisher(false);
  final PublisherRegistry publishers = PublisherRegistry.empty().with("one", (u, c) -> one).with("two", (u, c) -> two);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final PipelineConfigParser parser = new PipelineConfigParser(TransformerCatalog.standard(), publishers.schemes());
  @TempDir Path dir;
  ReloadingSamplePipelines pipelines;

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

  ReloadingSamplePipelines create(Path file, Duration interval) {
    return new ReloadingSamplePipelines(file, parser, config -> SamplePipelines.create(config,
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
    assertThatThrownBy(() -> create(file, Duration.ofMinutes(1))).isInstanceOf(PipelineConfigException.class)
        .hasMessageContaining("pipeline.yaml");
  }
}
