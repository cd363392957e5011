package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The rollup rows of all the owners of a meter (PostgresRollups.upsert): written by concurrent
 * batches into several shards, with redeliveries, they hold exactly the samples stored (each once),
 * and the statistics of a meter with no owner condition read from them equal the raw computation.
 */
class AllOwnersRollupTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");

  @BeforeEach
  void clear() {
    TestPostgres.truncate();
  }

  @Test
  void concurrentBatchesWithRedeliveriesFoldEachStoredSampleOnceIntoTheShards() {
    Random random = new Random(7);
    List<List<Sample>> batches = new ArrayList<>();
    List<Sample> written = new ArrayList<>();
    for (int b = 0; b < 32; b++) {
      List<Sample> batch = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        long second = random.nextInt(2 * 86_400);
        if (random.nextBoolean()) second -= second % 60;
        batch.add(Sample.builder().meter(random.nextInt(4) == 0 ? "mem" : "cpu").type(SampleType.GAUGE).unit("ns")
            .volume(Math.round(random.nextDouble() * 1e6) / 100.0).resourceId("r" + random.nextInt(9))
            .projectId("p" + random.nextInt(2)).timestamp(T0.plusSeconds(second).plusNanos(random.nextInt(1000) * 1000L))
            .resourceMetadata(Map.of()).build());
      }
      // redeliveries of earlier batches (which may be in flight at the same time) and within the batch
      for (int i = 0; i < 10 && !written.isEmpty(); i++) batch.add(written.get(random.nextInt(written.size())));
      batch.add(batch.get(random.nextInt(batch.size())));
      batches.add(batch);
      written.addAll(batch);
    }
    PostgresSampleStore store = TestPostgres.storage().store();
    // every batch twice, eight at a time: each sample stored once whichever copy wins
    long stored = Flux.fromIterable(batches).concatWith(Flux.fromIterable(batches)).flatMap(store::write, 8)
        .reduce(0L, (a, n) -> a + n).block(TIMEOUT);
    assertThat(stored).isEqualTo(written.stream().map(Sample::messageId).distinct().count());
    assertThat(query("SELECT count(DISTINCT resource_pk) AS n FROM rollup x WHERE " + PostgresRollups.ALL_OWNERS))
        .as("shards used").isGreaterThan(1);

    // per level, meter and bucket: the shards merged (Chan) against the raw samples
    long mismatches = query("""
        WITH s AS (
          SELECT x.*, sum(x.sum) OVER b / sum(x.count) OVER b AS mean FROM rollup x WHERE ALL_OWNERS
          WINDOW b AS (PARTITION BY x.granularity, x.meter_id, x.bucket)
        ), merged AS (
          SELECT granularity, meter_id, bucket, sum(count) AS n, sum(sum) AS s, min(min) AS mn, max(max) AS mx,
                 sum(m2 + count * (sum / count - mean) ^ 2) AS m2, min(first_timestamp) AS t0,
                 max(last_timestamp) AS t1, min(first_seq) AS seq
          FROM s GROUP BY 1, 2, 3
        ), raw AS (
          SELECT g.seconds AS granularity, x.meter_id,
                 date_bin(make_interval(secs => g.seconds), x.timestamp, timestamptz 'epoch') AS bucket,
                 count(*) AS n, sum(x.volume) AS s, min(x.volume) AS mn, max(x.volume) AS mx,
                 var_pop(x.volume) * count(*) AS m2, min(x.timestamp) AS t0, max(x.timestamp) AS t1, min(x.seq) AS seq
          FROM sample x CROSS JOIN rollup_granularity g GROUP BY 1, 2, 3
        )
        SELECT count(*) AS n FROM merged m FULL JOIN raw r USING (granularity, meter_id, bucket)
        WHERE m.n IS DISTINCT FROM r.n OR abs(m.s - r.s) > 1e-6 OR m.mn IS DISTINCT FROM r.mn
           OR m.mx IS DISTINCT FROM r.mx OR abs(m.m2 - r.m2) > 1e-6 * greatest(1, r.m2)
           OR m.t0 IS DISTINCT FROM r.t0 OR m.t1 IS DISTINCT FROM r.t1 OR m.seq IS DISTINCT FROM r.seq
           OR m.n IS NULL OR r.n IS NULL""".replace("ALL_OWNERS", PostgresRollups.ALL_OWNERS));
    assertThat(mismatches).as("buckets whose all-owners rows differ from the samples").isZero();

    // statistics of a meter alone, read from those rows, against the raw computation
    Statistics.Aggregate[] every = {new Statistics.Aggregate(Statistics.Function.STDDEV, null),
        new Statistics.Aggregate(Statistics.Function.COUNT, null), new Statistics.Aggregate(Statistics.Function.SUM, null),
        new Statistics.Aggregate(Statistics.Function.AVG, null), new Statistics.Aggregate(Statistics.Function.MIN, null),
        new Statistics.Aggregate(Statistics.Function.MAX, null)};
    int compared = 0;
    for (long period : new long[] {0, 60, 3600, 7200, 86_400}) {
      for (int bounds = 0; bounds < 3; bounds++) {
        SampleFilter.Builder f = SampleFilter.builder().meter("cpu");
        if (bounds > 0) f.start(T0.plusSeconds(3600), true);
        if (bounds > 1) f.end(T0.plusSeconds(86_400 + 7 * 3600), false);
        for (List<Statistics.Aggregate> aggregates : List.of(List.<Statistics.Aggregate>of(), List.of(every))) {
          Statistics.Query q = new Statistics.Query(f.build(), List.of(), period, aggregates);
          assertThat(RollupPlanner.allOwners(q)).isTrue();
          compared += assertSameAsRaw(store, q);
        }
      }
    }
    assertThat(compared).as("rows compared").isGreaterThan(100);
  }

  private static int assertSameAsRaw(PostgresSampleStore store, Statistics.Query q) {
    List<Statistics> rolled = store.statistics(q).collectList().block(TIMEOUT);
    List<Statistics> raw = store.statisticsFromSamples(q).collectList().block(TIMEOUT);
    assertThat(rolled).as(q.toString()).hasSameSizeAs(raw);
    for (int i = 0; i < raw.size(); i++) {
      Statistics a = rolled.get(i), e = raw.get(i);
      String where = q + ", row " + i;
      assertThat(a).as(where).usingRecursiveComparison()
          .ignoringFields("min", "max", "avg", "sum", "aggregates").isEqualTo(e);
      assertClose(a.sum(), e.sum(), where + " sum");
      assertClose(a.avg(), e.avg(), where + " avg");
      assertThat(a.min()).as(where + " min").isEqualTo(e.min());
      assertThat(a.max()).as(where + " max").isEqualTo(e.max());
      assertThat(a.aggregates().keySet()).as(where).containsExactlyElementsOf(e.aggregates().keySet());
      e.aggregates().forEach((k, v) -> assertClose(a.aggregates().get(k), v, where + " " + k));
    }
    return raw.size();
  }

  private static void assertClose(Double actual, Double expected, String where) {
    if (expected == null) {
      assertThat(actual).as(where).isNull();
      return;
    }
    assertThat(actual).as(where).isNotNull();
    assertThat(Math.abs(actual - expected)).as(where + ": " + actual + " vs " + expected)
        .isLessThanOrEqualTo(1e-9 * Math.max(1, Math.abs(expected)));
  }

  private static long query(String sql) {
    return Mono.usingWhen(TestPostgres.storage().connectionFactory().create(),
        (Connection c) -> Flux.from(c.createStatement(sql).execute())
            .flatMap(r -> r.map(row -> row.get("n", Long.class))).next(),
        Connection::close).block(TIMEOUT);
  }
}
