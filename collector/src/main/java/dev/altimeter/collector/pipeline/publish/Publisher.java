package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * A destination of a sink, selected by the scheme of its pipeline.yaml URL (see
 * {@link PublisherRegistry}).
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #publishSamples} / {@link #publishEvents} are lazy (nothing happens until
 *       subscription), never block the subscribing thread (blocking I/O goes to the bounded
 *       scheduler of {@link PublisherContext}), and complete when the batch was handed to the
 *       destination (written, sent, acknowledged, as the publisher defines), or fail with the reason.
 *       Failures are counted and logged by the caller, which then runs the next publisher.
 *   <li>Batches arrive in order from one sink, one batch at a time per publisher instance; an
 *       implementation may still be called from different threads over time (with happens-before
 *       between calls), so it must be safe for that.
 *   <li>Lifecycle: {@link #start} before the first batch, {@link #flush} to push buffered data,
 *       {@link #stop} to drain, {@link #close} to release resources (idempotent).
 *   <li>Memory is bounded: a publisher buffering data (e.g. a retry queue) has a size limit.
 * </ul>
 */
public interface Publisher extends AutoCloseable {

  /** Publishes a batch of samples in order. */
  Mono<Void> publishSamples(List<Sample> samples);

  /** Publishes events; by default events are not supported (like Ceilometer's udp publisher). */
  default Mono<Void> publishEvents(List<Event> events) {
    return Mono.error(new UnsupportedOperationException(getClass().getSimpleName() + " does not publish events"));
  }

  /**
   * Whether the acknowledgement of a batch waits on this publisher: when true (e.g. the store), a
   * failure of this publisher fails the pipeline's {@code accept} Mono, after the sink's other
   * publishers ran, so that the input is not acknowledged. When false (default), failures are only
   * counted and logged, as in Ceilometer.
   */
  default boolean acknowledges() {
    return false;
  }

  /**
   * Whether the sink may hand this publisher the next batch before the previous one completed.
   * True for a publisher that queues, bounds and batches on its own (the store's batch writer), so
   * that waiting for its commits does not serialise the sink; false (default) keeps the one batch at
   * a time contract above.
   */
  default boolean concurrent() {
    return false;
  }

  default Mono<Void> start() {
    return Mono.empty();
  }

  default Mono<Void> flush() {
    return Mono.empty();
  }

  default Mono<Void> stop() {
    return flush();
  }

  /** Releases resources; idempotent, non-blocking or briefly blocking. */
  @Override
  default void close() {}
}
