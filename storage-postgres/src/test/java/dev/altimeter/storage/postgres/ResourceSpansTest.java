package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Resource;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The write path keeps {@code resource_span} equal to the fold of the series (ResourceSpans'
 * contract), and the span-walking resources listing answers as the series walk does.
 */
class ResourceSpansTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Instant T0 = Instant.parse("2024-06-01T00:00:00Z");
  /** The fold of the series, as the migration computes it: what every span must equal. */
  private static final String FOLD = "SELECT resource_pk, min(first_seq) AS first_seq FROM series"
      + " GROUP BY resource_pk ORDER BY resource_pk";
  private static final String SPANS = "SELECT resource_pk, first_seq FROM resource_span ORDER BY resource_pk";

  @BeforeEach
  void clear() {
    TestPostgres.truncate();
  }

  @Test
  void spansAreTheFoldOfTheSeriesAfterBatchesInAnyOrderConcurrentlyAndAfterRetention() {
    PostgresSampleStore store = TestPostgres.storage().store();
    Random random = new Random(13);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      // few owners (two of them share resource id "r0"), several meters, times over three days with
      // many ties (whole minutes), metadata that changes: ties between series of one owner decide
      samples.add(Sample.builder().meter("m" + random.nextInt(4)).type(SampleType.GAUGE).unit("u")
          .volume(random.nextInt(100)).resourceId("r" + random.nextInt(5)).projectId("p" + random.nextInt(2))
          .timestamp(T0.plusSeconds(60L * random.nextInt(3 * 1440)))
          .resourceMetadata(Map.of("v", random.nextInt(3))).messageId(new UUID(7, i)).build());
    }
    // out of time order, in batches of 100, four in flight; then every batch again (redelivery)
    List<List<Sample>> batches = new ArrayList<>();
    for (int i = 0; i < samples.size(); i += 100) batches.add(samples.subList(i, i + 100));
    Flux.fromIterable(batches).flatMap(store::write, 4).blockLast(TIMEOUT);
    assertThat(spans(store)).isEqualTo(fold(store)).hasSize(10);
    Flux.fromIterable(batches).flatMap(store::write, 4).blockLast(TIMEOUT);
    assertThat(spans(store)).isEqualTo(fold(store));

    // raw retention deletes the series that ended before the cutoff: the spans follow
    store.expire(T0.plus(Duration.ofDays(2))).block(TIMEOUT);
    assertThat(spans(store)).isEqualTo(fold(store));
  }

  @Test
  void theSpanWalkListsWhatTheSeriesWalkLists() {
    PostgresSampleStore store = TestPostgres.storage().store();
    List<Sample> samples = new ArrayList<>();
    String[][] owners = {{"a", "p1"}, {"b", "p1"}, {"a", "p2"}, {"c", "p2"}, {"b", "p3"}};
    for (int i = 0; i < 60; i++) {
      String[] o = owners[i % owners.length];
      // the same timestamp for every third sample: the newest owner is decided by the tie-break
      samples.add(Sample.builder().meter("m" + i % 3).type(SampleType.GAUGE).unit("u").volume(i)
          .resourceId(o[0]).projectId(o[1]).userId("u" + i % 2)
          .timestamp(T0.plusSeconds(i % 3 == 0 ? 600 : i * 10L)).resourceMetadata(Map.of("i", i)).build());
    }
    store.write(samples.subList(30, 60)).block(TIMEOUT);
    store.write(samples.subList(0, 30)).block(TIMEOUT);
    for (SampleFilter f : List.of(SampleFilter.ALL, SampleFilter.builder().projectId("p1").build(),
        SampleFilter.builder().resourceId("a").build(), SampleFilter.builder().userId("u1").build())) {
      for (int limit : new int[] {1, 2, 100}) {
        PostgresListings.Resolved ids = PostgresListings.resolve(store.reader(), f).block(TIMEOUT);
        assertThat(listed(store, PostgresListings.resources(store.reader().json(), f, ids, limit)))
            .as("%s, limit %d", f, limit)
            .isEqualTo(listed(store, seriesWalk(store, f, ids, limit)));
      }
    }
    // and the store answers with them, in first-stored order (the second batch was written first)
    assertThat(store.resources(SampleFilter.ALL, 100).map(Resource::resourceId).collectList().block(TIMEOUT))
        .containsExactly("a", "b", "c");
  }

  /**
   * The series walk for the same filter: a time window that holds every sample sends {@link
   * PostgresListings#resources} down its series path, which differs from the untimed answer only in
   * where the range comes from; compared on the columns the span walk takes from the spans.
   */
  private static PostgresListings.Sql seriesWalk(PostgresSampleStore store, SampleFilter f,
      PostgresListings.Resolved ids, int limit) {
    // a meter condition naming every meter takes the series path with the untimed group columns
    PostgresListings.Resolved allMeters = new PostgresListings.Resolved(
        store.reader().query("SELECT id FROM meter ORDER BY id", List.of(), row -> row.get("id", Integer.class))
            .collectList().block(TIMEOUT).toArray(Integer[]::new), ids.owners(), ids.manyOwners());
    return PostgresListings.resources(store.reader().json(), f.toBuilder().meter("m0").build(), allMeters, limit);
  }

  private static List<String> listed(PostgresSampleStore store, PostgresListings.Sql sql) {
    return store.reader().query(sql.text(), sql.binds(), row -> String.join("|", row.get("resource_id", String.class),
            String.valueOf(row.get("first_ts", Object.class)), String.valueOf(row.get("last_ts", Object.class)),
            String.valueOf(row.get("user_id", String.class)), String.valueOf(row.get("project_id", String.class)),
            String.valueOf(row.get("metadata_id", Long.class)), String.join(",", row.get("meters", String[].class))))
        .collectList().block(TIMEOUT);
  }

  private static List<String> spans(PostgresSampleStore store) {
    return rows(store, SPANS);
  }

  private static List<String> fold(PostgresSampleStore store) {
    return rows(store, FOLD);
  }

  private static List<String> rows(PostgresSampleStore store, String sql) {
    return store.reader().query(sql, List.of(), row -> row.get("resource_pk", Long.class) + " " + row.get("first_seq", Long.class))
        .collectList().block(TIMEOUT);
  }
}
