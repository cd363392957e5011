package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention drops whole daily partitions of raw samples, and old events. */
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
