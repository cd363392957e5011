package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.SampleConsumer.Overloaded;
import dev.altimeter.storage.SampleConsumer.TooLarge;
import dev.altimeter.storage.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * The generic batching engine behind {@link DatabasePublisher}: takes items (samples, events) from any number of callers, gathers whole calls into batches and
 * writes each batch with one call of the store (one transaction), several batches concurrently.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Bounded: at most {@code capacity} items and {@code capacityBytes} estimated heap bytes
 *       (the weigher's estimate of what each item holds, metadata included) are queued or being
 *       written; a call that would go past either fails at once with {@link Overloaded}, one that
 *       is bigger than either capacity with {@link TooLarge} (it could never fit); both are counted
 *       as rejected, nothing is half accepted.</li>
 *   <li>A call is stored all-or-nothing: its items are never split across batches (a call bigger
 *       than {@code batchSize} is a batch of its own). Its Mono completes when they are committed,
 *       or fails with the store's error.</li>
 *   <li>Latency: a batch is cut as soon as {@code batchSize} items wait, or when the oldest waiting
 *       call has waited {@code maxDelay}, whatever arrives after it; only a lack of free writers
 *       (all {@code concurrency} busy: back-pressure) makes it wait longer.</li>
 *   <li>Isolation: when a batch of several calls fails with {@link StoreException.InvalidData} (one
 *       call's values were refused), each of its calls is written again alone, so only the guilty
 *       ones fail. Any other failure ({@link StoreException.Unavailable}, a bug) fails every call of
 *       the batch with it.</li>
 * </ul>
 *
 * <p>How: a queue of whole calls (bounded by the capacity reserved in {@link #accept}) and a serial
 * drain loop (a work-in-progress counter, so exactly one thread runs it at a time, without a lock)
 * that cuts batches; it runs when a call arrives, when a write ends, and when a timer armed for the
 * oldest waiting call fires. Nothing blocks; the timers run on Reactor's parallel scheduler.
 *
 * <p>Lifecycle: {@link #start} lets batches be written; {@link #stopIntake} refuses new items;
 * {@link #drain} writes what is queued at once and completes when the last batch is committed.
 *
 * <p>Metrics, with {@code <kind>} e.g. {@code samples}: counter {@code altimeter.pipeline.<kind>}
 * by {@code outcome} (accepted, rejected, stored, duplicate, failed), gauges {@code
 * altimeter.pipeline.queue.<kind>} and {@code altimeter.pipeline.queue.<kind>.capacity} (items), {@code
 * altimeter.pipeline.queue.<kind>.bytes} and {@code altimeter.pipeline.queue.<kind>.capacity.bytes}
 * (estimated heap bytes), timer
 * {@code altimeter.store.batch.duration}, summary {@code altimeter.store.batch.size} and counter
 * {@code altimeter.store.batch.isolated} (batches retried call by call) by {@code kind}.
 *
 * @param <T> what is written
 */
final class BatchWriter<T> {
  private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

  /** One accept() call: written in one transaction, answered once. */
  private record Call<T>(List<T> items, long bytes, MonoSink<Void> sink, long arrived) {}

  private final String kind;
  private final Function<List<T>, Mono<Integer>> store;
  private final ToLongFunction<? super T> weigher;
  private final DatabasePublisher.Options options;
  private final long delayNanos;
  private final Scheduler timers = Schedulers.parallel();
  /** Items reserved: queued or being written. Bounds {@link #calls}. */
  private final AtomicInteger queued = new AtomicInteger();
  /** Estimated heap bytes of the items reserved; reserved and released with {@link #queued}. */
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Queue<Call<T>> calls = Queues.<Call<T>>unboundedMultiproducer().get();
  /** Items in {@link #calls}; read by the drain loop to cut full batches. */
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger writing = new AtomicInteger();
  private final AtomicInteger wip = new AtomicInteger();
  private final Sinks.Empty<Void> drained = Sinks.empty();
  private volatile boolean started;
  private volatile boolean accepting = true;
  private volatile boolean closing;
  private volatile boolean timerArmed;

  private final Counter accepted;
  private final Counter rejected;
  private final Counter stored;
  private final Counter duplicates;
  private final Counter failed;
  private final Counter isolated;
  private final Timer batchLatency;
  private final DistributionSummary batchSizes;

  /**
   * @param kind what is written, plural ({@code samples}, {@code events}): names the metrics
   * @param store writes one batch atomically and returns how many items were new; fails with a
   *     {@link StoreException} when the values or the store are at fault
   */
  BatchWriter(String kind, Function<List<T>, Mono<Integer>> store, DatabasePublisher.Options options, MeterRegistry registry) {
    this(kind, store, item -> 0, options, registry);
  }

  /**
   * @param weigher estimated heap bytes one item holds while queued (see {@link HeapEstimate});
   *     bounded by {@link DatabasePublisher.Options#capacityBytes}
   */
  BatchWriter(String kind, Function<List<T>, Mono<Integer>> store, ToLongFunction<? super T> weigher,
      DatabasePublisher.Options options, MeterRegistry registry) {
    this.kind = kind;
    this.store = store;
    this.weigher = weigher;
    this.options = options;
    this.delayNanos = options.maxDelay().toNanos();
    this.accepted = counter(registry, "accepted");
    this.rejected = counter(registry, "rejected");
    this.stored = counter(registry, "stored");
    this.duplicates = counter(registry, "duplicate");
    this.failed = counter(registry, "failed");
    this.isolated = Counter.builder("altimeter.store.batch.isolated").tag("kind", kind)
        .description("Batches refused for one call's data and written again call by call").register(registry);
    this.batchLatency = Timer.builder("altimeter.store.batch.duration").tag("kind", kind)
        .description("Time to write one batch to the store").publishPercentileHistogram()
        .register(registry);
    this.batchSizes = DistributionSummary.builder("altimeter.store.batch.size").tag("kind", kind)
        .description("Items per store batch").register(registry);
    Gauge.builder("altimeter.pipeline.queue." + kind, queued, AtomicInteger::get)
        .description("Items queued or being written to the store").register(registry);
    Gauge.builder("altimeter.pipeline.queue." + kind + ".capacity", options, DatabasePublisher.Options::capacity)
        .description("Items that may be queued or being written to the store, at most").register(registry);
    Gauge.builder("altimeter.pipeline.queue." + kind + ".bytes", queuedBytes, AtomicLong::get).baseUnit("bytes")
        .description("Estimated heap bytes of the items queued or being written to the store").register(registry);
    Gauge.builder("altimeter.pipeline.queue." + kind + ".capacity.bytes", options, DatabasePublisher.Options::capacityBytes)
        .baseUnit("bytes").description("Estimated heap bytes that may be queued or being written, at most")
        .register(registry);
  }

  private Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("altimeter.pipeline." + kind).tag("publisher", "database").tag("outcome", outcome)
        .description("Items handled by the store writer, by outcome").register(registry);
  }

  /** Lets batches be written (calls accepted before wait for it). Call once. */
  synchronized BatchWriter<T> start() {
    if (started) throw new IllegalStateException("already started");
    started = true;
    drainLoop();
    return this;
  }

  /** Queues the items as one call; the Mono completes when all of them are committed. */
  Mono<Void> accept(List<T> items) {
    if (items.isEmpty()) return Mono.empty();
    List<T> call = List.copyOf(items);
    return Mono.create(sink -> {
      int n = call.size();
      long bytes = 0;
      for (T item : call) bytes += weigher.applyAsLong(item);
      if (n > options.capacity() || bytes > options.capacityBytes()) {
        rejected.increment(n);
        sink.error(new TooLarge(n + " " + kind + " (about " + bytes + " bytes) in one call, more than the store"
            + " writer ever holds (" + options.capacity() + ", " + options.capacityBytes() + " bytes); split it"));
        return;
      }
      if (!reserve(n)) {
        rejected.increment(n);
        sink.error(new Overloaded("the pipeline is full (" + options.capacity() + " " + kind + " queued)"));
        return;
      }
      if (!reserveBytes(bytes)) {
        queued.addAndGet(-n);
        rejected.increment(n);
        sink.error(new Overloaded("the pipeline is full (" + options.capacityBytes() + " bytes of " + kind + " queued)"));
        drainLoop(); // drain() may be waiting for the item reservation to go
        return;
      }
      // checked after reserving: drain() sees either this reservation or, here, the closed intake
      if (!accepting) {
        queuedBytes.addAndGet(-bytes);
        queued.addAndGet(-n);
        rejected.increment(n);
        sink.error(new Overloaded("the pipeline is shutting down"));
        drainLoop(); // drain() may be waiting for this reservation to go
        return;
      }
      accepted.increment(n);
      calls.offer(new Call<>(call, bytes, sink, System.nanoTime()));
      waiting.addAndGet(n);
      drainLoop();
    });
  }

  private boolean reserve(int n) {
    while (true) {
      int q = queued.get();
      if (q + n > options.capacity()) return false;
      if (queued.compareAndSet(q, q + n)) return true;
    }
  }

  private boolean reserveBytes(long n) {
    while (true) {
      long q = queuedBytes.get();
      if (q + n > options.capacityBytes()) return false;
      if (queuedBytes.compareAndSet(q, q + n)) return true;
    }
  }

  /**
   * Cuts and starts every batch that is due while a writer is free, then arms the timer for the
   * oldest call left. Serial: whichever thread finds it idle runs it for everyone who asked meanwhile.
   */
  private void drainLoop() {
    if (wip.getAndIncrement() != 0) return;
    int missed = 1;
    do {
      if (started) {
        long now = System.nanoTime();
        while (writing.get() < options.concurrency()) {
          Call<T> head = calls.peek();
          if (head == null) break;
          boolean due = closing || waiting.get() >= options.batchSize() || now - head.arrived >= delayNanos;
          if (!due) break;
          writing.incrementAndGet();
          write(cut());
        }
        Call<T> oldest = calls.peek();
        if (oldest != null && !timerArmed && writing.get() < options.concurrency()) {
          // with every writer busy no timer is needed: the end of a write runs this loop again
          timerArmed = true;
          long wait = Math.max(0, oldest.arrived + delayNanos - now);
          timers.schedule(() -> {
            timerArmed = false;
            drainLoop();
          }, wait, TimeUnit.NANOSECONDS);
        }
      }
      if (closing && queued.get() == 0) drained.tryEmitEmpty();
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /** Takes whole calls from the head, up to batchSize items (at least one call, whatever its size). */
  private List<Call<T>> cut() {
    List<Call<T>> batch = new ArrayList<>();
    int size = 0;
    Call<T> next;
    while ((next = calls.peek()) != null && (batch.isEmpty() || size + next.items.size() <= options.batchSize())) {
      calls.poll();
      batch.add(next);
      size += next.items.size();
    }
    waiting.addAndGet(-size);
    return batch;
  }

  private void write(List<Call<T>> batch) {
    Mono<Void> work = batch.size() == 1 ? writeAlone(batch.get(0)) : writeTogether(batch);
    // every outcome is handled inside work; the error path only guards the writer slot against a bug
    work.subscribe(null, e -> {
      LOG.error("store writer for {}: unexpected failure", kind, e);
      written();
    }, this::written);
  }

  private void written() {
    writing.decrementAndGet();
    drainLoop();
  }

  /** The calls in one transaction; if one call's values are refused, each call again alone. */
  private Mono<Void> writeTogether(List<Call<T>> batch) {
    List<T> values = new ArrayList<>();
    for (Call<T> c : batch) values.addAll(c.items);
    return attempt(values)
        .doOnNext(n -> {
          for (Call<T> c : batch) settle(c);
        })
        .then()
        .onErrorResume(StoreException.InvalidData.class, e -> {
          isolated.increment();
          LOG.debug("A batch of {} {} from {} calls was refused for its data ({}); writing each call alone",
              values.size(), kind, batch.size(), e.getMessage());
          return Flux.fromIterable(batch).concatMap(this::writeAlone).then();
        })
        .onErrorResume(e -> {
          fail(batch, e);
          return Mono.empty();
        });
  }

  private Mono<Void> writeAlone(Call<T> call) {
    return attempt(call.items)
        .doOnNext(n -> settle(call))
        .then()
        .onErrorResume(e -> {
          fail(List.of(call), e);
          return Mono.empty();
        });
  }

  /** One store call, timed and counted when it commits. */
  private Mono<Integer> attempt(List<T> values) {
    Timer.Sample timing = Timer.start();
    return Mono.defer(() -> store.apply(values))
        .doOnNext(n -> {
          timing.stop(batchLatency);
          batchSizes.record(values.size());
          stored.increment(n);
          duplicates.increment(values.size() - n);
        });
  }

  private void settle(Call<T> call) {
    queuedBytes.addAndGet(-call.bytes);
    queued.addAndGet(-call.items.size());
    call.sink.success();
  }

  private void fail(List<Call<T>> batch, Throwable e) {
    int n = 0;
    for (Call<T> c : batch) n += c.items.size();
    failed.increment(n);
    if (e instanceof StoreException.InvalidData) {
      // the caller is told why (HTTP 400, a dead letter with the reason) and it is counted
      LOG.debug("Refused {} {} for their data: {}", n, kind, e.getMessage());
    } else {
      LOG.warn("Could not store a batch of {} {}: {}", n, kind, e.toString());
    }
    for (Call<T> c : batch) {
      queuedBytes.addAndGet(-c.bytes);
      queued.addAndGet(-c.items.size());
      c.sink.error(e);
    }
  }

  /** Refuses new items from now on; what was accepted is still written. */
  void stopIntake() {
    accepting = false;
  }

  /** Stops intake, writes everything queued now, and completes when the last batch is committed. */
  synchronized Mono<Void> drain() {
    stopIntake();
    if (!started) return Mono.empty();
    closing = true;
    drainLoop();
    return drained.asMono();
  }

  /** Items queued or being written now. */
  int queued() {
    return queued.get();
  }

  /** Estimated heap bytes of the items queued or being written now. */
  long queuedBytes() {
    return queuedBytes.get();
  }
}
