package dev.altimeter.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.Meter;
import dev.altimeter.storage.Resource;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class StorePublisherTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  static List<Sample> samples(String prefix, int n) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Sample.builder().meter("m").type(SampleType.GAUGE).unit("u").volume(i).resourceId(prefix + i)
          .timestamp(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(i)).build());
    }
    return out;
  }

  /** A store that records batches and completes each write when the test says so. */
  static final class GatedStore implements SampleStore {
    final List<List<Sample>> batches = new CopyOnWriteArrayList<>();
    final Sinks.Empty<Void> gate = Sinks.empty();
    volatile RuntimeException failure;

    @Override
    public Mono<Integer> write(List<Sample> samples) {
      batches.add(samples);
      return gate.asMono().then(Mono.defer(() -> failure != null ? Mono.error(failure) : Mono.just(samples.size())));
    }

    @Override public Flux<Sample> samples(SampleFilter f, int limit) { return Flux.empty(); }
    @Override public Mono<Sample> sample(UUID id) { return Mono.empty(); }
    @Override public Flux<Meter> meters(SampleFilter f, boolean unique, int limit) { return Flux.empty(); }
    @Override public Flux<Resource> resources(SampleFilter f, int limit) { return Flux.empty(); }
  }

  private double count(String outcome) {
    return registry.get("altimeter.pipeline.samples").tag("outcome", outcome).counter().count();
  }

  @Test
  void acknowledgesOnlyAfterTheStoreCommitted() {
    GatedStore store = new GatedStore();
    StorePublisher publisher = new StorePublisher(store, new BatchWriter.Options(100, 10, Duration.ofMillis(5), 2), registry).start();
    var ack = publisher.accept(samples("r", 3)).toFuture();
    // the batch reaches the store but is not committed yet
    Flux.interval(Duration.ofMillis(5)).takeUntil(t -> !store.batches.isEmpty()).blockLast(TIMEOUT);
    assertThat(ack).isNotDone();
    store.gate.tryEmitEmpty();
    Mono.fromFuture(ack).block(TIMEOUT);
    assertThat(count("stored")).isEqualTo(3);
    assertThat(publisher.queued()).isZero();
  }

  @Test
  void refusesWhatWouldOverflowTheQueueAndCountsIt() {
    GatedStore store = new GatedStore();
    StorePublisher publisher = new StorePublisher(store, new BatchWriter.Options(10, 5, Duration.ofMillis(5), 1), registry).start();
    var first = publisher.accept(samples("a", 8)).toFuture();
    assertThatThrownBy(() -> publisher.accept(samples("b", 3)).block(TIMEOUT))
        .isInstanceOf(SampleConsumer.Overloaded.class);
    assertThat(count("rejected")).isEqualTo(3);
    assertThat(count("accepted")).isEqualTo(8);
    store.gate.tryEmitEmpty();
    Mono.fromFuture(first).block(TIMEOUT);
    // room again once written
    publisher.accept(samples("c", 10)).block(TIMEOUT);
    assertThat(store.batches.stream().mapToInt(List::size).sum()).isEqualTo(18);
    // a call bigger than the batch size is one transaction of its own, never split
    assertThat(store.batches).extracting(List::size).containsExactly(8, 10);
  }

  @Test
  void storeFailureFailsTheCallersAndIsCounted() {
    GatedStore store = new GatedStore();
    store.failure = new IllegalStateException("database down");
    store.gate.tryEmitEmpty();
    StorePublisher publisher = new StorePublisher(store, new BatchWriter.Options(100, 10, Duration.ofMillis(5), 1), registry).start();
    assertThatThrownBy(() -> publisher.accept(samples("r", 4)).block(TIMEOUT)).hasMessageContaining("database down");
    // the caller fails with the first failed batch; the 4 samples may span several batches
    Flux.interval(Duration.ofMillis(5)).takeUntil(t -> count("failed") >= 4).blockLast(TIMEOUT);
    assertThat(count("failed")).isEqualTo(4);
    assertThat(publisher.queued()).isZero();
    // the writer survives a failed batch
    store.failure = null;
    publisher.accept(samples("s", 2)).block(TIMEOUT);
    assertThat(count("stored")).isEqualTo(2);
  }

  @Test
  void drainWritesEverythingAcceptedThenRefuses() {
    GatedStore store = new GatedStore();
    StorePublisher publisher = new StorePublisher(store, new BatchWriter.Options(1000, 100, Duration.ofSeconds(10), 1), registry).start();
    var ack = publisher.accept(samples("r", 7)).toFuture();
    store.gate.tryEmitEmpty();
    // the batch would wait 10 s to fill; drain flushes it now
    publisher.drain().block(TIMEOUT);
    assertThat(ack).isCompleted();
    assertThatThrownBy(() -> publisher.accept(samples("late", 1)).block(TIMEOUT))
        .isInstanceOf(SampleConsumer.Overloaded.class).hasMessageContaining("shutting down");
  }

  @Test
  void writesThroughToARealPostgres() {
    TestPostgres.truncate();
    SampleStore store = TestPostgres.storage().store();
    StorePublisher publisher = new StorePublisher(store, new BatchWriter.Options(10_000, 500, Duration.ofMillis(5), 4), registry).start();
    Flux.range(0, 20).flatMap(i -> publisher.accept(samples("r" + i + "-", 250)), 20).blockLast(TIMEOUT);
    assertThat(store.samples(SampleFilter.ALL, 10_000).count().block(TIMEOUT)).isEqualTo(5000);
    // redelivery of the same samples stores nothing new
    List<Sample> again = samples("r0-", 250);
    publisher.accept(again).block(TIMEOUT);
    assertThat(count("duplicate")).isEqualTo(0); // new ids: builder draws fresh message ids
    assertThat(store.samples(SampleFilter.ALL, 10_000).count().block(TIMEOUT)).isEqualTo(5250);
    publisher.accept(again).block(TIMEOUT);
    assertThat(count("duplicate")).isEqualTo(250);
    assertThat(store.samples(SampleFilter.ALL, 10_000).count().block(TIMEOUT)).isEqualTo(5250);
  }
}
