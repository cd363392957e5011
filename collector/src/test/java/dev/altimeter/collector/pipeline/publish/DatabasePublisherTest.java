package dev.altimeter.collector.pipeline.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.Event;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The {@code database://} publisher: acknowledge-on-commit, bounds, failures, drain, against gated stores and a real PostgreSQL. */
class DatabasePublisherTest {
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

  /** Samples into {@code store}; events stored nowhere (counted as new). */
  private DatabasePublisher publisher(SampleStore store, DatabasePublisher.Options options) {
    return new DatabasePublisher(store::write, events -> Mono.just(events.size()), options, registry).startWriters();
  }

  private double count(String outcome) {
    return registry.get("altimeter.pipeline.samples").tag("outcome", outcome).counter().count();
  }

  @Test
  void acknowledgesOnlyAfterTheStoreCommitted() {
    GatedStore store = new GatedStore();
    DatabasePublisher publisher = publisher(store, new DatabasePublisher.Options(100, 10, Duration.ofMillis(5), 2));
    var ack = publisher.publishSamples(samples("r", 3)).toFuture();
    // the batch reaches the store but is not committed yet
    Flux.interval(Duration.ofMillis(5)).takeUntil(t -> !store.batches.isEmpty()).blockLast(TIMEOUT);
    assertThat(ack).isNotDone();
    store.gate.tryEmitEmpty();
    Mono.fromFuture(ack).block(TIMEOUT);
    assertThat(count("stored")).isEqualTo(3);
    assertThat(publisher.queuedSamples()).isZero();
  }

  @Test
  void refusesWhatWouldOverflowTheQueueAndCountsIt() {
    GatedStore store = new GatedStore();
    DatabasePublisher publisher = publisher(store, new DatabasePublisher.Options(10, 5, Duration.ofMillis(5), 1));
    var first = publisher.publishSamples(samples("a", 8)).toFuture();
    assertThatThrownBy(() -> publisher.publishSamples(samples("b", 3)).block(TIMEOUT))
        .isInstanceOf(SampleConsumer.Overloaded.class);
    assertThat(count("rejected")).isEqualTo(3);
    assertThat(count("accepted")).isEqualTo(8);
    store.gate.tryEmitEmpty();
    Mono.fromFuture(first).block(TIMEOUT);
    // room again once written
    publisher.publishSamples(samples("c", 10)).block(TIMEOUT);
    assertThat(store.batches.stream().mapToInt(List::size).sum()).isEqualTo(18);
    // a call bigger than the batch size is one transaction of its own, never split
    assertThat(store.batches).extracting(List::size).containsExactly(8, 10);
  }

  @Test
  void storeFailureFailsTheCallersAndIsCounted() {
    GatedStore store = new GatedStore();
    store.failure = new IllegalStateException("database down");
    store.gate.tryEmitEmpty();
    DatabasePublisher publisher = publisher(store, new DatabasePublisher.Options(100, 10, Duration.ofMillis(5), 1));
    assertThatThrownBy(() -> publisher.publishSamples(samples("r", 4)).block(TIMEOUT)).hasMessageContaining("database down");
    // the caller fails with the first failed batch; the 4 samples may span several batches
    Flux.interval(Duration.ofMillis(5)).takeUntil(t -> count("failed") >= 4).blockLast(TIMEOUT);
    assertThat(count("failed")).isEqualTo(4);
    assertThat(publisher.queuedSamples()).isZero();
    // the writer survives a failed batch
    store.failure = null;
    publisher.publishSamples(samples("s", 2)).block(TIMEOUT);
    assertThat(count("stored")).isEqualTo(2);
  }

  @Test
  void drainWritesEverythingAcceptedThenRefuses() {
    GatedStore store = new GatedStore();
    DatabasePublisher publisher = publisher(store, new DatabasePublisher.Options(1000, 100, Duration.ofSeconds(10), 1));
    var ack = publisher.publishSamples(samples("r", 7)).toFuture();
    store.gate.tryEmitEmpty();
    // the batch would wait 10 s to fill; drain flushes it now
    publisher.drain().block(TIMEOUT);
    assertThat(ack).isCompleted();
    assertThatThrownBy(() -> publisher.publishSamples(samples("late", 1)).block(TIMEOUT))
        .isInstanceOf(SampleConsumer.Overloaded.class).hasMessageContaining("shutting down");
  }

  @Test
  void writesThroughToARealPostgres() {
    TestPostgres.truncate();
    SampleStore store = TestPostgres.storage().store();
    DatabasePublisher publisher = publisher(store, new DatabasePublisher.Options(10_000, 500, Duration.ofMillis(5), 4));
    Flux.range(0, 20).flatMap(i -> publisher.publishSamples(samples("r" + i + "-", 250)), 20).blockLast(TIMEOUT);
    assertThat(store.samples(SampleFilter.ALL, 10_000).count().block(TIMEOUT)).isEqualTo(5000);
    // redelivery of the same samples stores nothing new
    List<Sample> again = samples("r0-", 250);
    publisher.publishSamples(again).block(TIMEOUT);
    assertThat(count("duplicate")).isEqualTo(0); // new ids: builder draws fresh message ids
    assertThat(store.samples(SampleFilter.ALL, 10_000).count().block(TIMEOUT)).isEqualTo(5250);
    publisher.publishSamples(again).block(TIMEOUT);
    assertThat(count("duplicate")).isEqualTo(250);
    assertThat(store.samples(SampleFilter.ALL, 10_000).count().block(TIMEOUT)).isEqualTo(5250);
  }

  @Test
  void everyUrlGetsTheOnePublisherAndDrainWaitsForTheEventsToo() {
    Sinks.Empty<Void> eventGate = Sinks.empty();
    DatabasePublisher publisher = new DatabasePublisher(batch -> Mono.just(batch.size()),
        batch -> eventGate.asMono().thenReturn(batch.size()), new DatabasePublisher.Options(100, 10, Duration.ofMillis(1), 1),
        registry).startWriters();
    assertThat(publisher.factory().create(PublisherUrl.parse("database://"), null)).isSameAs(publisher);
    assertThat(publisher.factory().create(PublisherUrl.parse("database://?x=1"), null)).isSameAs(publisher);
    var event = publisher.publishEvents(List.of(new Event("e1", "image.upload", Instant.EPOCH, List.of(), Map.of())))
        .toFuture();
    publisher.publishSamples(samples("r", 2)).block(TIMEOUT);
    var drained = publisher.drain().toFuture();
    // the samples are committed, the event is not: drain waits for it
    assertThat(drained).isNotDone();
    assertThatThrownBy(() -> publisher.publishEvents(List.of(new Event("e2", "image.upload", Instant.EPOCH, List.of(),
        Map.of()))).block(TIMEOUT)).isInstanceOf(SampleConsumer.Overloaded.class);
    eventGate.tryEmitEmpty();
    Mono.fromFuture(drained).block(TIMEOUT);
    assertThat(event).isCompleted();
    assertThat(registry.get("altimeter.pipeline.events").tag("outcome", "stored").counter().count()).isEqualTo(1);
  }
}
