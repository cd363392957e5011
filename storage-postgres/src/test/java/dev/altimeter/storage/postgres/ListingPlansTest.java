package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.TestPostgres;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The listing statements read about {@code limit} rows whatever their filter matches, on tables
 * that were never analysed: 100,000 samples (1,000 resources x 10 meters x 10, one second apart,
 * over two daily partitions) loaded in SQL with autovacuum off, then every statement the store
 * issues for a listing run under {@code EXPLAIN (ANALYZE, FORMAT JSON)} and the rows its scans
 * read (returned plus removed by a filter) counted per table.
 */
class ListingPlansTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int LIMIT = 20;
  private static final int RESOURCES = 1_000;
  private static final int SAMPLES = 100_000;
  private static final int SHARED_OWNERS = 8;
  private static final List<String> TABLES = List.of("sample_20240301", "sample_20240302", "series", "resource",
      "resource_metadata", "meter", "resource_span");
  private static PostgresSampleStore store;

  @BeforeAll
  static void load() {
    TestPostgres.truncate();
    store = TestPostgres.storage().store();
    // statistics of other data, as other tests leave them (TRUNCATE keeps the column statistics): the
    // plans must not depend on them either
    store.write(List.of(
        dev.altimeter.storage.Sample.builder().meter("m0").type(dev.altimeter.storage.SampleType.GAUGE).unit("u")
            .volume(1).resourceId("r0").timestamp(Instant.parse("2024-03-01T00:00:00Z")).build(),
        dev.altimeter.storage.Sample.builder().meter("m1").type(dev.altimeter.storage.SampleType.GAUGE).unit("u")
            .volume(1).resourceId("r0").timestamp(Instant.parse("2024-03-01T00:00:01Z")).build())).block(TIMEOUT);
    execute(List.of("ANALYZE"));
    TestPostgres.truncate();
    store.createPartitionsAhead(LocalDate.parse("2024-03-01"), 2).block(TIMEOUT);
    List<String> load = new ArrayList<>();
    // no statistics may come from autovacuum while the test runs (the machine's may be on)
    for (String t : TABLES) load.add("ALTER TABLE " + t + " SET (autovacuum_enabled = false)");
    load.addAll(List.of(
        "INSERT INTO meter (name, type, unit) SELECT 'm' || i, 'gauge', 'u' FROM generate_series(0, 9) i",
        "INSERT INTO resource (resource_id, user_id, project_id, source) SELECT 'r' || i, 'u' || (i % 10),"
            + " 'p' || (i % 20), 'openstack' FROM generate_series(0, " + (RESOURCES - 1) + ") i",
        "INSERT INTO resource_metadata (hash, doc) SELECT gen_random_uuid(), jsonb_build_object('n', i)"
            + " FROM generate_series(0, " + (RESOURCES - 1) + ") i",
        // sample i: meter i % 10, resource (i / 10) % 1000, so every resource has all meters interleaved
        "INSERT INTO sample SELECT gen_random_uuid(), timestamptz '2024-03-01 00:00:00+00' + i * interval '1 second',"
            + " 1 + i % 10, 1 + (i / 10) % " + RESOURCES + ", 1 + (i / 10) % " + RESOURCES + ", i, now(), i + 1, NULL"
            + " FROM generate_series(0, " + (SAMPLES - 1) + ") i",
        // resource id "shared": 8 owners (one per user), 100 samples each of one meter, interleaved in time
        "INSERT INTO resource (resource_id, user_id, project_id, source) SELECT 'shared', 'su' || i, 'sp', 'openstack'"
            + " FROM generate_series(1, " + SHARED_OWNERS + ") i",
        "INSERT INTO sample SELECT gen_random_uuid(), timestamptz '2024-03-01 12:00:00.5+00' + i * interval '1 second',"
            + " 1, " + RESOURCES + " + 1 + i % " + SHARED_OWNERS + ", 1, i, now(), " + SAMPLES + " + i + 1, NULL"
            + " FROM generate_series(0, " + (100 * SHARED_OWNERS - 1) + ") i",
        "INSERT INTO series (first_seq, meter_id, resource_pk, first_timestamp, last_timestamp, last_metadata_id,"
            + " count, sum, min, max, m2)"
            + " SELECT min(seq), meter_id, resource_pk, min(timestamp), max(timestamp), min(metadata_id),"
            + " count(*), sum(volume), min(volume), max(volume), var_pop(volume) * count(*)"
            + " FROM sample GROUP BY meter_id, resource_pk",
        // the owners' spans, as the write path keeps them (ResourceSpans)
        "INSERT INTO resource_span (resource_pk, first_seq) SELECT resource_pk, min(first_seq) FROM series"
            + " GROUP BY resource_pk",
        "SELECT setval('sample_seq', " + (SAMPLES + 100 * SHARED_OWNERS) + ")"));
    execute(load);
    store.forgetCachedIds();
  }

  @AfterAll
  static void clear() {
    List<String> reset = new ArrayList<>();
    for (String t : TABLES) reset.add("ALTER TABLE " + t + " RESET (autovacuum_enabled)");
    execute(reset);
    TestPostgres.truncate();
  }

  @Test
  void samplesReadAboutLimitRows() {
    // per filter: rows the listing returns; the rows read stay within a few times the limit
    assertSamples(SampleFilter.ALL, LIMIT);
    assertSamples(SampleFilter.builder().resourceId("r5").build(), LIMIT);
    assertSamples(SampleFilter.builder().resourceId("no-such-resource").build(), 0);
    assertSamples(SampleFilter.builder().meter("m3").build(), LIMIT);
    assertSamples(SampleFilter.builder().meter("no-such-meter").build(), 0);
    assertSamples(SampleFilter.builder().meter("m3").resourceId("r5").build(), 10);
    assertSamples(SampleFilter.builder().resourceId("r5")
        .start(Instant.parse("2024-03-01T00:00:00Z"), true).end(Instant.parse("2024-03-01T20:00:00Z"), false)
        .build(), LIMIT);
    assertSamples(SampleFilter.builder().resourceId("r7").metadata("n", 7L).build(), LIMIT);
    // a resource id of 8 owners: one walk each, of at most `limit` rows and the ties of its last, and
    // the page's metadata document. A UNION ALL of the walks merged in time order reads `limit` in
    // all, but took longer: planning and starting walks x partitions (benchmarks.md, "Merged owner walks")
    assertSamples(SampleFilter.builder().resourceId("shared").build(), LIMIT, SHARED_OWNERS * (LIMIT + 1) + 1);
    assertSamples(SampleFilter.builder().resourceId("shared").meter("m0").build(), LIMIT, SHARED_OWNERS * (LIMIT + 1) + 1);
  }

  @Test
  void oneSampleReadsOneRow() {
    UUID id = store.reader().query("SELECT message_id FROM sample WHERE seq = 4242", List.of(),
        row -> row.get("message_id", UUID.class)).blockFirst(TIMEOUT);
    Map<String, Long> read = rowsRead(PostgresListings.sample(id));
    assertThat(read.getOrDefault("sample", 0L)).isEqualTo(1);
  }

  @Test
  void metersReadAboutLimitRows() {
    assertMeters(SampleFilter.ALL, false, LIMIT);
    assertMeters(SampleFilter.ALL, true, 10);
    assertMeters(SampleFilter.builder().resourceId("r5").build(), false, 10);
    assertMeters(SampleFilter.builder().resourceId("no-such-resource").build(), false, 0);
    assertMeters(SampleFilter.builder().projectId("p3").build(), true, 10);
    // by meter name: that meter's series through (meter_id, first_seq)
    assertMeters(SampleFilter.builder().meter("m3").build(), false, LIMIT);
    assertMeters(SampleFilter.builder().meter("m3").build(), true, 1);
    assertMeters(SampleFilter.builder().meter("m3").resourceId("r5").build(), false, 1);
    assertMeters(SampleFilter.builder().meter("no-such-meter").build(), false, 0);
  }

  @Test
  void metersAndResourcesOfManyOwnersReadLimitOverTheFractionMatched() {
    // project p3: 50 owners, past the per-owner lookups; 1 series in 20 is theirs, so the walk reads
    // about 20 x limit series (each checked once more for an earlier one of its group)
    // (and each walked series' owner looked up by key to check its project)
    assertMeters(SampleFilter.builder().projectId("p3").build(), false, LIMIT, 3 * 20 * LIMIT);
    assertMeters(SampleFilter.builder().projectId("p3").meter("m3").build(), false, LIMIT, 3 * 20 * LIMIT);
    // a resource has 10 series: 20 x limit resources are 200 x limit series
    assertResources(SampleFilter.builder().projectId("p3").build(), LIMIT, LIMIT, 3 * 20 * 10 * LIMIT);
    assertResources(SampleFilter.builder().projectId("p3").meter("m3").build(), LIMIT, LIMIT, 3 * 20 * LIMIT);
  }

  @Test
  void resourcesReadAboutLimitRows() {
    assertResources(SampleFilter.ALL, LIMIT, LIMIT);
    assertResources(SampleFilter.builder().resourceId("r5").build(), 1, 1);
    assertResources(SampleFilter.builder().resourceId("no-such-resource").build(), 1, 0);
    // by meter name: one series per resource through (meter_id, first_seq)
    assertResources(SampleFilter.builder().meter("m3").build(), LIMIT, LIMIT);
    assertResources(SampleFilter.builder().meter("m3").resourceId("r5").build(), LIMIT, 1);
    assertResources(SampleFilter.builder().meter("no-such-meter").build(), LIMIT, 0);
  }

  @Test
  void resourcesWithoutMeterMetadataOrWindowWalkTheOwnersSpans() {
    // a page of resources reads about `limit` spans (walked, each checked for an earlier one of its
    // resource id among its other owners: none here) and only the listed resources' series, once (10
    // each, one pass for the range, the newest owner and the meters): never the series of resources
    // it does not list
    // (past OWNER_WALKS owners the walk reads limit over the fraction matched: see the test above)
    for (SampleFilter f : List.of(SampleFilter.ALL, SampleFilter.builder().resourceId("r5").build())) {
      PostgresListings.Resolved ids = resolve(f);
      List<dev.altimeter.storage.Resource> listed = store.resources(f, LIMIT).collectList().block(TIMEOUT);
      Map<String, Long> read = rowsRead(PostgresListings.resources(store.reader().json(), f, ids, LIMIT));
      assertThat(read.getOrDefault("resource_span", 0L)).as("%s: %s", f, read).isLessThanOrEqualTo(listed.size());
      assertThat(read.getOrDefault("series", 0L)).as("%s: %s", f, read).isLessThanOrEqualTo(10L * listed.size());
      assertThat(read.getOrDefault("sample", 0L)).as("%s: %s", f, read).isZero();
    }
  }

  @Test
  void resourcesInATimeWindowProbeTheSamplesOncePerResource() {
    Instant t0 = Instant.parse("2024-03-01T00:00:00Z");
    // a window every resource has samples in: about limit resources' series and a few samples each
    SampleFilter day = SampleFilter.builder().start(t0, true).end(t0.plusSeconds(20 * 3600), false).build();
    assertResources(day, LIMIT, LIMIT);
    // with a meter, PostgreSQL 15 reads 1,820 samples here (91 per resource listed; each resource has
    // about 72 samples in this window, all meters), 17 under 2,000: the meter-filtered probes walk
    // the owner's (resource_pk, timestamp) index skipping other meters' rows. Whether 15's count grows
    // with the window is not checked yet (issue 13): this bound holds it to twice the others'
    assertResources(day.toBuilder().meter("m3").build(), LIMIT, LIMIT, 2 * 10 * 10 * LIMIT);
    assertResources(day.toBuilder().resourceId("r5").build(), LIMIT, 1);
    assertResources(day.toBuilder().resourceId("r7").metadata("n", 7L).build(), LIMIT, 1);
    // a window only 10 resources have samples in (the first 100 seconds): every resource id is
    // checked once (its first series), one index probe of its samples, which reads no sample
    // outside the window; never an aggregate of the window's samples
    SampleFilter first = SampleFilter.builder().start(t0, true).end(t0.plusSeconds(100), false).build();
    PostgresListings.Resolved ids = resolve(first);
    assertThat(store.resources(first, LIMIT).collectList().block(TIMEOUT)).hasSize(10)
        .allSatisfy(r -> assertThat(r.lastSampleTimestamp()).isBefore(t0.plusSeconds(100)));
    Map<String, Long> read = rowsRead(PostgresListings.resources(store.reader().json(), first, ids, LIMIT));
    assertThat(read.getOrDefault("sample", 0L)).as("%s", read).isLessThanOrEqualTo(10 * LIMIT);
    assertThat(read.getOrDefault("series", 0L)).as("%s", read).isLessThanOrEqualTo(3L * RESOURCES * 10);
  }

  @Test
  void samplesOfManyOwnersReadLimitOverTheFractionMatched() {
    // 50 owners: past the per-owner walks, the time index filtered on the owner; 1 sample in 20
    // matches, so the walk reads about 20 x limit (documented; a rare filter naming many owners is slow)
    assertSamples(SampleFilter.builder().projectId("p3").build(), LIMIT, 20 * LIMIT);
  }

  private static void assertSamples(SampleFilter f, int expected) {
    // a walk reads its rows plus the ties of its last timestamp (none here)
    assertSamples(f, expected, 10 * LIMIT);
  }

  private static void assertSamples(SampleFilter f, int expected, int bound) {
    PostgresListings.Resolved ids = resolve(f);
    assertThat(store.samples(f, LIMIT).collectList().block(TIMEOUT)).as("%s", f).hasSize(expected);
    assertBounded(f, PostgresListings.samples(store.reader().json(), f, ids, LIMIT), bound);
  }

  private static void assertMeters(SampleFilter f, boolean unique, int expected) {
    // a series is read when walked; its group (the same meter's series of its resource id's other
    // owners, for an earlier one and the newest) only when the resource id has other owners: none here.
    // (A unique listing's walk per meter also passes other owners' series: 4 per meter for project p3.)
    assertMeters(f, unique, expected, 2 * LIMIT);
  }

  private static void assertMeters(SampleFilter f, boolean unique, int expected, int bound) {
    PostgresListings.Resolved ids = resolve(f);
    assertThat(store.meters(f, unique, LIMIT).collectList().block(TIMEOUT)).as("%s", f).hasSize(expected);
    assertBounded(f, PostgresListings.meters(store.reader().json(), f, ids, unique, LIMIT), bound);
  }

  private static void assertResources(SampleFilter f, int limit, int expected) {
    // each of a resource's 10 series is read a few times: walked, checked, aggregated, listed as a meter
    assertResources(f, limit, expected, 10 * 10 * limit);
  }

  private static void assertResources(SampleFilter f, int limit, int expected, int bound) {
    PostgresListings.Resolved ids = resolve(f);
    assertThat(store.resources(f, limit).collectList().block(TIMEOUT)).as("%s", f).hasSize(expected);
    assertBounded(f, PostgresListings.resources(store.reader().json(), f, ids, limit), bound);
  }

  /** Resolves the filter's dictionary values, checking that the resolution reads few rows itself. */
  private static PostgresListings.Resolved resolve(SampleFilter f) {
    PostgresListings.Sql resolution = PostgresListings.resolution(store.reader().json(), f);
    if (resolution != null) {
      Map<String, Long> read = rowsRead(resolution);
      // a resource owner index lookup (at most OWNER_WALKS + 1) or the meter table
      assertThat(read.getOrDefault("resource", 0L)).as("resolution of %s: %s", f, read)
          .isLessThanOrEqualTo(PostgresListings.OWNER_WALKS + 1);
      assertThat(read.getOrDefault("sample", 0L) + read.getOrDefault("series", 0L)).isZero();
    }
    return PostgresListings.resolve(store.reader(), f).block(TIMEOUT);
  }

  private static void assertBounded(SampleFilter f, PostgresListings.Sql sql, int bound) {
    if (sql == null) return; // matches nothing: nothing is read
    Map<String, Long> read = rowsRead(sql);
    long big = read.getOrDefault("sample", 0L) + read.getOrDefault("series", 0L)
        + read.getOrDefault("resource_metadata", 0L) + read.getOrDefault("resource_span", 0L);
    assertThat(big).as("rows read for %s: %s", f, read).isLessThanOrEqualTo(bound);
    // owners are looked up by key: never the whole resource table (past OWNER_WALKS owners, one
    // lookup per series walked)
    assertThat(read.getOrDefault("resource", 0L)).as("rows read for %s: %s", f, read)
        .isLessThan(Math.max(RESOURCES / 2, read.getOrDefault("series", 0L)));
  }

  /** The rows each table's scans read (returned and removed by filters), partitions as "sample". */
  private static Map<String, Long> rowsRead(PostgresListings.Sql sql) {
    String plan = store.reader().query("EXPLAIN (ANALYZE, FORMAT JSON) " + sql.text(), sql.binds(),
        row -> row.get(0, String.class)).blockFirst(TIMEOUT);
    Map<String, Long> read = new TreeMap<>();
    add(JsonMapper.builder().build().readTree(plan).get(0).get("Plan"), read);
    return read;
  }

  private static void add(JsonNode node, Map<String, Long> read) {
    if (node.has("Relation Name")) {
      String table = node.get("Relation Name").asString().replaceFirst("^sample_\\d{8}$", "sample");
      long loops = node.path("Actual Loops").asLong();
      long rows = node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong()
          + node.path("Rows Removed by Index Recheck").asLong();
      read.merge(table, rows * loops, Long::sum);
    }
    for (JsonNode child : node.path("Plans")) add(child, read);
  }

  private static void execute(List<String> statements) {
    Mono.usingWhen(TestPostgres.storage().connectionFactory().create(),
            c -> Flux.fromIterable(statements)
                .concatMap(s -> Flux.from(c.createStatement(s).execute()).flatMap(r -> r.getRowsUpdated()))
                .then(),
            Connection::close)
        .block(TIMEOUT);
  }
}
