package dev.altimeter.collector.pipeline.route;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import reactor.core.scheduler.Scheduler;

/**
 * How sinks with stateful transformers are shared by several collectors ({@code
 * altimeter.pipeline.partitions}): the number of partition queues per such sink, the broker, the
 * bounded scheduler for the blocking AMQP client, and the prefetch per partition queue. See
 * {@link SamplePipelines#create(dev.altimeter.collector.pipeline.config.PipelineConfig,
 * dev.altimeter.collector.pipeline.transform.TransformerCatalog,
 * dev.altimeter.collector.pipeline.publish.PublisherRegistry,
 * dev.altimeter.collector.pipeline.publish.PublisherContext, io.micrometer.core.instrument.MeterRegistry, int,
 * Partitioning)}.
 *
 * @param partitions queues per stateful sink; 0 turns partitioning off (sinks run in process)
 * @param confirmTimeout how long a send waits for the broker's confirm (with simple publisher confirms)
 */
public record Partitioning(int partitions, ConnectionFactory connections, Scheduler brokerIo, int prefetch,
    Duration confirmTimeout) {

  /** Ceilometer's transformers that keep state per resource (their {@code grouping_keys}). */
  public static final Set<String> STATEFUL = Set.of("rate_of_change", "delta", "accumulator", "aggregator",
      "arithmetic");

  public Partitioning {
    if (partitions < 0) throw new IllegalArgumentException("partitions must be >= 0: " + partitions);
    if (partitions > 0) {
      Objects.requireNonNull(connections, "connections (partitioning needs a broker)");
      Objects.requireNonNull(brokerIo, "brokerIo");
      if (prefetch < 1) throw new IllegalArgumentException("prefetch must be > 0: " + prefetch);
      Objects.requireNonNull(confirmTimeout, "confirmTimeout");
    }
  }

  /** In process, as without a broker. */
  public static Partitioning off() {
    return new Partitioning(0, null, null, 1, Duration.ZERO);
  }

  public boolean enabled() {
    return partitions > 0;
  }
}
