package dev.altimeter.collector.pipeline.route;

import dev.altimeter.collector.pipeline.transform.Transformer;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
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
 * starts when all publishers finished, so a slow publisher back-pressures its sink: the queue fills
 * and {@link #submit} then refuses with {@link SampleConsumer.Overloaded}.
 */
final class SinkRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(SinkRuntime.class);

  private record Work(List<Sample> samples, Sinks.One<Void> done) {}

  final String name;
  private final List<Transformer> transformers;
  private final List<NamedPublisher> publishers;
  private final Sinks.Many<Work> queue;
  private final Counter rejected;
  private final Counter transformErrors;
  private final Counter emitted;
  private final Disposable loop;
  private final Sinks.Empty<Void> terminated = Sinks.empty();

  SinkRuntime(String name, List<Transformer> transformers, List<NamedPublisher> publishers, int queueCapacity,
      MeterRegistry registry) {
    this.name = name;
    this.transformers = List.copyOf(transformers);
    this.publishers = List.copyOf(publishers);
    this.queue = Sinks.many().unicast().onBackpressureBuffer(Queues.<Work>get(queueCapacity).get());
    this.rejected = Counter.builder("altimeter.pipeline.rejected")
        .description("Samples refused because the sink's queue was full").tag("sink", name).register(registry);
    this.transformErrors = Counter.builder("altimeter.pipeline.transform.errors")
        .description("Samples dropped because a transformer failed on them").tag("sink", name).register(registry);
    this.emitted = Counter.builder("altimeter.pipeline.transformed")
        .description("Samples leaving the transformer chain towards the publishers").tag("sink", name)
        .register(registry);
    for (Transformer t : this.transformers) {
      FunctionCounter.builder("altimeter.pipeline.transform.evictions", t, Transformer::evictions)
          .description("Per-resource transformer state evicted (or samples refused) at its bound")
          .tags("sink", name, "transformer", t.name()).register(registry);
    }
    this.loop = queue.asFlux()
        .concatMap(w -> process(w.samples).doFinally(sig -> w.done.tryEmitEmpty()), 1)
        .doFinally(sig -> terminated.tryEmitEmpty())
        .subscribe();
  }

  /**
   * Queues a batch (possibly empty: the transformers are still flushed). The Mono completes when the
   * batch was published (publisher failures are counted, not propagated), or fails with
   * {@link SampleConsumer.Overloaded} when the queue is full. Thread-safe.
   */
  Mono<Void> submit(List<Sample> samples) {
    Sinks.One<Void> done = Sinks.one();
    Sinks.EmitResult r;
    synchronized (queue) { // serialises producers of the single-producer queue; no I/O inside
      r = queue.tryEmitNext(new Work(samples, done));
    }
    if (r.isFailure()) {
      rejected.increment(samples.size());
      return Mono.error(new SampleConsumer.Overloaded("sink '" + name + "' is full (" + r + ")"));
    }
    return done.asMono();
  }

  private Mono<Void> process(List<Sample> batch) {
    List<Sample> out;
    try {
      out = transform(batch);
    } catch (RuntimeException e) { // defensive: a bug must not stop the sink
      LOG.error("sink '{}': transformer chain failed on a batch of {}", name, batch.size(), e);
      return Mono.empty();
    }
    if (out.isEmpty()) return Mono.empty();
    emitted.increment(out.size());
    List<Sample> published = List.copyOf(out);
    return Flux.fromIterable(publishers)
        .flatMap(p -> publish(p, published))
        .then();
  }

  private Mono<Void> publish(NamedPublisher p, List<Sample> samples) {
    long start = System.nanoTime();
    return Mono.defer(() -> p.publisher.publishSamples(samples))
        .doOnSuccess(v -> {
          p.published.increment(samples.size());
          p.latency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        })
        .onErrorResume(e -> {
          p.failedBatches.increment();
          p.failedItems.increment(samples.size());
          LOG.warn("sink '{}': publisher {} failed on a batch of {} samples: {}", name, p.name, samples.size(),
              e.toString());
          return Mono.empty();
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

  /** Stops accepting; completes once queued batches are processed. */
  Mono<Void> drain() {
    synchronized (queue) {
      queue.tryEmitComplete();
    }
    return terminated.asMono();
  }

  List<NamedPublisher> publishers() {
    return publishers;
  }

  void dispose() {
    loop.dispose();
  }
}
