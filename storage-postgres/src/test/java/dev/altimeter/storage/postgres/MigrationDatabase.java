package dev.altimeter.storage.postgres;

import dev.altimeter.storage.TestPostgres;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/**
 * A database of its own on the test server, for the migration tests: made empty, migrated to a
 * version, then to the latest with the data of the older version in it.
 */
final class MigrationDatabase {
  private final String name;
  private final ConnectionFactoryOptions server;
  private final String base;
  private final String user;
  private final String password;

  /** Drops and creates database {@code name} on the test server. */
  MigrationDatabase(String name) throws SQLException {
    this.name = name;
    server = ConnectionFactoryOptions.parse(TestPostgres.r2dbcUrl());
    Object port = server.getValue(ConnectionFactoryOptions.PORT);
    base = "jdbc:postgresql://" + server.getRequiredValue(ConnectionFactoryOptions.HOST) + ":"
        + (port == null ? 5432 : port) + "/";
    user = server.getRequiredValue(ConnectionFactoryOptions.USER).toString();
    Object secret = server.getValue(ConnectionFactoryOptions.PASSWORD);
    password = secret == null ? null : secret.toString();
    try (Connection admin = DriverManager.getConnection(base + "postgres", user, password);
         Statement st = admin.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name);
      st.execute("CREATE DATABASE " + name);
    }
  }

  /** Applies the store's migrations up to {@code target} (a version, or "latest"). */
  void migrate(String target) {
    Flyway.configure(PostgresStorage.class.getClassLoader())
        .dataSource(base + name, user, password)
        .locations("classpath:db/migration/altimeter")
        .table("altimeter_schema_history")
        .target(target)
        .load()
        .migrate();
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(base + name, user, password);
  }

  /** Runs {@code statements} in order (autocommit). */
  void execute(String... statements) throws SQLException {
    try (Connection db = connect();
         Statement st = db.createStatement()) {
      for (String sql : statements) st.execute(sql);
    }
  }

  /** The database as the store reaches it. */
  ConnectionFactory r2dbc() {
    return ConnectionFactories.get(server.mutate().option(ConnectionFactoryOptions.DATABASE, name).build());
  }
}
