package dev.altimeter.storage.postgres;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL server run as a child process from the binaries on the classpath (zonky), keeping its
 * data in a directory across restarts. Blocking; start-up only.
 */
final class EmbeddedPostgresServer implements AutoCloseable {
  static final String DATABASE = "altimeter";

  private final EmbeddedPostgres postgres;
  private final String version;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, String version) {
    this.postgres = postgres;
    this.version = version;
  }

  /** Starts the server with its cluster in {@code dataDir/postgresql}, created on first start. */
  static EmbeddedPostgresServer start(Path dataDir, int port) {
    try {
      Path cluster = dataDir.resolve("postgresql");
      Files.createDirectories(cluster);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(cluster.toFile())
          .setCleanDataDirectory(false)
          .setServerConfig("max_connections", "100");
      if (port > 0) builder.setPort(port);
      EmbeddedPostgres pg = builder.start();
      String version;
      try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
          if (!rs.next()) st.execute("CREATE DATABASE " + DATABASE);
        }
        try (ResultSet rs = st.executeQuery("SHOW server_version")) {
          rs.next();
          version = rs.getString(1);
        }
      } catch (SQLException e) {
        pg.close();
        throw new IllegalStateException("Embedded PostgreSQL in " + dataDir + " started but is unusable", e);
      }
      return new EmbeddedPostgresServer(pg, version);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start embedded PostgreSQL with data in " + dataDir, e);
    }
  }

  int port() {
    return postgres.getPort();
  }

  String version() {
    return version;
  }

  ConnectionFactoryOptions options() {
    return ConnectionFactoryOptions.builder()
        .option(ConnectionFactoryOptions.DRIVER, "postgresql")
        .option(ConnectionFactoryOptions.HOST, "localhost")
        .option(ConnectionFactoryOptions.PORT, port())
        .option(ConnectionFactoryOptions.DATABASE, DATABASE)
        .option(ConnectionFactoryOptions.USER, "postgres")
        .build();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
