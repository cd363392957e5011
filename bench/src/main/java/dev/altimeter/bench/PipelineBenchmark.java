package dev.altimeter.bench;

import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.config.PipelineConfigParser;
import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.route.SamplePipelines;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.Mono;

/**
 * The sample pipeline alone, on one thread: batches of {@value #BATCH} {@code cpu} samples through
 * {@link SamplePipelines#accept} into one sink with Rocky's cpu_util {@code rate_of_change} (the
 * scale expression {@code 100.0 / (10**9 * (resource_metadata.cpu_number or 1))}) or the disk
 * byte-rate form (regex name/unit mapping), and a no-op publisher. The score is samples/s entering
 * the pipeline (each invocation is one batch, counted as {@value #BATCH} operations).
 *
 * <p>Input: {@value #RESOURCES} resources polled in rounds ten seconds apart, with growing
 * cumulative volumes, built batch by batch during the run (timestamps must keep growing, or
 * rate_of_change would drop every sample as out of order and the benchmark would measure that
 * shortcut). Building the samples is part of the score; {@link #inputOnly} measures it alone as a
 * control. After the first round every sample yields a rate, checked at tear-down.
 *
 * <p>Run: see docs/benchmarks.md, "Pipeline (JMH)".
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(1)
@Threads(1)
public class PipelineBenchmark {
  static final int BATCH = 100;
  static final int RESOURCES = 1_000;

  private static final String CPU_UTIL = """
      - name: cpu_util
        transformers:
          - name: rate_of_change
            parameters:
              target:
                name: cpu_util
                unit: "%"
                type: gauge
                max: 100
                scale: "100.0 / (10**9 * (resource_metadata.cpu_number or 1))"
        publishers: ["noop://"]
      """;

  private static final String BYTES_RATE = """
      - name: cpu_util
        transformers:
          - name: rate_of_change
            parameters:
              source:
                map_from:
                  name: "cpu"
                  unit: "(ns)"
              target:
                map_to:
                  name: "cpu.rate"
                  unit: "\\\\1/s"
                type: gauge
        publishers: ["noop://"]
      """;

  /** Which rate_of_change parameters the sink has. */
  @Param({"cpu_util", "bytes_rate"})
  public String transformer;

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private SamplePipelines pipelines;
  private List<Sample> templates;
  private int next;
  private long round;
  private Instant roundTime;
  private final Counting sink = new Counting();

  @Setup(Level.Trial)
  public void setUp() {
    String yaml = "sources:\n  - name: cpu_source\n    meters: [\"cpu\"]\n    sinks: [cpu_util]\nsinks:\n"
        + (transformer.equals("cpu_util") ? CPU_UTIL : BYTES_RATE).indent(2);
    PublisherRegistry publishers = PublisherRegistry.empty().with("noop", (url, context) -> sink);
    TransformerCatalog catalog = TransformerCatalog.standard();
    PipelineConfig config = new PipelineConfigParser(catalog, publishers.schemes())
        .parse("bench-pipeline.yaml", yaml, PipelineConfig.Kind.SAMPLE);
    pipelines = SamplePipelines.create(config, catalog, publishers, PublisherContext.defaults(),
        new SimpleMeterRegistry(), 64);
    pipelines.start().block();
    templates = templates();
  }

  /**
   * One sample per resource as a template (its strings and its frozen metadata are shared by every
   * sample built from it, as samples of one poll share them).
   */
  private static List<Sample> templates() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    List<Sample> out = new ArrayList<>(RESOURCES);
    for (int r = 0; r < RESOURCES; r++) {
      out.add(new Sample("cpu", SampleType.CUMULATIVE, "ns", 0, "user-" + (r % 10), "project-" + (r % 5),
          "instance-" + r, t0, null, "openstack", Map.of("cpu_number", 1 + r % 4, "flavor", Map.of("name", "m1.small")),
          new UUID(0, r), null));
    }
    return out;
  }

  /** The next batch: the next {@value #BATCH} resources of the current round, timestamps 10 s apart per round. */
  private List<Sample> nextBatch() {
    if (next == 0) {
      round++;
      roundTime = T0.plusSeconds(10L * round);
    }
    List<Sample> batch = new ArrayList<>(BATCH);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = next; i < next + BATCH; i++) {
      Sample t = templates.get(i);
      batch.add(new Sample(t.meter(), t.type(), t.unit(), 1e9 * round * (1 + i % 7), t.userId(), t.projectId(),
          t.resourceId(), roundTime, null, t.source(), t.resourceMetadata(),
          new UUID(random.nextLong(), random.nextLong()), null));
    }
    next = next + BATCH == RESOURCES ? 0 : next + BATCH;
    return batch;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pipelines.stop().block();
    // every sample but the first of each resource yields a rate: the run measured the real path
    // (inputOnly publishes nothing)
    long completeRounds = next == 0 ? round : round - 1; // round is the one in progress when next > 0
    long expected = Math.max(0, completeRounds - 1) * RESOURCES + (next == 0 || round == 1 ? 0 : next);
    if (sink.samples != 0 && sink.samples != expected) {
      throw new IllegalStateException("published " + sink.samples + " rates, expected " + expected);
    }
  }

  /**
   * One batch of {@value #BATCH} new samples through the pipeline; the no-op publisher completes at
   * once, so this returns when the batch was transformed and published.
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void accept(Blackhole bh) {
    bh.consume(pipelines.accept(nextBatch()).block());
  }

  /** Control: building the input alone (included in {@link #accept}'s score). */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void inputOnly(Blackhole bh) {
    bh.consume(nextBatch());
  }

  /** Counts what reaches it, so the work cannot be optimised away and the run is checked. */
  static final class Counting implements Publisher {
    long samples;

    @Override
    public Mono<Void> publishSamples(List<Sample> samples) {
      this.samples += samples.size();
      return Mono.empty();
    }
  }
}
