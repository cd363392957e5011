package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.ArchivePolicy;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Statistics;
import dev.altimeter.storage.TestPostgres;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A level added to the archive policy is computed from the samples already stored; one removed goes. */
class ArchivePolicyChangeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Instant DAY = Instant.parse("2024-06-01T00:00:00Z");
  private static final ArchivePolicy DEFAULT = ArchivePolicy.parse("policy", ArchivePolicy.DEFAULT);
  private static final ArchivePolicy DAILY = ArchivePolicy.parse("policy", "1m:forever, 1h:forever, 1d:forever");

  @BeforeEach
  void clear() {
    TestPostgres.truncate();
  }

  @AfterEach
  void restoreDefault() {
    PostgresRollups.apply(TestPostgres.storage().connectionFactory(), DEFAULT).block(TIMEOUT);
  }

  /**
   * A store whose policy lacks a level the database rolls up (another node applied its policy last)
   * still writes: the insert finds no span of that level for the sample's day, the writer has the
   * partitions learn the database's levels, and the retry makes the span and stores the sample.
   */
  @Test
  void writeLearnsTheDatabasesLevelsWhenAnInsertFindsASpanMissing() {
    PostgresRollups.apply(TestPostgres.storage().connectionFactory(), DAILY).block(TIMEOUT);
    PostgresSampleStore store = new PostgresSampleStore(TestPostgres.storage().connectionFactory(), DEFAULT);
    // decades past every other test's samples: no daily span (720 days) holds this day yet
    Sample late = Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(1).resourceId("r")
        .timestamp(Instant.parse("2077-07-07T07:07:07Z")).resourceMetadata(Map.of()).build();

    assertThat(store.write(List.of(late)).block(TIMEOUT)).isEqualTo(1);
    assertThat(rollupRows(86_400)).isEqualTo(1);
    assertThat(rollupRows(60)).isEqualTo(1);
  }

  private static List<Sample> samples(int from, int to) {
    List<Sample> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(i % 17).resourceId("r" + i % 3)
          .timestamp(DAY.plusSeconds(i * 7_919L)).resourceMetadata(Map.of()).build());
    }
    return out;
  }

  /** The level's rows of series (not those of all owners). */
  private static long rollupRows(int granularity) {
    return rollup("SELECT count(*) AS n FROM rollup x WHERE granularity = $1 AND " + PostgresRollups.PER_SERIES,
        granularity);
  }

  /** The samples the level's rows of {@code kind} ({@link PostgresRollups#PER_SERIES} or ALL_OWNERS) count. */
  private static long rolledUp(int granularity, String kind) {
    return rollup("SELECT coalesce(sum(count), 0)::bigint AS n FROM rollup x WHERE granularity = $1 AND " + kind,
        granularity);
  }

  private static long rollup(String sql, int granularity) {
    return Mono.usingWhen(TestPostgres.storage().connectionFactory().create(),
        (Connection c) -> Flux.from(c.createStatement(sql)
            .bind(0, granularity).execute()).flatMap(r -> r.map(row -> row.get("n", Long.class))).next(),
        Connection::close).block(TIMEOUT);
  }

  @Test
  void addedLevelIsBackfilledAndMaintainedRemovedLevelIsDropped() {
    TestPostgres.storage().store().write(samples(0, 100)).block(TIMEOUT);
    assertThat(rollupRows(86_400)).isZero();

    PostgresRollups.apply(TestPostgres.storage().connectionFactory(), DAILY).block(TIMEOUT);
    TestPostgres.storage().store().write(samples(100, 200)).block(TIMEOUT); // now rolled up daily as well
    assertThat(rollupRows(86_400)).isEqualTo(3L * 19); // 200 samples * 7919 s: 19 days, 3 resources each
    // the all-owners rows of the new level: computed from the samples too, then kept by the writer
    assertThat(rolledUp(86_400, PostgresRollups.PER_SERIES)).isEqualTo(200);
    assertThat(rolledUp(86_400, PostgresRollups.ALL_OWNERS)).isEqualTo(200);

    PostgresSampleStore daily = new PostgresSampleStore(TestPostgres.storage().connectionFactory(), DAILY);
    Statistics.Query q = new Statistics.Query(SampleFilter.builder().meter("cpu").start(DAY, true).build(),
        List.of(Statistics.GroupBy.RESOURCE_ID), 2 * 86_400, List.of(
            new Statistics.Aggregate(Statistics.Function.STDDEV, null),
            new Statistics.Aggregate(Statistics.Function.COUNT, null)));
    assertSameAsFromSamples(daily, q, 20);
    // no groupby: the daily all-owners rows answer
    assertSameAsFromSamples(daily, new Statistics.Query(q.filter(), List.of(), q.period(), q.aggregates()), 5);

    PostgresRollups.apply(TestPostgres.storage().connectionFactory(), DEFAULT).block(TIMEOUT);
    assertThat(rollupRows(86_400)).isZero();
    assertThat(rolledUp(86_400, PostgresRollups.ALL_OWNERS)).isZero();
    assertThat(rollupRows(3600)).isEqualTo(200); // 7919 s apart: one sample an hour bucket
  }

  private static void assertSameAsFromSamples(PostgresSampleStore store, Statistics.Query q, int moreThan) {
    List<Statistics> fromRollups = store.statistics(q).collectList().block(TIMEOUT);
    List<Statistics> fromSamples = store.statisticsFromSamples(q).collectList().block(TIMEOUT);
    assertThat(fromRollups).hasSize(fromSamples.size()).hasSizeGreaterThan(moreThan);
    for (int i = 0; i < fromSamples.size(); i++) {
      assertThat(fromRollups.get(i).aggregates().get("count")).isEqualTo(fromSamples.get(i).aggregates().get("count"));
      assertThat(fromRollups.get(i).aggregates().get("stddev"))
          .isCloseTo(fromSamples.get(i).aggregates().get("stddev"), org.assertj.core.data.Offset.offset(1e-9));
      assertThat(fromRollups.get(i).periodStart()).isEqualTo(fromSamples.get(i).periodStart());
    }
  }
}
