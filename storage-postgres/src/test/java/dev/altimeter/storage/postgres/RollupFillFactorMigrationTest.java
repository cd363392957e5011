package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.TestPostgres;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V10 leaves half of each page of the rollup spans and of series free (HOT bucket updates): spans
 * made before it are altered, spans the store makes after it are created so.
 */
class RollupFillFactorMigrationTest {
  private static final String DATABASE = "altimeter_fillfactor_test";

  @Test
  void spansOfV9AndNewSpansAndSeriesLeaveHalfAPageFree() throws Exception {
    ConnectionFactoryOptions server = ConnectionFactoryOptions.parse(TestPostgres.r2dbcUrl());
    Object port = server.getValue(ConnectionFactoryOptions.PORT);
    String base = "jdbc:postgresql://" + server.getRequiredValue(ConnectionFactoryOptions.HOST) + ":"
        + (port == null ? 5432 : port) + "/";
    String user = server.getRequiredValue(ConnectionFactoryOptions.USER).toString();
    Object secret = server.getValue(ConnectionFactoryOptions.PASSWORD);
    String password = secret == null ? null : secret.toString();
    try (Connection admin = DriverManager.getConnection(base + "postgres", user, password);
         Statement st = admin.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + DATABASE);
      st.execute("CREATE DATABASE " + DATABASE);
    }
    migrate(base, user, password, "9");
    long day = Instant.parse("2026-11-30T00:00:00Z").getEpochSecond();
    try (Connection db = DriverManager.getConnection(base + DATABASE, user, password);
         Statement st = db.createStatement()) {
      // a span as the store made it before V10
      st.execute(RollupPartitions.createLevel(60));
      st.execute("CREATE TABLE rollup_60_20261130 PARTITION OF rollup_60"
          + " FOR VALUES FROM (to_timestamp(" + day + ")) TO (to_timestamp(" + (day + 86_400) + "))");
      assertThat(fillFactor(st, "rollup_60_20261130")).isNull();
    }
    migrate(base, user, password, "latest");
    try (Connection db = DriverManager.getConnection(base + DATABASE, user, password);
         Statement st = db.createStatement()) {
      st.execute(RollupPartitions.createSpan(60, day + 86_400));
      assertThat(fillFactor(st, "rollup_60_20261130")).isEqualTo("50");
      assertThat(fillFactor(st, RollupPartitions.span(60, day + 86_400))).isEqualTo("50");
      assertThat(fillFactor(st, "series")).isEqualTo("50");
      assertThat(RollupPartitions.FILL_FACTOR).isEqualTo(50);
    }
  }

  private static void migrate(String base, String user, String password, String target) {
    Flyway.configure(PostgresStorage.class.getClassLoader())
        .dataSource(base + DATABASE, user, password)
        .locations("classpath:db/migration/altimeter")
        .table("altimeter_schema_history")
        .target(target)
        .load()
        .migrate();
  }

  /** The table's fillfactor storage parameter, or null when it has the default. */
  private static String fillFactor(Statement st, String table) throws Exception {
    try (ResultSet rs = st.executeQuery("SELECT option_value FROM pg_options_to_table("
        + "(SELECT reloptions FROM pg_class WHERE relname = '" + table + "')) WHERE option_name = 'fillfactor'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
