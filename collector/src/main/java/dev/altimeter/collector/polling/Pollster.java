package dev.altimeter.collector.polling;

import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A source of samples polled on a schedule. Built from typed configuration by
 * {@link PollsterFactory}; the {@link PollingAgent} owns its lifecycle: {@link #start()} before the
 * first cycle, {@link #stop()} after the last, {@link #close()} to release threads and connections.
 *
 * <p>Thread-safety: {@link #poll} may be called from any thread, and concurrently for different
 * sources; it must never block the calling thread (blocking reads go to a named bounded scheduler).
 * The agent never runs two cycles of the same source at once.
 */
public interface Pollster extends AutoCloseable {

  /** The pollster's name; polling.yaml sources select a pollster by this name or by one of {@link #meterNames()}. */
  String name();

  /**
   * The meter names this pollster can produce, when known in advance (e.g. {@code hardware.cpu.load.1min});
   * empty when they come from the polled data. A source that selects only some of them gets only those.
   */
  default List<String> meterNames() {
    return List.of();
  }

  /**
   * The resources to poll when the source lists none (e.g. the scrape targets). Empty means the
   * pollster needs no resource list (it polls its own host).
   */
  default List<String> defaultResources() {
    return List.of();
  }

  /**
   * Whether resources are split across agents by workload partitioning. False for pollsters that
   * read the machine the agent runs on.
   */
  default boolean partitioned() {
    return true;
  }

  /**
   * Polls once. Every sample carries {@link PollCycle#timestamp()}. The Flux fails when the cycle
   * cannot be completed (e.g. the endpoint answered 500); samples emitted before the failure stand.
   */
  Flux<dev.altimeter.storage.Sample> poll(PollCycle cycle);

  /** Prepares to poll (e.g. connection pools); idempotent. */
  default Mono<Void> start() {
    return Mono.empty();
  }

  /** Stops accepting new cycles; in-flight cycles finish. Idempotent. */
  default Mono<Void> stop() {
    return Mono.empty();
  }

  /** Releases threads and connections; idempotent. Never throws checked exceptions. */
  @Override
  default void close() {}
}
