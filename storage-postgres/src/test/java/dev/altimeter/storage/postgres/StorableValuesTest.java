package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Statistics;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import dev.altimeter.storage.Values;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Values} admits exactly what PostgreSQL and the sample partitioning hold: what it lets
 * through at the edges is stored, what it refuses (NUL, years outside 1..9999, numbers past
 * numeric's range) cannot be built into a sample or an event.
 */
class StorableValuesTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static Sample.Builder sample(String resourceId, Instant at) {
    return Sample.builder().meter("m").type(SampleType.GAUGE).unit("u").volume(1).resourceId(resourceId).timestamp(at);
  }

  @Test
  void theEdgesOfTheAdmittedRangeAreStored() {
    TestPostgres.truncate();
    var store = TestPostgres.storage().store();
    // before the Gregorian reform and before 1970 with a fraction: timestamps are read in binary
    // (BinaryTimestamps), where a Julian conversion or a truncating division would shift them
    Instant gregorian = Instant.parse("1582-10-04T12:00:00Z");
    Instant fraction = Instant.parse("1969-12-31T23:59:59.999999Z");
    List<Sample> edges = List.of(sample("first", Values.EARLIEST).build(), sample("last", Values.LATEST).build(),
        sample("big", Values.LATEST).resourceMetadata(Map.of("x", new BigDecimal("1e999"), "y", "\u00ff\ud83d\ude00")).build(),
        sample("julian", gregorian).build(), sample("fraction", fraction).build());
    assertThat(store.write(edges).block(TIMEOUT)).isEqualTo(5);
    assertThat(store.samples(SampleFilter.ALL, 10).map(Sample::timestamp).collectList().block(TIMEOUT))
        .containsExactlyInAnyOrder(Values.EARLIEST, Values.LATEST, Values.LATEST, gregorian, fraction);
    // statistics read their rows' times by position through the same decoding: the same edges
    assertThat(store.statistics(new Statistics.Query(SampleFilter.ALL, List.of(Statistics.GroupBy.RESOURCE_ID), 0,
            List.of())).map(s -> s.groupBy().get("resource_id") + " " + s.durationStart() + " " + s.durationEnd())
        .collectList().block(TIMEOUT))
        .containsExactlyInAnyOrder("first " + Values.EARLIEST + " " + Values.EARLIEST,
            "last " + Values.LATEST + " " + Values.LATEST, "big " + Values.LATEST + " " + Values.LATEST,
            "julian " + gregorian + " " + gregorian, "fraction " + fraction + " " + fraction);

    var events = TestPostgres.storage().eventStore();
    Event e = new Event("edge", "compute.instance.exists", Values.LATEST,
        List.of(new Trait("launched_at", TraitType.DATETIME, Values.EARLIEST)), Map.of("payload", "x"));
    events.write(List.of(e)).block(TIMEOUT);
    assertThat(events.events(EventFilter.builder().build(), 10).collectList().block(TIMEOUT)).containsExactly(e);
  }

  @Test
  void aNulAnywhereIsRefusedWhereTheSampleIsBuilt() {
    assertThatThrownBy(() -> sample("a\u0000b", Instant.now()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resource_id").hasMessageContaining("NUL");
    assertThatThrownBy(() -> sample("r", Instant.now()).projectId("p\u0000").build()).hasMessageContaining("project_id");
    assertThatThrownBy(() -> sample("r", Instant.now()).userId("\u0000").build()).hasMessageContaining("user_id");
    assertThatThrownBy(() -> sample("r", Instant.now()).source("s\u0000").build()).hasMessageContaining("source");
    assertThatThrownBy(() -> sample("r", Instant.now()).unit("\u0000").build()).hasMessageContaining("counter_unit");
    assertThatThrownBy(() -> sample("r", Instant.now()).meter("m\u0000").build()).hasMessageContaining("counter_name");
    assertThatThrownBy(() -> sample("r", Instant.now())
        .resourceMetadata(Map.of("flavor", Map.of("name", List.of("ok", "x\u0000")))).build())
        .hasMessageContaining("resource_metadata.flavor.name");
    assertThatThrownBy(() -> sample("r", Instant.now()).resourceMetadata(Map.of("k\u0000", 1)).build())
        .hasMessageContaining("resource_metadata key");
    assertThatThrownBy(() -> new Trait("host", TraitType.STRING, "a\u0000")).hasMessageContaining("trait host");
    assertThatThrownBy(() -> new Event("id\u0000", "t", Instant.now(), List.of(), Map.of())).hasMessageContaining("message_id");
    assertThatThrownBy(() -> new Event("id", "t", Instant.now(), List.of(), Map.of("payload", Map.of("x", "\u0000"))))
        .hasMessageContaining("raw.payload.x");
  }

  @Test
  void timestampsOutsideTheYears1To9999AreRefused() {
    Instant yearZero = Instant.parse("0000-12-31T23:59:59.999999Z");
    Instant year10000 = Instant.parse("+10000-01-01T00:00:00Z");
    for (Instant t : List.of(yearZero, year10000, Instant.MIN, Instant.MAX)) {
      assertThatThrownBy(() -> sample("r", t).build()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timestamp");
      assertThatThrownBy(() -> sample("r", Instant.now()).recordedAt(t).build()).hasMessageContaining("recorded_at");
      assertThatThrownBy(() -> new Event("id", "t", t, List.of(), Map.of())).hasMessageContaining("generated");
      assertThatThrownBy(() -> new Trait("at", TraitType.DATETIME, t)).hasMessageContaining("trait at");
    }
  }

  @Test
  void numbersPastNumericsRangeAreRefused() {
    assertThatThrownBy(() -> sample("r", Instant.now()).resourceMetadata(Map.of("x", new BigDecimal("1e200000"))).build())
        .hasMessageContaining("resource_metadata.x");
  }
}
