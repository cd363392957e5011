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
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from the binaries on the classpath (zonky), keeping its data in a
 * directory across restarts. Blocking; start-up and shutdown only.
 *
 * <p>Crashes: zonky starts the server with {@code pg_ctl}, so it outlives a killed JVM; {@link
 * #start} stops such a leftover first ({@link StalePostmaster}) and then waits for the server as long
 * as its crash recovery takes (up to the start-up wait, with progress in the log).
 */
final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  static final String DATABASE = "altimeter";
  /** How long {@link #close} waits for the server to exit after zonky's {@code pg_ctl stop} (5 s) returns. */
  static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

  /** How durable commits are. */
  enum Durability {
    /** fsync, synchronous commit and full-page writes on: a commit is acknowledged once it is on disk. */
    DURABLE,
    /**
     * zonky's test settings (fsync and synchronous commit off): fast, and a crash of the machine
     * can lose or corrupt data. For throwaway test clusters only.
     */
    VOLATILE
  }

  private final EmbeddedPostgres postgres;
  private final String version;
  private final Optional<ProcessHandle> postmaster;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, String version, Optional<ProcessHandle> postmaster) {
    this.postgres = postgres;
    this.version = version;
    this.postmaster = postmaster;
  }

  /**
   * Starts the server with its cluster in {@code dataDir/postgresql}, created on first start.
   *
   * @param port 0 picks a free one
   * @param startupWait how long to wait for the server to accept connections (crash recovery
   *     included), and for a stale server left by a killed run to shut down
   */
  static EmbeddedPostgresServer start(Path dataDir, int port, Duration startupWait, Durability durability) {
    Path cluster = dataDir.resolve("postgresql");
    try {
      Files.createDirectories(cluster);
      StalePostmaster.clear(cluster, startupWait);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(cluster.toFile())
          .setCleanDataDirectory(false)
          .setPGStartupWait(startupWait)
          // the service stops the server in close(), after its pipeline has drained into it; zonky's
          // own hook would stop it concurrently with that drain
          .setRegisterShutdownHook(false)
          .setServerConfig("max_connections", "100");
      if (durability == Durability.DURABLE) {
        // zonky passes -F (fsync off) and synchronous_commit=off; a later -c wins over -F
        builder.setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on");
      }
      if (port > 0) builder.setPort(port);
      EmbeddedPostgres pg;
      try (ProgressLog progress = new ProgressLog(LOG, "the embedded PostgreSQL in " + cluster + " to accept connections",
          startupWait, " (after a crash it first replays its write-ahead log; altimeter.embedded.startup-wait sets the limit)")) {
        pg = builder.start();
      } catch (IOException | RuntimeException e) {
        // zonky leaves a server that was too slow running; stop it, so the next start is clean
        Optional<ProcessHandle> started = StalePostmaster.running(cluster);
        if (started.isPresent() && StalePostmaster.ownerOf(started.get(), cluster) == StalePostmaster.Owner.THIS_CLUSTER) {
          started.get().destroy();
          StalePostmaster.awaitExit(started.get(), SHUTDOWN_WAIT, "the embedded PostgreSQL (pid " + started.get().pid()
              + ") to stop");
        }
        throw e;
      }
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
      return new EmbeddedPostgresServer(pg, version, StalePostmaster.running(cluster));
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

  /**
   * Stops the server (fast shutdown: a checkpoint, then exit) and waits for it to exit, so that the
   * next start finds the directory free. zonky's stop gives up after 5 s; a checkpoint after heavy
   * writes can take longer.
   */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      postmaster.ifPresent(p -> {
        if (!StalePostmaster.awaitExit(p, SHUTDOWN_WAIT, "the embedded PostgreSQL (pid " + p.pid() + ") to stop")) {
          LOG.warn("The embedded PostgreSQL (pid {}) is still running {} s after the stop; the next start stops it",
              p.pid(), SHUTDOWN_WAIT.toSeconds());
        }
      });
    }
  }
}
