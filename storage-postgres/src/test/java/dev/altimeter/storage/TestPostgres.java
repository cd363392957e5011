package dev.altimeter.storage;

import dev.altimeter.storage.postgres.PostgresStorage;
import io.r2dbc.spi.Connection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One PostgreSQL store per test JVM. By default an embedded server in a temporary directory (not
 * durable: fsync off, for speed); the environment variable {@code ALTIMETER_TEST_POSTGRES_URL} (an
 * R2DBC URL such as {@code r2dbc:postgresql://postgres@127.0.0.1:5432/test}) points the tests at an
 * external server instead.
 */
public final class TestPostgres {
  public static final String URL_VARIABLE = "ALTIMETER_TEST_POSTGRES_URL";
  private static PostgresStorage storage;
  private static Path dataDir;

  private TestPostgres() {}

  public static synchronized PostgresStorage storage() {
    if (storage == null) {
      String url = System.getenv(URL_VARIABLE);
      Path dir = null;
      if (url == null) {
        try {
          dir = Files.createTempDirectory("altimeter-test-pg");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      // a throwaway cluster: zonky's fast settings (fsync off), unlike the service's durable ones
      dataDir = dir;
      storage = PostgresStorage.start(new PostgresStorage.Config(url, null, null, dir, 0, 8,
          PostgresStorage.Config.DEFAULT_EMBEDDED_STARTUP_WAIT, false));
      PostgresStorage started = storage;
      Path throwaway = dir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        started.close();
        // the cluster (about 170 MB) goes with the JVM: every test JVM made a new one
        if (throwaway != null) deleteTree(throwaway);
      }));
    }
    return storage;
  }

  /**
   * The R2DBC URL of the test server, for tests that start the whole service; for the embedded
   * server with its password (base64url: nothing to escape in a URL).
   */
  public static String r2dbcUrl() {
    String url = System.getenv(URL_VARIABLE);
    if (url != null) return url;
    String d = storage().description();
    int port = Integer.parseInt(d.substring(d.lastIndexOf(' ') + 1));
    String password;
    try {
      password = Files.readString(PostgresStorage.embeddedPasswordFile(dataDir)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "r2dbc:postgresql://postgres:" + password + "@localhost:" + port + "/altimeter";
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort at exit: what is left is in the system's temporary directory
    }
  }

  /** Empties every table, so each test starts from nothing. */
  public static void truncate() {
    Mono.usingWhen(storage().connectionFactory().create(),
            c -> Flux.from(c.createStatement(
                    "TRUNCATE sample, series, rollup, retention_horizon, resource_metadata, resource, meter, event, event_type, api_token"
                        + " RESTART IDENTITY CASCADE")
                .execute()).flatMap(r -> r.getRowsUpdated()).then(),
            Connection::close)
        .block(Duration.ofSeconds(30));
    storage().store().forgetCachedIds();
    storage().eventStore().forgetCachedIds();
  }
}
