package dev.altimeter.collector.pipeline;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleStore;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The {@code database://} publisher: takes samples from any number of callers, gathers them into
 * batches and writes each batch to the {@link SampleStore} in one transaction, several batches
 * concurrently.
 *
 * <p>Bounded: at most {@code capacity} samples are queued or being written; a call that would go
 * past it fails at once with {@link SampleConsumer.Overloaded} and is counted, nothing is half
 * accepted. Each call's Mono completes when all its samples are committed (they may span batches),
 * or fails once with the first error. Thread-safe.
 *
 * <p>Lifecycle: {@link #start} subscribes the writer; {@link #stopIntake} refuses new samples;
 * {@link #drain} writes what is queued and completes when the last batch is committed.
 */
public final class StorePublisher implements SampleConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(StorePublisher.class);

  /**
   * @param capacity samples queued or in flight, at most
   * @param batchSize samples per store transaction, at most
   * @param maxDelay how long a sample may wait for its batch to fill
   * @param concurrency batches written at once (each holds one database connection)
   */
  public record Options(int capacity, int batchSize, Duration maxDelay, int concurrency) {
    public static final Options DEFAULTS = new Options(200_000, 2_000, Duration.ofMillis(20), 4);

    public Options {
      if (capacity < batchSize) throw new IllegalArgumentException("capacity must be >= batchSize");
      if (batchSize < 1 || concurrency < 1) throw new IllegalArgumentException("batchSize and concurrency must be >= 1");
    }
  }

  private record Item(Sample sample, Ack ack) {}

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

  private final SampleStore store;
  private final Options options;
  private final AtomicInteger queued = new AtomicInteger();
  private final Sinks.Many<Item> intake =
      Sinks.many().unicast().onBackpressureBuffer(Queues.<Item>unbounded(1024).get());
  private volatile boolean accepting = true;
  private Mono<Void> done;

  private final Counter accepted;
  private final Counter rejected;
  private final Counter stored;
  private final Counter duplicates;
  private final Counter failed;
  private final Timer batchLatency;
  private final DistributionSummary batchSizes;

  public StorePublisher(SampleStore store, Options options, MeterRegistry registry) {
    this.store = store;
    this.options = options;
    this.accepted = counter(registry, "accepted");
    this.rejected = counter(registry, "rejected");
    this.stored = counter(registry, "stored");
    this.duplicates = counter(registry, "duplicate");
    this.failed = counter(registry, "failed");
    this.batchLatency = Timer.builder("altimeter.store.batch.duration")
        .description("Time to write one batch of samples to the store").publishPercentileHistogram()
        .register(registry);
    this.batchSizes = DistributionSummary.builder("altimeter.store.batch.size")
        .description("Samples per store batch").baseUnit("samples").register(registry);
    Gauge.builder("altimeter.pipeline.queue.samples", queued, AtomicInteger::get)
        .description("Samples queued or being written by the store publisher").register(registry);
    Gauge.builder("altimeter.pipeline.queue.capacity", options, Options::capacity)
        .description("Capacity of the store publisher queue").register(registry);
  }

  private static Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("altimeter.pipeline.samples").tag("publisher", "database").tag("outcome", outcome)
        .description("Samples handled by the store publisher, by outcome").register(registry);
  }

  /** Starts the writer. Call once. */
  public synchronized StorePublisher start() {
    if (done != null) throw new IllegalStateException("already started");
    done = intake.asFlux()
        .bufferTimeout(options.batchSize(), options.maxDelay(), true)
        .flatMap(this::write, options.concurrency())
        .then()
        .cache();
    done.subscribe();
    return this;
  }

  @Override
  public Mono<Void> accept(List<Sample> samples) {
    if (samples.isEmpty()) return Mono.empty();
    return Mono.create(sink -> {
      int n = samples.size();
      if (!accepting) {
        rejected.increment(n);
        sink.error(new Overloaded("the pipeline is shutting down"));
        return;
      }
      if (!reserve(n)) {
        rejected.increment(n);
        sink.error(new Overloaded("the pipeline is full (" + options.capacity() + " samples queued)"));
        return;
      }
      accepted.increment(n);
      Ack ack = new Ack(sink, n);
      synchronized (intake) { // a unicast sink takes one emitter at a time
        for (Sample s : samples) {
          intake.emitNext(new Item(s, ack), Sinks.EmitFailureHandler.FAIL_FAST);
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

  private Mono<Void> write(List<Item> batch) {
    List<Sample> samples = new ArrayList<>(batch.size());
    for (Item i : batch) samples.add(i.sample);
    Timer.Sample timing = Timer.start();
    return store.write(samples)
        .doOnNext(n -> {
          timing.stop(batchLatency);
          batchSizes.record(samples.size());
          stored.increment(n);
          duplicates.increment(samples.size() - n);
          queued.addAndGet(-batch.size());
          for (Item i : batch) i.ack.stored();
        })
        .onErrorResume(e -> {
          failed.increment(samples.size());
          queued.addAndGet(-batch.size());
          LOG.warn("Could not store a batch of {} samples: {}", samples.size(), e.toString());
          for (Item i : batch) i.ack.fail(e);
          return Mono.empty();
        })
        .then();
  }

  /** Refuses new samples from now on; what was accepted is still written. */
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

  /** Samples queued or being written now. */
  public int queued() {
    return queued.get();
  }
}
