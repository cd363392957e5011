package dev.altimeter.collector.pipeline.route;

import dev.altimeter.collector.pipeline.transform.Transformer;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One sink at run time: its transformer chain and publishers behind a bounded queue of batches.
 *
 * <p>Batches are processed one at a time in submission order (Reactor {@code concatMap}), so the
 * transformers, which are not thread-safe, are only touched by one thread at a time with
 * happens-before between batches. For each batch: every sample goes through the chain, then each
 * transformer is flushed in order and what it releases enters the next transformer (Ceilometer's
 * {@code SampleSink.flush}); the surviving samples go to every publisher concurrently; a failing
 * publisher is counted and logged once per batch and does not affect the others. The next batch
 * starts when all one-batch-at-a-time publishers finished, so a slow publisher back-pressures its
 * sink: the queue fills and {@link #submit} then refuses with {@link SampleConsumer.Overloaded}.
 * Publishers that queue on their own ({@code concurrent()}, the store) take the next batch at
 * once and bound themselves; a batch's Mono still completes only when they finished it too. Processing runs on the
 * thread that submitted into an idle sink or that completed the previous batch's publishing.
 */
final class SinkRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(SinkRuntime.class);

  private record Work(List<Sample> samples, Sinks.One<Void> done) {}

  final String name;
  private final List<Transformer> transformers;
  private final List<NamedPublisher> publishers;
  private final int capacity;
  private final Queue<Work> pending = Queues.<Work>unboundedMultiproducer().get();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean busy; // a batch is being processed or published
  private volatile boolean closed;
  private final Sinks.Empty<Void> terminated = Sinks.empty();
  private final Counter rejected;
  private final Counter transformErrors;
  private final Counter emitted;
  private final Counter[] evictions;
  private final long[] evictionsSeen; // touched only by the serial processing

  SinkRuntime(String name, List<Transformer> transformers, List<NamedPublisher> publishers, int queueCapacity,
      MeterRegistry registry) {
    if (queueCapacity < 1) throw new IllegalArgumentException("queue capacity must be > 0: " + queueCapacity);
    this.name = name;
    this.transformers = List.copyOf(transformers);
    this.publishers = List.copyOf(publishers);
    this.capacity = queueCapacity;
    this.rejected = Counter.builder("altimeter.pipeline.rejected")
        .description("Samples refused because the sink's queue was full").tag("sink", name).register(registry);
    this.transformErrors = Counter.builder("altimeter.pipeline.transform.errors")
        .description("Samples dropped because a transformer failed on them").tag("sink", name).register(registry);
    this.emitted = Counter.builder("altimeter.pipeline.transformed")
        .description("Samples leaving the transformer chain towards the publishers").tag("sink", name)
        .register(registry);
    this.evictions = new Counter[this.transformers.size()];
    this.evictionsSeen = new long[this.transformers.size()];
    for (int i = 0; i < evictions.length; i++) {
      // a plain counter fed with deltas (not a FunctionCounter on the transformer), so that a
      // pipeline rebuilt on reload keeps counting into the same series
      evictions[i] = Counter.builder("altimeter.pipeline.transform.evictions")
          .description("Per-resource transformer state evicted (or samples refused) at its bound")
          .tags("sink", name, "transformer", this.transformers.get(i).name()).register(registry);
    }
  }

  /**
   * Queues a batch (possibly empty: the transformers are still flushed). The Mono completes when the
   * batch was published (publisher failures are counted, and propagated only for publishers that
   * {@linkplain dev.altimeter.collector.pipeline.publish.Publisher#acknowledges() acknowledge}), or fails with
   * {@link SampleConsumer.Overloaded} when {@code queueCapacity} batches already wait behind the one
   * in flight, or the sink is stopped. Thread-safe and lock-free; eager (the batch is queued at
   * call time, not at subscription).
   */
  Mono<Void> submit(List<Sample> samples) {
    if (closed) return Mono.error(new SampleConsumer.Overloaded("sink '" + name + "' is stopped"));
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      rejected.increment(samples.size());
      return Mono.error(new SampleConsumer.Overloaded("sink '" + name + "' is full (" + capacity + " batches queued)"));
    }
    Sinks.One<Void> done = Sinks.one();
    pending.offer(new Work(samples, done));
    drain();
    return done.asMono();
  }

  /**
   * Serial drain loop (the usual work-in-progress counter): whichever thread finds the sink idle
   * starts the next batch; a batch's completion re-enters here, so batches run one at a time, in
   * order, without recursion and without holding a lock while transforming or publishing.
   */
  private void drain() {
    if (wip.getAndIncrement() != 0) return;
    int missed = 1;
    do {
      if (!busy) {
        Work w = pending.poll();
        if (w != null) {
          queued.decrementAndGet();
          busy = true;
          Publishing p = process(w.samples);
          p.serial.subscribe(v -> { }, e -> finish(w, e, p.concurrent), () -> finish(w, null, p.concurrent));
        } else if (closed) {
          terminated.tryEmitEmpty();
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /**
   * A batch being published: {@code serial} holds the sink until it completes (publishers that take
   * one batch at a time); {@code concurrent} only holds the batch's acknowledgement (publishers that
   * {@linkplain dev.altimeter.collector.pipeline.publish.Publisher#concurrent() queue on their own}),
   * and is already running.
   */
  private record Publishing(Mono<Void> serial, Mono<Void> concurrent) {}

  private static final Publishing NOTHING = new Publishing(Mono.empty(), Mono.empty());

  private Publishing process(List<Sample> batch) {
    List<Sample> out;
    try {
      out = transform(batch);
    } catch (RuntimeException e) { // defensive: a bug must not stop the sink
      LOG.error("sink '{}': transformer chain failed on a batch of {}", name, batch.size(), e);
      return NOTHING;
    }
    if (out.isEmpty()) return NOTHING;
    emitted.increment(out.size());
    List<Sample> published = List.copyOf(out);
    List<Mono<Void>> serial = new ArrayList<>(publishers.size());
    List<Mono<Void>> concurrent = new ArrayList<>(1);
    for (NamedPublisher p : publishers) (p.publisher.concurrent() ? concurrent : serial).add(publish(p, published));
    Mono<Void> started = concurrent.isEmpty() ? Mono.empty()
        : Mono.whenDelayError(concurrent).onErrorMap(Failures::decisive).cache();
    started.subscribe(v -> { }, e -> { }); // start now; the outcome is read in finish()
    return new Publishing(Mono.whenDelayError(serial).onErrorMap(Failures::decisive), started);
  }

  private Mono<Void> publish(NamedPublisher p, List<Sample> samples) {
    long start = System.nanoTime();
    return Mono.defer(() -> p.publisher.publishSamples(samples))
        .doOnSuccess(v -> {
          p.published.increment(samples.size());
          p.latency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        })
        .onErrorResume(e -> {
          p.failed(samples.size(), e, LOG,
              () -> "sink '" + name + "': publisher " + p.name + " failed on a batch of " + samples.size() + " samples");
          return p.publisher.acknowledges() ? Mono.error(e) : Mono.empty();
        });
  }

  /** Runs the chain over a batch, then flushes it stage by stage. Not thread-safe: called serially. */
  List<Sample> transform(List<Sample> batch) {
    if (transformers.isEmpty()) return batch;
    List<Sample> out = new ArrayList<>(batch.size());
    for (Sample s : batch) chain(0, s, out);
    for (int i = 0; i < transformers.size(); i++) {
      List<Sample> released;
      try {
        released = transformers.get(i).flush();
      } catch (RuntimeException e) {
        transformErrors.increment();
        LOG.warn("sink '{}': transformer {} failed to flush: {}", name, transformers.get(i).name(), e.toString());
        continue;
      }
      for (Sample s : released) chain(i + 1, s, out);
    }
    for (int i = 0; i < evictions.length; i++) {
      long now = transformers.get(i).evictions();
      if (now > evictionsSeen[i]) {
        evictions[i].increment(now - evictionsSeen[i]);
        evictionsSeen[i] = now;
      }
    }
    return out;
  }

  private void chain(int from, Sample s, List<Sample> out) {
    if (from == transformers.size()) {
      out.add(s);
      return;
    }
    List<Sample> next;
    try {
      next = transformers.get(from).handle(s);
    } catch (RuntimeException e) {
      transformErrors.increment();
      return;
    }
    for (Sample n : next) chain(from + 1, n, out);
  }

  /** The sink is free for the next batch; the batch's own Mono waits for its concurrent publishers too. */
  private void finish(Work w, Throwable serialError, Mono<Void> concurrent) {
    busy = false;
    concurrent.subscribe(v -> { },
        e -> w.done.tryEmitError(serialError != null ? serialError : e),
        () -> {
          if (serialError == null) w.done.tryEmitEmpty(); else w.done.tryEmitError(serialError);
        });
    drain();
  }

  /** Stops accepting; completes once queued batches are processed. */
  Mono<Void> stop() {
    closed = true;
    drain();
    return terminated.asMono();
  }

  boolean isStopped() {
    return closed;
  }

    List<NamedPublisher> publishers() {
    return publishers;
  }

  /** Stops accepting; queued batches are still processed. */
  void dispose() {
    closed = true;
  }
}
