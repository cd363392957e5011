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
 * <p>Input: {@value #RESOURCES} resources × {@value #ROUNDS} rounds, pre-built (so sample creation
 * is not measured), timestamps ten seconds apart per round. The input is replayed in a cycle; on
 * each wrap the timestamps jump back, so one round in {@value #ROUNDS} takes rate_of_change's
 * "negative time delta" path (dropped) instead of producing a rate; every other sample is
 * published.
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
  static final int ROUNDS = 256;

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

  private SamplePipelines pipelines;
  private List<List<Sample>> batches;
  private int next;
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
    batches = input();
  }

  private static List<List<Sample>> input() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    List<Sample> all = new ArrayList<>(RESOURCES * ROUNDS);
    for (int round = 0; round < ROUNDS; round++) {
      for (int r = 0; r < RESOURCES; r++) {
        all.add(new Sample("cpu", SampleType.CUMULATIVE, "ns", 1e9 * round * (1 + r % 7), "user-" + (r % 10),
            "project-" + (r % 5), "instance-" + r, t0.plusSeconds(10L * round), null, "openstack",
            Map.of("cpu_number", 1 + r % 4, "flavor", Map.of("name", "m1.small")), UUID.randomUUID(), null));
      }
    }
    List<List<Sample>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += BATCH) out.add(List.copyOf(all.subList(i, i + BATCH)));
    return out;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pipelines.stop().block();
    if (sink.samples == 0) throw new IllegalStateException("the pipeline published nothing");
  }

  /** One batch of {@value #BATCH} samples; the no-op publisher completes at once, so this returns published. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void accept(Blackhole bh) {
    List<Sample> batch = batches.get(next);
    next = next + 1 == batches.size() ? 0 : next + 1;
    bh.consume(pipelines.accept(batch).block());
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
