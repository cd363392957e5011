package dev.altimeter.storage.postgres;

import dev.altimeter.storage.ArchivePolicy;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.postgresql.extension.Extension;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.ValidationDepth;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL store with everything it needs: the server (external, or an embedded one started
 * here), the schema (migrated at start), a pool of R2DBC connections and the {@link
 * PostgresSampleStore} and {@link PostgresEventStore}. {@link #start} blocks (it starts processes and migrates); call it at
 * application start-up, never on an event loop. {@link #close} releases everything it started.
 */
public final class PostgresStorage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresStorage.class);
  /** Daily partitions created ahead of today (and one behind) at start and by {@link #maintain}. */
  public static final int PARTITION_DAYS_AHEAD = 3;

  private final EmbeddedPostgresServer embedded;
  private final ConnectionPool pool;
  private final PostgresSampleStore store;
  private final PostgresTokenStore tokens;
  private final PostgresEventStore eventStore;
  private final String description;

  private PostgresStorage(EmbeddedPostgresServer embedded, ConnectionPool pool, String description,
      ArchivePolicy policy) {
    this.embedded = embedded;
    this.pool = pool;
    this.store = new PostgresSampleStore(pool, policy);
    this.tokens = new PostgresTokenStore(pool);
    this.eventStore = new PostgresEventStore(pool);
    this.description = description;
  }

  /**
   * Where to store.
   *
   * @param r2dbcUrl an external server, e.g. {@code r2dbc:postgresql://db:5432/altimeter}; {@code
   *     null} starts an embedded PostgreSQL under {@code dataDir}
   * @param embeddedPort port of the embedded server; 0 picks a free one
   * @param embeddedStartupWait how long the embedded server may take to start, crash recovery included
   * @param embeddedDurable whether the embedded server's commits are on disk when acknowledged (fsync
   *     on); {@code false} only for throwaway test clusters
   * @param archivePolicy the rollups kept for statistics; the database is brought in line with it at
   *     start
   */
  public record Config(String r2dbcUrl, String username, String password, Path dataDir, int embeddedPort,
      int maxConnections, Duration embeddedStartupWait, boolean embeddedDurable, ArchivePolicy archivePolicy) {
    /** The service's start-up wait for the embedded server: crash recovery after heavy writes takes minutes. */
    public static final Duration DEFAULT_EMBEDDED_STARTUP_WAIT = Duration.ofMinutes(10);

    /** A durable embedded server with the default start-up wait. */
    public Config(String r2dbcUrl, String username, String password, Path dataDir, int embeddedPort,
        int maxConnections) {
      this(r2dbcUrl, username, password, dataDir, embeddedPort, maxConnections, DEFAULT_EMBEDDED_STARTUP_WAIT, true);
    }

    /** With the default archive policy ({@link ArchivePolicy#DEFAULT}). */
    public Config(String r2dbcUrl, String username, String password, Path dataDir, int embeddedPort,
        int maxConnections, Duration embeddedStartupWait, boolean embeddedDurable) {
      this(r2dbcUrl, username, password, dataDir, embeddedPort, maxConnections, embeddedStartupWait, embeddedDurable,
          ArchivePolicy.parse("archive policy", ArchivePolicy.DEFAULT));
    }
  }

  public static PostgresStorage start(Config config) {
    EmbeddedPostgresServer embedded = null;
    ConnectionFactoryOptions options;
    String description;
    if (config.r2dbcUrl() == null || config.r2dbcUrl().isBlank()) {
      embedded = EmbeddedPostgresServer.start(config.dataDir(), config.embeddedPort(), config.embeddedStartupWait(),
          config.embeddedDurable() ? EmbeddedPostgresServer.Durability.DURABLE
              : EmbeddedPostgresServer.Durability.VOLATILE);
      options = embedded.options();
      description = "embedded PostgreSQL " + embedded.version() + " with data in "
          + config.dataDir().toAbsolutePath().normalize() + " on port " + embedded.port();
    } else {
      ConnectionFactoryOptions.Builder b = ConnectionFactoryOptions.parse(config.r2dbcUrl()).mutate();
      if (config.username() != null) b.option(ConnectionFactoryOptions.USER, config.username());
      if (config.password() != null) b.option(ConnectionFactoryOptions.PASSWORD, config.password());
      options = b.build();
      description = "PostgreSQL at " + options.getValue(ConnectionFactoryOptions.HOST) + ":"
          + portOf(options) + "/" + options.getValue(ConnectionFactoryOptions.DATABASE);
    }
    try {
      migrate(options);
      // results in binary: a timestamptz in text is parsed by a DateTimeFormatter with optional
      // sections (several map copies per value: most of the CPU of a 1,000-group statistics answer);
      // in binary it is 8 bytes of microseconds, decoded by BinaryTimestamps (the driver's binary
      // decoding is wrong before 1582). A URL's own forceBinary=false wins. Parameters: a sample
      // batch's arrays go in binary too (BinaryArrays), which the writer needs.
      ConnectionFactoryOptions.Builder driver = options.mutate()
          .option(PostgresqlConnectionFactoryProvider.EXTENSIONS,
              List.<Extension>of(new BinaryTimestamps(), BinaryArrays.REGISTRAR));
      if (!options.hasOption(PostgresqlConnectionFactoryProvider.FORCE_BINARY)) {
        driver.option(PostgresqlConnectionFactoryProvider.FORCE_BINARY, true);
      }
      ConnectionFactory factory = ConnectionFactories.get(driver.build());
      ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(factory)
          .name("altimeter-store")
          .initialSize(1)
          .maxSize(config.maxConnections())
          .maxIdleTime(Duration.ofMinutes(5))
          .maxAcquireTime(Duration.ofSeconds(30))
          // no validation query: it would cost every statement a round trip ("SELECT 1" before the
          // connection is handed out; a listing is one or two statements). The default LOCAL depth
          // refuses a connection whose socket the server closed (a restart, kill -9, a terminated
          // backend); a connection that dies after that fails its statement as a lost server does.
          .validationDepth(ValidationDepth.LOCAL)
          .build());
      PostgresRollups.apply(pool, config.archivePolicy()).block(Duration.ofHours(1));
      PostgresStorage storage = new PostgresStorage(embedded, pool, description, config.archivePolicy());
      storage.maintain().block(Duration.ofMinutes(1));
      LOG.info("Storing samples in {}", description);
      return storage;
    } catch (RuntimeException e) {
      if (embedded != null) embedded.close();
      throw e;
    }
  }

  /**
   * Where the embedded server on {@code dataDir} keeps the password of its superuser {@code postgres}
   * (readable by its owner only); every connection to that server needs it.
   */
  public static Path embeddedPasswordFile(Path dataDir) {
    return EmbeddedPostgresServer.passwordFile(dataDir);
  }

  /** Runs the schema migrations over JDBC (Flyway); blocking. */
  static void migrate(ConnectionFactoryOptions options) {
    String url = "jdbc:postgresql://" + options.getValue(ConnectionFactoryOptions.HOST) + ":" + portOf(options)
        + "/" + options.getValue(ConnectionFactoryOptions.DATABASE);
    Object password = options.getValue(ConnectionFactoryOptions.PASSWORD);
    Flyway.configure(PostgresStorage.class.getClassLoader())
        .dataSource(url, (String) options.getValue(ConnectionFactoryOptions.USER),
            password == null ? null : password.toString())
        .locations("classpath:db/migration/altimeter")
        .table("altimeter_schema_history")
        .load()
        .migrate();
  }

  private static int portOf(ConnectionFactoryOptions options) {
    Object port = options.getValue(ConnectionFactoryOptions.PORT);
    return port == null ? 5432 : Integer.parseInt(port.toString());
  }

  /** Creates the coming days' partitions; call daily (idempotent). */
  public reactor.core.publisher.Mono<Void> maintain() {
    return store.createPartitionsAhead(LocalDate.now(ZoneOffset.UTC).minusDays(1), PARTITION_DAYS_AHEAD + 2);
  }

  public PostgresSampleStore store() {
    return store;
  }

  /** The API's bearer tokens. */
  public PostgresTokenStore tokens() {
    return tokens;
  }

  /** The event store on the same database and pool. */
  public PostgresEventStore eventStore() {
    return eventStore;
  }

  public ConnectionPool connectionFactory() {
    return pool;
  }

  /** Human-readable: which database and where, for the start-up log line. */
  public String description() {
    return description;
  }

  @Override
  public void close() {
    try {
      pool.disposeLater().block(Duration.ofSeconds(10));
    } finally {
      if (embedded != null) embedded.close();
    }
  }
}
