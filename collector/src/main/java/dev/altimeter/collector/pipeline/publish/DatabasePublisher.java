package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * {@code database://}: the store. One instance per process, shared by every {@code database://}
 * URL of pipeline.yaml and event_pipeline.yaml (their options are ignored), so that what every sink
 * sends is gathered into the same store transactions: samples and events each go through a
 * {@link BatchWriter} (bounded in items and estimated bytes, whole calls batched, several batches
 * written at once, a batch refused for one call's data written again call by call).
 *
 * <p>Contract: a call's Mono completes when its items are committed (acknowledge-on-commit), or
 * fails with {@link dev.altimeter.storage.SampleConsumer.Overloaded} at once when the queue is
 * full (back-pressure: HTTP 503, a notification requeued), {@link
 * dev.altimeter.storage.SampleConsumer.TooLarge} when it could never fit, or the store's {@link
 * dev.altimeter.storage.StoreException}. It acknowledges and is concurrent: sinks do not wait for
 * one commit before handing over the next batch. Thread-safe.
 *
 * <p>Lifecycle (the service's store-writer stage): {@link #startWriters} before any pipeline publishes;
 * {@link #drain} after every pipeline flushed, before the store closes. Pipelines never start or
 * stop it ({@link #start()} and {@link #stop()} of {@link Publisher} are no-ops here): a reloaded
 * pipeline.yaml must not drain the writers other pipelines still use.
 *
 * <p>Metrics: the writers' ({@link BatchWriter}), with {@code kind} {@code samples} and {@code events}.
 */
public final class DatabasePublisher implements Publisher {
  /**
   * The writers' bounds, the same for samples and events.
   *
   * @param capacity items queued or in flight, at most
   * @param batchSize items per store transaction, at most (unless one call holds more)
   * @param maxDelay how long a call may wait for its batch to fill
   * @param concurrency batches written at once (each holds one database connection)
   * @param capacityBytes estimated heap bytes of the items queued or in flight, at most
   */
  public record Options(int capacity, int batchSize, Duration maxDelay, int concurrency, long capacityBytes) {
    public static final Options DEFAULTS = new Options(200_000, 2_000, Duration.ofMillis(20), 4);

    /** Bounded in items only. */
    public Options(int capacity, int batchSize, Duration maxDelay, int concurrency) {
      this(capacity, batchSize, maxDelay, concurrency, Long.MAX_VALUE);
    }

    public Options {
      if (capacity < batchSize) throw new IllegalArgumentException("capacity must be >= batchSize");
      if (capacityBytes < 1) throw new IllegalArgumentException("capacityBytes must be >= 1");
      if (batchSize < 1 || concurrency < 1) throw new IllegalArgumentException("batchSize and concurrency must be >= 1");
      if (maxDelay.isNegative()) throw new IllegalArgumentException("maxDelay must not be negative");
    }
  }

  private final BatchWriter<Sample> samples;
  private final BatchWriter<Event> events;

  /** Writes into the stores; each batch is one {@code write} call (one transaction). */
  public DatabasePublisher(SampleStore samples, EventStore events, Options options, MeterRegistry registry) {
    this(samples::write, events::write, options, registry);
  }

  /**
   * @param sampleWrites writes one batch atomically and answers how many samples were new; fails
   *     with a {@link dev.altimeter.storage.StoreException} when the values or the store are at fault
   * @param eventWrites the same for events
   */
  public DatabasePublisher(Function<List<Sample>, Mono<Integer>> sampleWrites,
      Function<List<Event>, Mono<Integer>> eventWrites, Options options, MeterRegistry registry) {
    this.samples = new BatchWriter<>("samples", sampleWrites, HeapEstimate::of, options, registry);
    this.events = new BatchWriter<>("events", eventWrites, HeapEstimate::of, options, registry);
  }

  /** The factory of {@code database://}: every URL gets this publisher. */
  public PublisherFactory factory() {
    return (url, context) -> this;
  }

  /** Lets batches be written (calls accepted before wait for it). Call once. */
  public DatabasePublisher startWriters() {
    samples.start();
    events.start();
    return this;
  }

  /** Refuses new samples and events; what was accepted is still written. */
  public void stopIntake() {
    samples.stopIntake();
    events.stopIntake();
  }

  /** Stops intake, writes everything queued now, and completes when the last batch of both kinds is committed. */
  public Mono<Void> drain() {
    return Mono.when(samples.drain(), events.drain());
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> batch) {
    return samples.accept(batch);
  }

  @Override
  public Mono<Void> publishEvents(List<Event> batch) {
    return events.accept(batch);
  }

  @Override
  public boolean acknowledges() {
    return true;
  }

  @Override
  public boolean concurrent() {
    return true;
  }

  /** Samples queued or being written now. */
  public int queuedSamples() {
    return samples.queued();
  }

  /** Estimated heap bytes of the samples queued or being written now. */
  public long queuedSampleBytes() {
    return samples.queuedBytes();
  }
}
