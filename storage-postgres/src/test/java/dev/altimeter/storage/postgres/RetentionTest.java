package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.ArchivePolicy;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Statistics;
import dev.altimeter.storage.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention drops whole partitions of raw samples and of each rollup level, and old events. */
class RetentionTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Instant DAY1 = Instant.parse("2024-05-01T12:00:00Z");

  @BeforeEach
  void clear() {
    TestPostgres.truncate();
  }

  private static Sample sample(String resource, Instant ts) {
    return Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(1).resourceId(resource)
        .timestamp(ts).build();
  }

  @Test
  void dropsWholeDaysBeforeTheCutoffAndKeepsTheRest() {
    PostgresSampleStore store = TestPostgres.storage().store();
    store.write(List.of(sample("old", DAY1), sample("old", DAY1.plus(Duration.ofDays(1))),
        sample("new", DAY1.plus(Duration.ofDays(2))), sample("new", DAY1.plus(Duration.ofDays(3))))).block(TIMEOUT);

    // the cutoff falls inside the third day: that day is kept whole
    List<LocalDate> dropped = store.expire(DAY1.plus(Duration.ofDays(2)).plusSeconds(3600)).block(TIMEOUT);

    // (other tests' older partitions may be dropped too: tables are truncated between tests, not dropped)
    assertThat(dropped).contains(LocalDate.parse("2024-05-01"), LocalDate.parse("2024-05-02"))
        .allMatch(day -> day.isBefore(LocalDate.parse("2024-05-03")));
    assertThat(store.samples(SampleFilter.ALL, 100).map(Sample::timestamp).collectList().block(TIMEOUT))
        .containsExactly(DAY1.plus(Duration.ofDays(3)), DAY1.plus(Duration.ofDays(2)));
    assertThat(store.meters(SampleFilter.ALL, false, 100).map(m -> m.resourceId()).collectList().block(TIMEOUT))
        .containsExactly("new");
    // a late sample for a dropped day is still stored: its partition is made again
    assertThat(store.write(List.of(sample("late", DAY1))).block(TIMEOUT)).isEqualTo(1);
  }

  /**
   * Raw samples kept from May 4, 1-minute rollups from May 3 (1m:2d), hourly ones forever: whole
   * ranges stay exact, and a bound where the raw samples are gone counts the buckets of the finest
   * level kept there that start inside it (docs/api.md, Precision).
   */
  @Test
  void statisticsBeforeTheRawHorizonComeFromTheRollupsAtTheirGranularity() {
    ArchivePolicy policy = ArchivePolicy.parse("policy", "1m:2d, 1h:forever");
    PostgresSampleStore store = new PostgresSampleStore(TestPostgres.storage().connectionFactory(), policy);
    Instant may1 = Instant.parse("2024-05-01T00:00:00Z");
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 5 * 144; i++) { // every 10 minutes, 5 min 45 s past, for 5 days
      samples.add(Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(i % 7).resourceId("r" + i % 2)
          .timestamp(may1.plusSeconds(i * 600L + 345)).build());
    }
    store.write(samples).block(TIMEOUT);
    Statistics.Query all = query(SampleFilter.builder().meter("cpu").build(), 0);
    Statistics before = store.statistics(all).blockFirst(TIMEOUT);

    assertThat(store.expire(Instant.parse("2024-05-04T01:00:00Z")).block(TIMEOUT))
        .contains(LocalDate.parse("2024-05-03")).doesNotContain(LocalDate.parse("2024-05-04"));
    // (other tests' older partitions may be dropped too: tables are truncated between tests, not dropped)
    assertThat(store.expireRollups(Instant.parse("2024-05-05T12:00:00Z")).block(TIMEOUT))
        .contains("rollup_60_20240501", "rollup_60_20240502").allMatch(name -> name.startsWith("rollup_60_"))
        .allMatch(name -> name.compareTo("rollup_60_20240503") < 0);
    assertThat(store.samples(SampleFilter.ALL, 10_000).count().block(TIMEOUT)).isEqualTo(144 * 2);

    // the whole range: the same answer as before, from hours, minutes and raw samples
    Statistics after = store.statistics(all).blockFirst(TIMEOUT);
    assertThat(after.count()).isEqualTo(720);
    assertThat(after.sum()).isEqualTo(before.sum());
    assertThat(after.min()).isEqualTo(before.min());
    assertThat(after.max()).isEqualTo(before.max());
    assertThat(after.durationStart()).isEqualTo(before.durationStart());
    assertThat(after.durationEnd()).isEqualTo(before.durationEnd());
    double mean = samples.stream().mapToDouble(Sample::volume).average().orElseThrow();
    double variance = samples.stream().mapToDouble(x -> (x.volume() - mean) * (x.volume() - mean)).sum() / 720;
    assertThat(store.statistics(query(SampleFilter.builder().meter("cpu").build(), 0,
        new Statistics.Aggregate(Statistics.Function.STDDEV, null))).blockFirst(TIMEOUT).aggregates().get("stddev"))
        .isCloseTo(Math.sqrt(variance), org.assertj.core.data.Offset.offset(1e-9));
    // hourly windows from an hour's edge: every window as before
    List<Long> hourly = store.statistics(query(SampleFilter.builder().meter("cpu").start(may1, true).build(), 3600))
        .map(Statistics::count).collectList().block(TIMEOUT);
    assertThat(hourly).hasSize(120).containsOnly(6L);

    // unaligned bounds: exact where raw samples remain, by bucket start where they do not
    for (String[] range : new String[][] {
        {"2024-05-02T00:05:30Z", "2024-05-04T00:05:50Z"}, // hours, then minutes, then raw rows
        {"2024-05-03T00:05:30Z", "2024-05-03T02:05:50Z"}, // minutes only
        {"2024-05-01T10:30:00Z", "2024-05-05T23:59:00Z"}}) {
      Instant from = Instant.parse(range[0]), to = Instant.parse(range[1]);
      long expected = samples.stream().filter(x -> {
        Instant key = x.timestamp().isBefore(Instant.parse("2024-05-03T00:00:00Z"))
            ? x.timestamp().truncatedTo(ChronoUnit.HOURS)
            : x.timestamp().isBefore(Instant.parse("2024-05-04T00:00:00Z"))
                ? x.timestamp().truncatedTo(ChronoUnit.MINUTES) : x.timestamp();
        return !key.isBefore(from) && key.isBefore(to);
      }).count();
      Statistics s = store.statistics(query(SampleFilter.builder().meter("cpu").start(from, true).end(to, false)
          .build(), 0)).blockFirst(TIMEOUT);
      assertThat(s.count()).as("%s", List.of(range)).isEqualTo(expected);
    }
  }

  private static Statistics.Query query(SampleFilter f, long period, Statistics.Aggregate... aggregates) {
    return new Statistics.Query(f, List.of(), period, List.of(aggregates));
  }

  @Test
  void deletesEventsGeneratedBeforeTheCutoff() {
    PostgresEventStore events = TestPostgres.storage().eventStore();
    events.write(List.of(new Event("e1", "compute.instance.create.end", DAY1, List.of(), Map.of()),
        new Event("e2", "compute.instance.create.end", DAY1.plus(Duration.ofDays(5)), List.of(), Map.of())))
        .block(TIMEOUT);
    assertThat(events.expire(DAY1.plus(Duration.ofDays(1))).block(TIMEOUT)).isEqualTo(1);
    assertThat(events.events(EventFilter.builder().build(), 10).map(Event::messageId).collectList().block(TIMEOUT))
        .containsExactly("e2");
  }
}
