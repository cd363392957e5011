package dev.altimeter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.postgres.PostgresStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The COPY load ({@link CopyLoad}) leaves the tables the write path's load leaves: the same samples
 * written through {@code PostgresSampleStore.write} into one database and copied into another, then
 * every table the write path derives (rollup of each granularity, series, resource_span), the
 * dictionaries, the samples and the partitions compared row by row, by natural keys (dictionary ids
 * differ). Sums and m2 may differ by rounding (the write path merges them batch by batch); counts,
 * minima, maxima, times and seqs must be equal.
 *
 * <p>3 resources x 10 meters x 200 samples from 22:00 UTC: two days, so the series fold of the second
 * day's partition merges into the rows of the first; write batches of 50 (about 2 minutes of the
 * 30 series each), one at a time so the seqs follow the load order as the COPY load's do.
 */
class CopyLoadEquivalenceTest {
  private static final int RESOURCES = 3;
  private static final int PER_SERIES = 200;
  private static final int BATCH = 50;
  private static final Instant START = Instant.parse("2024-07-01T22:00:00Z");
  private static final double ROUNDING = 1e-9;

  private static final List<Store> stores = new ArrayList<>();
  private static Store written;
  private static Store copied;

  /** An embedded cluster of its own (throwaway: fsync off) and a JDBC connection to it. */
  record Store(PostgresStorage storage, Path data, int port, Connection db) {
    static Store start() throws Exception {
      Path data = Files.createTempDirectory("altimeter-copyload");
      int port = IngestBenchmark.freePort();
      PostgresStorage storage = PostgresStorage.start(new PostgresStorage.Config(null, null, null, data, port, 4,
          PostgresStorage.Config.DEFAULT_EMBEDDED_STARTUP_WAIT, false));
      Store s = new Store(storage, data, port, IngestBenchmark.embeddedStore(data, port));
      stores.add(s);
      return s;
    }

    Connection connect() throws Exception {
      return IngestBenchmark.embeddedStore(data, port);
    }
  }

  @BeforeAll
  static void load() throws Exception {
    written = Store.start();
    QueryBenchmark.load(written.storage().store(), RESOURCES, PER_SERIES, START, BATCH, 1);
    copied = Store.start();
    CopyLoad.load(copied.storage().store(), copied::connect, RESOURCES, PER_SERIES, START, BATCH);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Store s : stores) {
      s.db().close();
      s.storage().close();
      QueryBenchmark.deleteTree(s.data());
    }
  }

  @Test
  void rollupsOfEveryGranularityAreTheWritePaths() throws Exception {
    String sql = """
        SELECT x.granularity, m.name, r.resource_id, x.bucket, x.count, x.sum, x.min, x.max, x.m2,
               x.first_timestamp, x.last_timestamp, x.first_seq
        FROM rollup x JOIN meter m ON m.id = x.meter_id JOIN resource r ON r.id = x.resource_pk
        ORDER BY 1, 2, 3, 4""";
    List<List<Object>> rows = rows(written.db(), sql);
    // 60 s: one bucket per sample; 3600 s: 4 hours (22:00-01:20)
    assertThat(rows).hasSize(RESOURCES * 10 * (PER_SERIES + 4));
    assertSameRows(rows, rows(copied.db(), sql));
    // the meters' rows of all owners (resource_pk < 0: one per shard, and the writer spreads its
    // batches over the shards where the load folds into shard 0), merged across shards
    String allOwners = """
        SELECT x.granularity, m.name, x.bucket, sum(x.count), sum(x.sum), min(x.min), max(x.max),
               min(x.first_timestamp), max(x.last_timestamp), min(x.first_seq)
        FROM rollup x JOIN meter m ON m.id = x.meter_id WHERE x.resource_pk < 0
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""";
    List<List<Object>> merged = rows(written.db(), allOwners);
    assertThat(merged).hasSize(10 * (PER_SERIES + 4));
    assertSameRows(merged, rows(copied.db(), allOwners));
    assertThat(rows(copied.db(), "SELECT seconds FROM rollup_granularity ORDER BY 1"))
        .isEqualTo(rows(written.db(), "SELECT seconds FROM rollup_granularity ORDER BY 1"));
  }

  @Test
  void seriesFirstLastAndTotalsAreTheWritePaths() throws Exception {
    String sql = """
        SELECT m.name, r.resource_id, x.first_seq, x.first_timestamp, x.last_timestamp, md.hash,
               x.count, x.sum, x.min, x.max, x.m2
        FROM series x JOIN meter m ON m.id = x.meter_id JOIN resource r ON r.id = x.resource_pk
        JOIN resource_metadata md ON md.id = x.last_metadata_id
        ORDER BY 1, 2""";
    List<List<Object>> rows = rows(written.db(), sql);
    assertThat(rows).hasSize(RESOURCES * 10);
    assertSameRows(rows, rows(copied.db(), sql));
  }

  @Test
  void resourceSpansAreTheWritePaths() throws Exception {
    String sql = "SELECT r.resource_id, sp.first_seq FROM resource_span sp JOIN resource r ON r.id = sp.resource_pk"
        + " ORDER BY 1";
    List<List<Object>> rows = rows(written.db(), sql);
    assertThat(rows).hasSize(RESOURCES);
    assertSameRows(rows, rows(copied.db(), sql));
  }

  @Test
  void samplesDictionariesAndPartitionsAreTheWritePaths() throws Exception {
    for (String sql : List.of(
        """
        SELECT s.message_id, s.timestamp, m.name, r.resource_id, md.hash, s.volume, s.seq, s.message_signature
        FROM sample s JOIN meter m ON m.id = s.meter_id JOIN resource r ON r.id = s.resource_pk
        JOIN resource_metadata md ON md.id = s.metadata_id ORDER BY s.seq""",
        "SELECT name, type, unit FROM meter ORDER BY 1",
        "SELECT resource_id, user_id, project_id, source FROM resource ORDER BY 1",
        "SELECT hash, doc::text FROM resource_metadata ORDER BY 1",
        // the next sample of either continues after the loaded ones
        "SELECT last_value FROM sample_seq",
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " WHERE c.relname LIKE 'sample%' OR c.relname LIKE 'rollup%' ORDER BY 1")) {
      assertSameRows(rows(written.db(), sql), rows(copied.db(), sql));
    }
    assertThat(IngestBenchmark.count(copied.db(), "SELECT count(*) FROM sample"))
        .isEqualTo((long) RESOURCES * 10 * PER_SERIES);
  }

  /** Equal row by row; doubles equal up to {@link #ROUNDING} (relative, or absolute near 0). */
  static void assertSameRows(List<List<Object>> expected, List<List<Object>> actual) {
    assertThat(actual).as("rows").hasSameSizeAs(expected);
    for (int r = 0; r < expected.size(); r++) {
      List<Object> e = expected.get(r);
      List<Object> a = actual.get(r);
      assertThat(a).as("row %d", r).hasSameSizeAs(e);
      for (int c = 0; c < e.size(); c++) {
        if (e.get(c) instanceof Double x && a.get(c) instanceof Double y) {
          assertThat(Math.abs(x - y)).as("row %s column %d: %s against %s", e, c, y, x)
              .isLessThanOrEqualTo(ROUNDING * Math.max(1, Math.abs(x)));
        } else {
          assertThat(a.get(c)).as("row %s column %d", e, c).isEqualTo(e.get(c));
        }
      }
    }
  }

  static List<List<Object>> rows(Connection db, String sql) throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(columns);
        for (int c = 1; c <= columns; c++) row.add(rs.getObject(c));
        rows.add(row);
      }
    }
    return rows;
  }
}
