package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The contract of {@link SampleStore}: every implementation extends this class and must pass it, as
 * Zipkin's {@code ITStorage} does for span stores.
 */
public abstract class SampleStoreTestKit {
  protected static final Instant T0 = Instant.parse("2024-03-01T10:00:00.123456Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The store under test. */
  protected abstract SampleStore store();

  /** Removes everything the previous test stored. */
  protected abstract void clear();

  @BeforeEach
  void clearStore() {
    clear();
  }

  protected static Sample.Builder sample(String meter, String resource, Instant ts, double volume) {
    return Sample.builder().meter(meter).type(SampleType.GAUGE).unit("u").volume(volume)
        .resourceId(resource).userId("user-1").projectId("project-1").source("openstack")
        .timestamp(ts).resourceMetadata(Map.of("flavor", Map.of("name", "m1.small", "vcpus", 2),
            "state", "active"));
  }

  protected List<Sample> write(Sample... samples) {
    store().write(List.of(samples)).block(TIMEOUT);
    return List.of(samples);
  }

  protected List<Sample> samples(SampleFilter filter, int limit) {
    return store().samples(filter, limit).collectList().block(TIMEOUT);
  }

  @Test
  public void writtenSampleReadsBackFieldForField() {
    Sample s = sample("cpu", "r1", T0, 12.5).type(SampleType.CUMULATIVE).unit("ns")
        .messageSignature("abc").build();
    assertThat(store().write(List.of(s)).block(TIMEOUT)).isEqualTo(1);

    Sample back = store().sample(s.messageId()).block(TIMEOUT);
    assertThat(back).isNotNull();
    assertThat(back.recordedAt()).isNotNull().isAfter(Instant.now().minusSeconds(60));
    assertThat(back.withRecordedAt(null)).isEqualTo(s);
    assertThat(back.timestamp()).isEqualTo(T0); // microseconds kept
  }

  @Test
  public void redeliveredMessageIdIsStoredOnce() {
    Sample s = sample("cpu", "r1", T0, 1).build();
    assertThat(store().write(List.of(s)).block(TIMEOUT)).isEqualTo(1);
    assertThat(store().write(List.of(s, sample("cpu", "r1", T0.plusSeconds(1), 2).build())).block(TIMEOUT))
        .isEqualTo(1);
    assertThat(samples(SampleFilter.ALL, 100)).hasSize(2);
  }

  @Test
  public void duplicateWithinOneBatchIsStoredOnce() {
    Sample s = sample("cpu", "r1", T0, 1).build();
    assertThat(store().write(List.of(s, s)).block(TIMEOUT)).isEqualTo(1);
    assertThat(samples(SampleFilter.ALL, 100)).hasSize(1);
  }

  @Test
  public void samplesComeNewestFirstThenInInsertionOrder() {
    Sample a = sample("cpu", "r1", T0, 1).build();
    Sample b = sample("cpu", "r2", T0.plusSeconds(5), 2).build();
    Sample c = sample("cpu", "r3", T0.plusSeconds(5), 3).build();
    write(a);
    write(b, c);
    assertThat(samples(SampleFilter.ALL, 100)).extracting(Sample::volume).containsExactly(2.0, 3.0, 1.0);
    assertThat(samples(SampleFilter.ALL, 2)).extracting(Sample::volume).containsExactly(2.0, 3.0);
  }

  @Test
  public void filtersByEveryField() {
    write(sample("cpu", "r1", T0, 1).build(),
        sample("cpu", "r2", T0.plusSeconds(10), 2).userId("user-2").projectId("project-2").source("other").build(),
        sample("memory", "r1", T0.plusSeconds(20), 3).userId(null).build());

    assertThat(volumes(SampleFilter.builder().meter("cpu").build())).containsExactly(2.0, 1.0);
    assertThat(volumes(SampleFilter.builder().resourceId("r1").build())).containsExactly(3.0, 1.0);
    assertThat(volumes(SampleFilter.builder().userId("user-2").build())).containsExactly(2.0);
    assertThat(volumes(SampleFilter.builder().userId(SampleFilter.NULL).build())).containsExactly(3.0);
    assertThat(volumes(SampleFilter.builder().projectId("project-1").build())).containsExactly(3.0, 1.0);
    assertThat(volumes(SampleFilter.builder().source("other").build())).containsExactly(2.0);
    assertThat(volumes(SampleFilter.builder().meter("cpu").resourceId("r2").build())).containsExactly(2.0);
    assertThat(volumes(SampleFilter.builder().meter("nothing").build())).isEmpty();
  }

  @Test
  public void timestampBoundsKeepTheirStrictness() {
    write(sample("cpu", "r1", T0, 1).build(), sample("cpu", "r1", T0.plusSeconds(10), 2).build(),
        sample("cpu", "r1", T0.plusSeconds(20), 3).build());
    Instant t10 = T0.plusSeconds(10);
    assertThat(volumes(SampleFilter.builder().start(t10, true).build())).containsExactly(3.0, 2.0);
    assertThat(volumes(SampleFilter.builder().start(t10, false).build())).containsExactly(3.0);
    assertThat(volumes(SampleFilter.builder().end(t10, true).build())).containsExactly(2.0, 1.0);
    assertThat(volumes(SampleFilter.builder().end(t10, false).build())).containsExactly(1.0);
    assertThat(volumes(SampleFilter.builder().start(T0, false).end(T0.plusSeconds(20), false).build()))
        .containsExactly(2.0);
  }

  @Test
  public void filtersByTypedMetadata() {
    write(sample("cpu", "r1", T0, 1).build(),
        sample("cpu", "r2", T0.plusSeconds(1), 2).resourceMetadata(
            Map.of("flavor", Map.of("name", "m1.large", "vcpus", 8), "state", "active", "ok", true)).build());
    assertThat(volumes(SampleFilter.builder().metadata("flavor.name", "m1.large").build())).containsExactly(2.0);
    assertThat(volumes(SampleFilter.builder().metadata("flavor.vcpus", 2L).build())).containsExactly(1.0);
    assertThat(volumes(SampleFilter.builder().metadata("flavor.vcpus", "2").build())).isEmpty();
    assertThat(volumes(SampleFilter.builder().metadata("ok", true).build())).containsExactly(2.0);
    assertThat(volumes(SampleFilter.builder().metadata("state", "active").build())).containsExactly(2.0, 1.0);
    assertThat(volumes(SampleFilter.builder().metadata("missing", "x").build())).isEmpty();
  }

  @Test
  public void malformedMessageIdMatchesNothing() {
    write(sample("cpu", "r1", T0, 1).build());
    assertThat(volumes(SampleFilter.builder().messageId("not-a-uuid").build())).isEmpty();
  }

  @Test
  public void unknownSampleIsEmpty() {
    assertThat(store().sample(UUID.randomUUID()).block(TIMEOUT)).isNull();
  }

  @Test
  public void metersAreOnePerMeterAndResourceFromTheNewestSample() {
    write(sample("cpu", "r1", T0, 1).build(),
        sample("cpu", "r1", T0.plusSeconds(60), 2).userId("newest-user").build(),
        sample("memory", "r1", T0, 3).unit("MB").build(),
        sample("cpu", "r2", T0, 4).build());
    List<Meter> meters = store().meters(SampleFilter.ALL, false, 100).collectList().block(TIMEOUT);
    assertThat(meters).extracting(Meter::name, Meter::resourceId, Meter::userId).containsExactly(
        org.assertj.core.groups.Tuple.tuple("cpu", "r1", "newest-user"),
        org.assertj.core.groups.Tuple.tuple("memory", "r1", "user-1"),
        org.assertj.core.groups.Tuple.tuple("cpu", "r2", "user-1"));
    assertThat(meters.get(1)).isEqualTo(new Meter("memory", SampleType.GAUGE, "MB", "r1", "project-1",
        "user-1", "openstack"));

    assertThat(store().meters(SampleFilter.builder().resourceId("r2").build(), false, 100)
        .map(Meter::name).collectList().block(TIMEOUT)).containsExactly("cpu");
    assertThat(store().meters(SampleFilter.ALL, true, 100).collectList().block(TIMEOUT)).containsExactly(
        new Meter("cpu", SampleType.GAUGE, "u", null, null, null, null),
        new Meter("memory", SampleType.GAUGE, "MB", null, null, null, null));
    assertThat(store().meters(SampleFilter.ALL, false, 1).collectList().block(TIMEOUT)).hasSize(1);
  }

  @Test
  public void resourcesCarryTheirTimeRangeAndNewestOwner() {
    write(sample("cpu", "r1", T0, 1).build(),
        sample("memory", "r1", T0.plusSeconds(60), 2).userId("newest").resourceMetadata(Map.of("v", 2)).build(),
        sample("cpu", "r2", T0.plusSeconds(30), 4).build());
    List<Resource> all = store().resources(SampleFilter.ALL, 100).collectList().block(TIMEOUT);
    assertThat(all).extracting(Resource::resourceId).containsExactly("r1", "r2");
    Resource r1 = all.get(0);
    assertThat(r1.firstSampleTimestamp()).isEqualTo(T0);
    assertThat(r1.lastSampleTimestamp()).isEqualTo(T0.plusSeconds(60));
    assertThat(r1.userId()).isEqualTo("newest");
    assertThat(r1.metadata()).isEqualTo(Map.of("v", 2));
    assertThat(r1.meters()).containsExactly("cpu", "memory");

    List<Resource> windowed = store().resources(SampleFilter.builder().end(T0.plusSeconds(30), false).build(), 100)
        .collectList().block(TIMEOUT);
    assertThat(windowed).extracting(Resource::resourceId).containsExactly("r1");
    assertThat(windowed.get(0).lastSampleTimestamp()).isEqualTo(T0);
  }

  @Test
  public void samplesSpanningManyDaysAndYearsAreStored() {
    List<Sample> batch = new ArrayList<>();
    IntStream.range(0, 40).forEach(i -> batch.add(sample("cpu", "r" + i, T0.minus(i * 37L, ChronoUnit.DAYS), i).build()));
    assertThat(store().write(batch).block(TIMEOUT)).isEqualTo(40);
    assertThat(samples(SampleFilter.ALL, 1000)).hasSize(40);
  }

  @Test
  public void concurrentBatchesOverTheSameSeriesAllLand() {
    List<List<Sample>> batches = new ArrayList<>();
    for (int b = 0; b < 8; b++) {
      List<Sample> batch = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        batch.add(sample("m" + (i % 7), "r" + (i % 13), T0.plusMillis(b * 1000L + i), i).build());
      }
      batches.add(batch);
    }
    Integer stored = Flux.fromIterable(batches).flatMap(store()::write, 8).reduce(0, Integer::sum).block(TIMEOUT);
    assertThat(stored).isEqualTo(4000);
    assertThat(store().meters(SampleFilter.ALL, false, 1000).collectList().block(TIMEOUT)).hasSize(7 * 13);
  }

  private List<Double> volumes(SampleFilter filter) {
    return samples(filter, 100).stream().map(Sample::volume).toList();
  }
}
