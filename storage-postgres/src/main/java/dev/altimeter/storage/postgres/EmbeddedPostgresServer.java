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
import org.postgresql.PGConnection;
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
  /** The superuser, the only role: the service owns the whole cluster. */
  static final String USER = "postgres";
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
  private final String password;
  private final String version;
  private final Optional<ProcessHandle> postmaster;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, String password, String version,
      Optional<ProcessHandle> postmaster) {
    this.postgres = postgres;
    this.password = password;
    this.version = version;
    this.postmaster = postmaster;
  }

  /**
   * Starts the server with its cluster in {@code dataDir/postgresql}, created on first start.
   *
   * <p>Every connection needs the password of role {@code postgres}, kept in {@link #passwordFile}
   * (created with a random password on first start). A cluster of a version before the password
   * (every line of pg_hba.conf {@code trust}) gets it at its next start: the password is set while
   * trust still admits the service, pg_hba.conf is rewritten and the server restarted on it (a
   * restart rather than {@code pg_reload_conf()}, whose effect comes at some later moment).
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
      Path passwordFile = passwordFile(dataDir);
      String password = ClusterPassword.readOrCreate(passwordFile, cluster);
      EmbeddedPostgres pg = launch(cluster, port, startupWait, durability, password, passwordFile);
      try {
        if (admitsWithoutPassword(pg)) {
          LOG.warn("The embedded PostgreSQL in {} admits local connections without a password (a data directory of"
              + " an earlier version); setting the password kept in {} and restarting it to require it", cluster,
              passwordFile);
          try (Connection c = pg.getPostgresDatabase().getConnection()) {
            // sends the SCRAM verifier, not the password: it appears in no server log
            c.unwrap(PGConnection.class).alterUserPassword(USER, password.toCharArray(), ClusterPassword.METHOD);
          }
          ClusterPassword.requirePassword(cluster);
          EmbeddedPostgres trusting = pg;
          pg = null;
          new EmbeddedPostgresServer(trusting, password, "", StalePostmaster.running(cluster)).close();
          pg = launch(cluster, port, startupWait, durability, password, passwordFile);
          if (admitsWithoutPassword(pg)) {
            throw new IllegalStateException("pg_hba.conf of " + cluster + " still admits connections without a password");
          }
        }
        return new EmbeddedPostgresServer(pg, password, prepare(pg), StalePostmaster.running(cluster));
      } catch (IOException | SQLException | RuntimeException e) {
        IllegalStateException failure = new IllegalStateException(
            "Embedded PostgreSQL in " + dataDir + " started but is unusable", e);
        try {
          if (pg != null) pg.close();
        } catch (IOException | RuntimeException stop) {
          failure.addSuppressed(stop);
        }
        throw failure;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start embedded PostgreSQL with data in " + dataDir, e);
    }
  }

  /**
   * Where the password of role {@code postgres} of the embedded server on {@code dataDir} is kept;
   * readable by its owner only.
   */
  static Path passwordFile(Path dataDir) {
    return dataDir.resolve("postgresql.password");
  }

  /** Starts the server on {@code cluster} (initdb first when it is new) and waits until it accepts connections. */
  private static EmbeddedPostgres launch(Path cluster, int port, Duration startupWait, Durability durability,
      String password, Path passwordFile) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(cluster.toFile())
        .setCleanDataDirectory(false)
        .setPGStartupWait(startupWait)
        // the service stops the server in close(), after its pipeline has drained into it; zonky's
        // own hook would stop it concurrently with that drain
        .setRegisterShutdownHook(false)
        .setServerConfig("max_connections", "100")
        // every connection zonky makes (its readiness check, getPostgresDatabase) logs in with it
        .setConnectConfig("password", password);
    if (!Files.exists(cluster.resolve("postgresql.conf"))) {
      // zonky runs initdb when there is no postgresql.conf, with "-A trust" and then each of these
      // as --key=value, which win over it: the new cluster never admits anyone without the password
      builder.setLocaleConfig("auth", ClusterPassword.METHOD)
          .setLocaleConfig("pwfile", passwordFile.toString());
    }
    if (durability == Durability.DURABLE) {
      // zonky passes -F (fsync off) and synchronous_commit=off; a later -c wins over -F
      builder.setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on");
    }
    if (port > 0) builder.setPort(port);
    try (ProgressLog progress = new ProgressLog(LOG, "the embedded PostgreSQL in " + cluster + " to accept connections",
        startupWait, " (after a crash it first replays its write-ahead log; altimeter.embedded.startup-wait sets the limit)")) {
      return builder.start();
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
  }

  /**
   * Whether the server's pg_hba.conf (as the server reads it) admits some connection by another
   * method than the password, or has a line the server cannot read.
   */
  private static boolean admitsWithoutPassword(EmbeddedPostgres pg) throws SQLException {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL"
             + " OR auth_method <> '" + ClusterPassword.METHOD + "'")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  /** Creates the service's database when missing; returns the server's version. */
  private static String prepare(EmbeddedPostgres pg) throws SQLException {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (!rs.next()) st.execute("CREATE DATABASE " + DATABASE);
      }
      try (ResultSet rs = st.executeQuery("SHOW server_version")) {
        rs.next();
        return rs.getString(1);
      }
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
        .option(ConnectionFactoryOptions.USER, USER)
        .option(ConnectionFactoryOptions.PASSWORD, password)
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
