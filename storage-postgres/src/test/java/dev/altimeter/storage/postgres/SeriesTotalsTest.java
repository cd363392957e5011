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
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Which source answers statistics with no period and no bounds: the series' totals (SeriesTotals)
 * while nothing was expired, the rollups and raw rows otherwise. The store test kit's property
 * test checks that the answers equal the raw computation; this one that the totals are what is read
 * (a series row's count is changed behind the store's back, and only the unbounded answers, grouped by
 * the owner's fields or not, follow it).
 */
class SeriesTotalsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2024-07-01T00:00:00Z");

  @BeforeEach
  void clear() {
    TestPostgres.truncate();
  }

  @Test
  void unboundedStatisticsWithoutPeriodReadTheSeriesTotalsUntilRawSamplesExpire() {
    // 1-minute buckets kept 2 days: rollup retention has something to expire
    PostgresSampleStore store = new PostgresSampleStore(TestPostgres.storage().connectionFactory(),
        ArchivePolicy.parse("policy", "1m:2d, 1h:forever"));
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 3 * 1440; i += 7) { // three days, every 7 minutes, two resources
      samples.add(Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(i % 13)
          .resourceId("r" + i % 2).timestamp(T0.plusSeconds(60L * i)).build());
    }
    store.write(samples).block(TIMEOUT);
    SampleFilter cpu = SampleFilter.builder().meter("cpu").build();
    SampleFilter bounded = cpu.toBuilder().start(T0, true).end(T0.plus(Duration.ofDays(3)), false).build();
    long stored = samples.size();
    assertThat(count(store, cpu)).isEqualTo(stored);
    assertThat(count(store, bounded)).isEqualTo(stored);

    Map<String, Long> perResource = new TreeMap<>();
    samples.forEach(s -> perResource.merge(s.resourceId(), 1L, Long::sum));
    assertThat(countsByResource(store, cpu)).isEqualTo(perResource);

    execute("UPDATE series SET count = count + 1000");
    assertThat(count(store, cpu)).as("read from the series' totals").isEqualTo(stored + 2000);
    // a groupby over what a series row determines (its owner) is one row per series: the totals too
    Map<String, Long> followed = new TreeMap<>();
    perResource.forEach((r, n) -> followed.put(r, n + 1000));
    assertThat(countsByResource(store, cpu)).as("groupby resource_id: the series' totals").isEqualTo(followed);
    assertThat(store.statistics(new Statistics.Query(cpu, List.of(Statistics.GroupBy.PROJECT_ID,
            Statistics.GroupBy.USER_ID), 0, List.of())).map(Statistics::count).collectList().block(TIMEOUT))
        .as("groupby project_id, user_id (both null: one group)").containsExactly(stored + 2000);
    assertThat(count(store, bounded)).as("bounded: rollups and raw rows").isEqualTo(stored);
    assertThat(store.statistics(new Statistics.Query(cpu, List.of(), 3600, List.of())).map(Statistics::count)
        .reduce(0L, Long::sum).block(TIMEOUT)).as("with a period: rollups").isEqualTo(stored);

    // rollup retention does not change what the totals count: still read
    assertThat(store.expireRollups(T0.plus(Duration.ofDays(10))).block(TIMEOUT)).isNotEmpty();
    assertThat(count(store, cpu)).as("after rollup expiry: still the totals").isEqualTo(stored + 2000);

    // raw retention dropped samples a series still counts: the totals are not read any more
    store.expire(T0.plus(Duration.ofDays(1))).block(TIMEOUT);
    long left = samples.stream().filter(s -> !s.timestamp().isBefore(T0.plus(Duration.ofDays(1)))).count();
    assertThat(count(store, cpu)).as("after expiry: rollups where raw samples are gone")
        .isEqualTo(count(store, bounded)).isGreaterThanOrEqualTo(left).isLessThan(stored + 2000);
  }

  private static Map<String, Long> countsByResource(PostgresSampleStore store, SampleFilter f) {
    Map<String, Long> counts = new TreeMap<>();
    store.statistics(new Statistics.Query(f, List.of(Statistics.GroupBy.RESOURCE_ID), 0, List.of()))
        .doOnNext(s -> counts.put(s.groupBy().get("resource_id"), s.count())).blockLast(TIMEOUT);
    return counts;
  }

  private static long count(PostgresSampleStore store, SampleFilter f) {
    return store.statistics(new Statistics.Query(f, List.of(), 0, List.of())).blockFirst(TIMEOUT).count();
  }

  private static void execute(String sql) {
    Mono.usingWhen(TestPostgres.storage().connectionFactory().create(),
            c -> Flux.from(c.createStatement(sql).execute()).flatMap(r -> r.getRowsUpdated()).then(),
            Connection::close)
        .block(TIMEOUT);
  }
}
