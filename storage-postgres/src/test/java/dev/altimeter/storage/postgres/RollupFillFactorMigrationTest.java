package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * V10 leaves half of each page of the rollup spans and of series free (HOT bucket updates): spans
 * made before it are altered, spans the store makes after it are created so.
 */
class RollupFillFactorMigrationTest {
  @Test
  void spansOfV9AndNewSpansAndSeriesLeaveHalfAPageFree() throws Exception {
    MigrationDatabase database = new MigrationDatabase("altimeter_fillfactor_test");
    database.migrate("9");
    long day = Instant.parse("2026-11-30T00:00:00Z").getEpochSecond();
    try (Connection db = database.connect();
         Statement st = db.createStatement()) {
      // a span as the store made it before V10
      st.execute(RollupPartitions.createLevel(60));
      st.execute("CREATE TABLE rollup_60_20261130 PARTITION OF rollup_60"
          + " FOR VALUES FROM (to_timestamp(" + day + ")) TO (to_timestamp(" + (day + 86_400) + "))");
      assertThat(fillFactor(st, "rollup_60_20261130")).isNull();
    }
    database.migrate("latest");
    try (Connection db = database.connect();
         Statement st = db.createStatement()) {
      st.execute(RollupPartitions.createSpan(60, day + 86_400));
      assertThat(fillFactor(st, "rollup_60_20261130")).isEqualTo("50");
      assertThat(fillFactor(st, RollupPartitions.span(60, day + 86_400))).isEqualTo("50");
      assertThat(fillFactor(st, "series")).isEqualTo("50");
      assertThat(RollupPartitions.FILL_FACTOR).isEqualTo(50);
    }
  }

  /** The table's fillfactor storage parameter, or null when it has the default. */
  private static String fillFactor(Statement st, String table) throws Exception {
    try (ResultSet rs = st.executeQuery("SELECT option_value FROM pg_options_to_table("
        + "(SELECT reloptions FROM pg_class WHERE relname = '" + table + "')) WHERE option_name = 'fillfactor'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
