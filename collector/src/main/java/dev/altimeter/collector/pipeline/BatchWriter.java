package dev.altimeter.collector.pipeline;

import dev.altimeter.storage.SampleConsumer.Overloaded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Takes items (samples, events) from any number of callers, gathers them into batches and writes
 * each batch with one call of the store (one transaction), several batches concurrently.
 *
 * <p>Bounded: at most {@code capacity} items are queued or being written; a call that would go past
 * it fails at once with {@link Overloaded} and is counted, nothing is half accepted. Each call's
 * Mono completes when all its items are committed (they may span batches), or fails once with the
 * first error. Thread-safe.
 *
 * <p>Lifecycle: {@link #start} subscribes the writer; {@link #stopIntake} refuses new items;
 * {@link #drain} writes what is queued and completes when the last batch is committed.
 *
 * <p>Metrics, with {@code <kind>} e.g. {@code samples}: counter {@code altimeter.pipeline.<kind>}
 * by {@code outcome} (accepted, rejected, stored, duplicate, failed), gauges {@code
 * altimeter.pipeline.queue.<kind>} and {@code altimeter.pipeline.queue.<kind>.capacity}, timer
 * {@code altimeter.store.batch.duration} and summary {@code altimeter.store.batch.size} by {@code kind}.
 *
 * @param <T> what is written
 */
public final class BatchWriter<T> {
  private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

  /**
   * @param capacity items queued or in flight, at most
   * @param batchSize items per store transaction, at most
   * @param maxDelay how long an item may wait for its batch to fill
   * @param concurrency batches written at once (each holds one database connection)
   */
  public record Options(int capacity, int batchSize, Duration maxDelay, int concurrency) {
    public static final Options DEFAULTS = new Options(200_000, 2_000, Duration.ofMillis(20), 4);

    public Options {
      if (capacity < batchSize) throw new IllegalArgumentException("capacity must be >= batchSize");
      if (batchSize < 1 || concurrency < 1) throw new IllegalArgumentException("batchSize and concurrency must be >= 1");
    }
  }

  private record Item<T>(T value, Ack ack) {}

  /** Completes one caller's Mono when its last sample is stored; fails it at most once. */
  private static final class Ack {
    private final MonoSink<Void> sink;
    private final AtomicInteger remaining;
    private final AtomicBoolean failed = new AtomicBoolean();

    Ack(MonoSink<Void> sink, int count) {
      this.sink = sink;
      this.remaining = new AtomicInteger(count);
    }

    void stored() {
      if (remaining.decrementAndGet() == 0 && !failed.get()) sink.success();
    }

    void fail(Throwable e) {
      if (failed.compareAndSet(false, true)) sink.error(e);
    }
  }

  private final String kind;
  private final Function<List<T>, Mono<Integer>> store;
  private final Options options;
  private final AtomicInteger queued = new AtomicInteger();
  private final Sinks.Many<Item<T>> intake =
      Sinks.many().unicast().onBackpressureBuffer(Queues.<Item<T>>unbounded(1024).get());
  private volatile boolean accepting = true;
  private Mono<Void> done;

  private final Counter accepted;
  private final Counter rejected;
  private final Counter stored;
  private final Counter duplicates;
  private final Counter failed;
  private final Timer batchLatency;
  private final DistributionSummary batchSizes;

  /**
   * @param kind what is written, plural ({@code samples}, {@code events}): names the metrics
   * @param store writes one batch atomically and returns how many items were new
   */
  public BatchWriter(String kind, Function<List<T>, Mono<Integer>> store, Options options, MeterRegistry registry) {
    this.kind = kind;
    this.store = store;
    this.options = options;
    this.accepted = counter(registry, "accepted");
    this.rejected = counter(registry, "rejected");
    this.stored = counter(registry, "stored");
    this.duplicates = counter(registry, "duplicate");
    this.failed = counter(registry, "failed");
    this.batchLatency = Timer.builder("altimeter.store.batch.duration").tag("kind", kind)
        .description("Time to write one batch to the store").publishPercentileHistogram()
        .register(registry);
    this.batchSizes = DistributionSummary.builder("altimeter.store.batch.size").tag("kind", kind)
        .description("Items per store batch").register(registry);
    Gauge.builder("altimeter.pipeline.queue." + kind, queued, AtomicInteger::get)
        .description("Items queued or being written to the store").register(registry);
    Gauge.builder("altimeter.pipeline.queue." + kind + ".capacity", options, Options::capacity)
        .description("Items that may be queued or being written to the store, at most").register(registry);
  }

  private Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("altimeter.pipeline." + kind).tag("publisher", "database").tag("outcome", outcome)
        .description("Items handled by the store writer, by outcome").register(registry);
  }

  /** Starts the writer. Call once. */
  public synchronized BatchWriter<T> start() {
    if (done != null) throw new IllegalStateException("already started");
    done = intake.asFlux()
        // Not the fair-backpressure variant of bufferTimeout: under load it kept a partial batch
        // forever (the notification benchmark stalled with 500 events queued, never written, and
        // their notifications unacknowledged). Batches are emitted as they fill or time out and wait
        // here for a writer; that queue is bounded by the capacity accept() reserves.
        .bufferTimeout(options.batchSize(), options.maxDelay())
        .onBackpressureBuffer()
        .flatMap(this::write, options.concurrency())
        .then()
        .cache();
    done.subscribe();
    return this;
  }

  /** Queues the items; the Mono completes when all of them are committed. */
  public Mono<Void> accept(List<T> items) {
    if (items.isEmpty()) return Mono.empty();
    return Mono.create(sink -> {
      int n = items.size();
      if (!accepting) {
        rejected.increment(n);
        sink.error(new Overloaded("the pipeline is shutting down"));
        return;
      }
      if (!reserve(n)) {
        rejected.increment(n);
        sink.error(new Overloaded("the pipeline is full (" + options.capacity() + " " + kind + " queued)"));
        return;
      }
      accepted.increment(n);
      Ack ack = new Ack(sink, n);
      synchronized (intake) { // a unicast sink takes one emitter at a time
        for (T item : items) {
          intake.emitNext(new Item<>(item, ack), Sinks.EmitFailureHandler.FAIL_FAST);
        }
      }
    });
  }

  private boolean reserve(int n) {
    while (true) {
      int q = queued.get();
      if (q + n > options.capacity()) return false;
      if (queued.compareAndSet(q, q + n)) return true;
    }
  }

  private Mono<Void> write(List<Item<T>> batch) {
    List<T> values = new ArrayList<>(batch.size());
    for (Item<T> i : batch) values.add(i.value);
    Timer.Sample timing = Timer.start();
    return Mono.defer(() -> store.apply(values))
        .doOnNext(n -> {
          timing.stop(batchLatency);
          batchSizes.record(values.size());
          stored.increment(n);
          duplicates.increment(values.size() - n);
          queued.addAndGet(-batch.size());
          for (Item<T> i : batch) i.ack.stored();
        })
        .onErrorResume(e -> {
          failed.increment(values.size());
          queued.addAndGet(-batch.size());
          LOG.warn("Could not store a batch of {} {}: {}", values.size(), kind, e.toString());
          for (Item<T> i : batch) i.ack.fail(e);
          return Mono.empty();
        })
        .then();
  }

  /** Refuses new items from now on; what was accepted is still written. */
  public void stopIntake() {
    accepting = false;
  }

  /** Stops intake, writes everything queued, and completes when the last batch is committed. */
  public synchronized Mono<Void> drain() {
    stopIntake();
    if (done == null) return Mono.empty();
    synchronized (intake) {
      intake.tryEmitComplete();
    }
    return done;
  }

  /** Items queued or being written now. */
  public int queued() {
    return queued.get();
  }
}
