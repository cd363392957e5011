package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** V5 moves the rows of the trait table into their events: what was stored before reads back the same. */
class EventTraitsMigrationTest {
  private static final String DATABASE = "altimeter_migration_test";

  @Test
  void traitRowsOfV4BecomeTheEventsTraits() throws Exception {
    ConnectionFactoryOptions server = ConnectionFactoryOptions.parse(TestPostgres.r2dbcUrl());
    String host = server.getRequiredValue(ConnectionFactoryOptions.HOST).toString();
    Object port = server.getValue(ConnectionFactoryOptions.PORT);
    String base = "jdbc:postgresql://" + host + ":" + (port == null ? 5432 : port) + "/";
    String user = server.getRequiredValue(ConnectionFactoryOptions.USER).toString();
    Object secret = server.getValue(ConnectionFactoryOptions.PASSWORD);
    String password = secret == null ? null : secret.toString();
    try (Connection admin = DriverManager.getConnection(base + "postgres", user, password);
         Statement st = admin.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + DATABASE);
      st.execute("CREATE DATABASE " + DATABASE);
    }
    Flyway flyway = Flyway.configure(PostgresStorage.class.getClassLoader())
        .dataSource(base + DATABASE, user, password)
        .locations("classpath:db/migration/altimeter")
        .table("altimeter_schema_history")
        .target("4")
        .load();
    flyway.migrate();
    try (Connection db = DriverManager.getConnection(base + DATABASE, user, password);
         Statement st = db.createStatement()) {
      st.execute("INSERT INTO event_type (name) VALUES ('compute.instance.exists')");
      st.execute("""
          INSERT INTO event (message_id, event_type_id, generated, raw) VALUES
            ('m-1', 1, '2026-11-25 10:00:00.123456+00', '{"payload": {"a": 1}}'),
            ('m-2', 1, '2026-11-25 10:00:01+00', NULL)""");
      // positions out of insertion order, and every type
      st.execute("""
          INSERT INTO trait (event_id, position, name, type, t_string, t_int, t_float, t_datetime) VALUES
            (1, 2, 'load', 'float', NULL, NULL, 0.25, NULL),
            (1, 0, 'state', 'string', 'active', NULL, NULL, NULL),
            (1, 1, 'vcpus', 'integer', NULL, 4, NULL, NULL),
            (1, 3, 'launched_at', 'datetime', NULL, NULL, NULL, '2012-05-08 20:23:47.985999+00'),
            (1, 4, 'ratio', 'float', NULL, NULL, 'NaN', NULL)""");
    }
    Flyway.configure(PostgresStorage.class.getClassLoader())
        .dataSource(base + DATABASE, user, password)
        .locations("classpath:db/migration/altimeter")
        .table("altimeter_schema_history")
        .load()
        .migrate();

    ConnectionFactory migrated = ConnectionFactories.get(server.mutate()
        .option(ConnectionFactoryOptions.DATABASE, DATABASE).build());
    List<Event> events = new PostgresEventStore(migrated).events(EventFilter.ALL, 10)
        .collectList().block(Duration.ofSeconds(30));
    assertThat(events).containsExactly(
        new Event("m-1", "compute.instance.exists", Instant.parse("2026-11-25T10:00:00.123456Z"), List.of(
            new Trait("state", TraitType.STRING, "active"),
            new Trait("vcpus", TraitType.INTEGER, 4L),
            new Trait("load", TraitType.FLOAT, 0.25),
            new Trait("launched_at", TraitType.DATETIME, Instant.parse("2012-05-08T20:23:47.985999Z")),
            new Trait("ratio", TraitType.FLOAT, Double.NaN)), Map.of("payload", Map.of("a", 1))),
        new Event("m-2", "compute.instance.exists", Instant.parse("2026-11-25T10:00:01Z"), List.of(), Map.of()));
  }
}
