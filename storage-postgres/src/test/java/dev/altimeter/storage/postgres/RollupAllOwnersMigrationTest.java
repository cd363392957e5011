package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.altimeter.storage.ArchivePolicy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * V13 merges the series' rollup rows a database already holds into the rows of all the owners of
 * each meter (shard 0), as the writer would have made them: count, sum, min, max, the squared
 * deviations by Chan's merge, the first and last times and the first seq. A V7 database's rollups,
 * moved at the store's first start, get theirs then.
 */
class RollupAllOwnersMigrationTest {
  /** The migration is frozen history, the store's statement is code: the two must not drift apart. */
  @Test
  void theMigrationRunsTheStoresStatement() {
    String migration = SampleDerivations.migrationStatement("V13__rollup_all_owners.sql", "INSERT INTO rollup");
    assertThat(migration.replaceAll("\\s+", " ").strip())
        .isEqualTo(PostgresRollups.allOwnersFrom("rollup").replaceAll("\\s+", " ").strip());
  }

  @Test
  void seriesRowsOfV12AreMergedIntoOneAllOwnersRowPerBucket() throws Exception {
    MigrationDatabase database = new MigrationDatabase("altimeter_all_owners_test");
    database.migrate("12");
    long hour = Instant.parse("2026-11-30T10:00:00Z").getEpochSecond();
    database.execute(RollupPartitions.createLevel(3600),
        RollupPartitions.createSpan(3600, RollupPartitions.spanStart(3600, hour)), seriesRows(hour));
    database.migrate("latest");
    assertMerged(database, hour);
  }

  /**
   * A V7 database (rollups in one table, left as rollup_v7 by V9): the store's first start moves its
   * rows into the partitions and merges their all-owners rows as V13 does.
   */
  @Test
  void seriesRowsOfV7AreMergedWhenTheStoreMovesThemIntoThePartitions() throws Exception {
    MigrationDatabase database = new MigrationDatabase("altimeter_all_owners_v7_test");
    database.migrate("8");
    long hour = Instant.parse("2026-11-30T10:00:00Z").getEpochSecond();
    database.execute(seriesRows(hour));
    database.migrate("latest");
    PostgresRollups.apply(database.r2dbc(), ArchivePolicy.parse("policy", ArchivePolicy.DEFAULT))
        .block(Duration.ofSeconds(60));
    assertMerged(database, hour);
  }

  /** Meter 1's bucket: resource 1 holds {1, 2, 3}, resource 2 {10, 20}; meter 2's: resource 1 {5}. */
  private static String seriesRows(long hour) {
    return "INSERT INTO rollup VALUES"
        + " (3600, 1, 1, to_timestamp(" + hour + "), 3, 6, 1, 3, 2, to_timestamp(" + (hour + 5) + "),"
        + " to_timestamp(" + (hour + 50) + "), 40),"
        + " (3600, 1, 2, to_timestamp(" + hour + "), 2, 30, 10, 20, 50, to_timestamp(" + (hour + 1) + "),"
        + " to_timestamp(" + (hour + 20) + "), 41),"
        + " (3600, 2, 1, to_timestamp(" + hour + "), 1, 5, 5, 5, 0, to_timestamp(" + (hour + 9) + "),"
        + " to_timestamp(" + (hour + 9) + "), 7)";
  }

  private static void assertMerged(MigrationDatabase database, long hour) throws Exception {
    try (Connection db = database.connect();
         Statement st = db.createStatement();
         ResultSet rs = st.executeQuery("SELECT meter_id, resource_pk, count, sum, min, max, m2, extract(epoch FROM first_timestamp)"
             + " AS t0, extract(epoch FROM last_timestamp) AS t1, first_seq FROM rollup x WHERE "
             + PostgresRollups.ALL_OWNERS + " ORDER BY meter_id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt("meter_id")).isEqualTo(1);
      assertThat(rs.getLong("resource_pk")).as("shard 0").isEqualTo(-1);
      assertThat(rs.getLong("count")).isEqualTo(5);
      assertThat(rs.getDouble("sum")).isEqualTo(36);
      assertThat(rs.getDouble("min")).isEqualTo(1);
      assertThat(rs.getDouble("max")).isEqualTo(20);
      // {1, 2, 3, 10, 20}: mean 7.2, squared deviations 38.44 + 27.04 + 17.64 + 7.84 + 163.84
      assertThat(rs.getDouble("m2")).isCloseTo(254.8, within(1e-9));
      assertThat(rs.getLong("t0")).isEqualTo(hour + 1);
      assertThat(rs.getLong("t1")).isEqualTo(hour + 50);
      assertThat(rs.getLong("first_seq")).isEqualTo(40);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt("meter_id")).isEqualTo(2);
      assertThat(rs.getLong("count")).isEqualTo(1);
      assertThat(rs.getDouble("m2")).isZero();
      assertThat(rs.next()).as("one row per meter and bucket").isFalse();
    }
  }
}
