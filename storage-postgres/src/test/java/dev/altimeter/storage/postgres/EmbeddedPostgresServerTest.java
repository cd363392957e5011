package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.postgres.EmbeddedPostgresServer.Durability;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server starts again on its data after the service died without stopping it, never
 * touches a process that is not its own server, is durable when asked to be, and admits no
 * connection without its password.
 *
 * <p>initdb is most of a start on a new directory (seconds). Tests about an existing cluster start
 * on a copy of {@link #existing}, a data directory made by the server's own first start (initdb,
 * password, database) once per class; the tests about that first start run it themselves.
 */
class EmbeddedPostgresServerTest {
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir static Path existing;
  @TempDir Path dataDir;

  @BeforeAll
  static void startOnceOnANewDirectory() {
    EmbeddedPostgresServer.start(existing, 0, WAIT, Durability.VOLATILE).close();
  }

  /** Makes {@link #dataDir} a copy of {@link #existing}: a stopped cluster of an earlier run, with its password. */
  private void copyExisting() throws IOException {
    try (Stream<Path> paths = Files.walk(existing)) {
      for (Path from : (Iterable<Path>) paths.skip(1)::iterator) { // dataDir itself exists
        // COPY_ATTRIBUTES keeps the modes: PostgreSQL refuses a data directory others can read
        Files.copy(from, dataDir.resolve(existing.relativize(from)), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  /**
   * A killed service leaves its server running (zonky starts it with pg_ctl, so it is not the
   * JVM's child). Simulated by starting a server on the data directory with pg_ctl from outside
   * zonky and writing to it: the next start must stop it and come up with everything committed.
   */
  @Test
  void startsOnADirectoryWhoseServerOutlivedTheService() throws Exception {
    copyExisting();
    Path bin;
    try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      execute(first.port(), "CREATE TABLE note (text text)", "INSERT INTO note VALUES ('before')");
      bin = Path.of(postmaster().info().command().orElseThrow()).getParent();
    }
    int port = freePort();
    List<String> command = new ArrayList<>();
    // as zonky does: PostgreSQL refuses to run as root, and in a new user namespace it is not root
    if (LinuxUtils.isUnshareAvailable()) command.addAll(List.of("unshare", "-U"));
    command.addAll(List.of(bin.resolve("pg_ctl").toString(), "-D", cluster().toString(),
        "-o", "-p " + port, "-l", dataDir.resolve("orphan.log").toString(), "-w", "start"));
    Process pgCtl = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(pgCtl.waitFor(2, TimeUnit.MINUTES) && pgCtl.exitValue() == 0).as("orphan server started").isTrue();
    ProcessHandle orphan = postmaster();
    execute(port, "INSERT INTO note VALUES ('while orphaned')");

    try (EmbeddedPostgresServer second = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      assertThat(StalePostmaster.exited(orphan)).as("the orphan server was stopped").isTrue();
      assertThat(query(second.port(), "SELECT text FROM note ORDER BY text"))
          .containsExactly("before", "while orphaned");
    }
  }

  /**
   * After a power loss the pid in postmaster.pid may belong to an unrelated process: PostgreSQL
   * would refuse to start. The file is stale; the process must not be signalled.
   */
  @Test
  void startsWhenThePidFileNamesAnUnrelatedProcess() throws Exception {
    copyExisting();
    Process unrelated = new ProcessBuilder("sleep", "600").start();
    try {
      Files.writeString(cluster().resolve("postmaster.pid"),
          unrelated.pid() + "\n" + cluster() + "\n1700000000\n5432\n/tmp\nlocalhost\n  5432001    32768\nready   \n");
      try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
        assertThat(query(server.port(), "SELECT 'up'")).containsExactly("up");
        assertThat(unrelated.isAlive()).as("the unrelated process was left alone").isTrue();
      }
    } finally {
      unrelated.destroyForcibly();
    }
  }

  /** A running server is in use, not stale: a second start on its directory fails and leaves it be. */
  @Test
  void refusesADirectoryInUse() throws Exception {
    copyExisting();
    try (EmbeddedPostgresServer running = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
      assertThat(query(running.port(), "SELECT 'still up'")).containsExactly("still up");
    }
  }

  /** The service's server acknowledges a commit once it is on disk; tests keep zonky's fast settings. */
  @Test
  void durableServerSyncsCommits() throws Exception {
    copyExisting();
    String settings = "SELECT current_setting('fsync') || current_setting('synchronous_commit')"
        + " || current_setting('full_page_writes')";
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.DURABLE)) {
      assertThat(query(server.port(), settings)).containsExactly("ononon");
    }
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      assertThat(query(server.port(), settings)).containsExactly("offoffon");
    }
  }

  /**
   * Any local user could connect to a server that trusts local connections, as superuser (and run
   * commands as the service's user with COPY ... TO PROGRAM): every connection needs the password,
   * kept in a file only its owner can read.
   */
  @Test
  void newClusterRequiresThePasswordKeptInAnOwnerOnlyFile() throws Exception {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      assertRequiresPassword(server);
    }
    // later starts read it
    String password = password();
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      assertThat(password()).isEqualTo(password);
      assertRequiresPassword(server);
    }
  }

  /**
   * A data directory of a version before the password (zonky's initdb: trust for everything) is
   * migrated at its next start and keeps its data.
   */
  @Test
  void trustingClusterOfAnEarlierVersionIsMigrated() throws Exception {
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(cluster().toFile())
        .setCleanDataDirectory(false).setRegisterShutdownHook(false).start();
         Connection c = old.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + EmbeddedPostgresServer.DATABASE);
      try (Connection db = old.getDatabase("postgres", EmbeddedPostgresServer.DATABASE).getConnection();
           Statement dbSt = db.createStatement()) {
        dbSt.execute("CREATE TABLE note (text text)");
        dbSt.execute("INSERT INTO note VALUES ('before')");
      }
    }
    assertThat(ClusterPassword.admitsWithoutPassword(cluster().resolve("pg_hba.conf"))).as("trust before").isTrue();
    assertThat(EmbeddedPostgresServer.passwordFile(dataDir)).doesNotExist();

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      assertRequiresPassword(server);
      assertThat(query(server.port(), "SELECT text FROM note")).containsExactly("before");
    }
    assertThat(ClusterPassword.admitsWithoutPassword(cluster().resolve("pg_hba.conf"))).as("trust after").isFalse();
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      assertRequiresPassword(server);
    }
  }

  /** A new password would be refused (after zonky retried it for the whole start-up wait): fail at once instead. */
  @Test
  void refusesToStartWhenThePasswordFileIsLost() throws Exception {
    copyExisting();
    Files.delete(EmbeddedPostgresServer.passwordFile(dataDir));
    assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("postgresql.password, which is missing");
    assertThat(EmbeddedPostgresServer.passwordFile(dataDir)).doesNotExist();
  }

  /** The service's own connections (R2DBC, Flyway) log in with the options' password. */
  @Test
  void optionsCarryThePassword() throws IOException {
    copyExisting();
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, WAIT, Durability.VOLATILE)) {
      assertThat(server.options().getValue(ConnectionFactoryOptions.PASSWORD)).hasToString(password());
      PostgresStorage.migrate(server.options());
    }
  }

  private void assertRequiresPassword(EmbeddedPostgresServer server) throws Exception {
    Path file = EmbeddedPostgresServer.passwordFile(dataDir);
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(password()).hasSizeGreaterThanOrEqualTo(43); // 32 random bytes, base64url
    assertThatThrownBy(() -> connect(server.port(), null).close()).isInstanceOf(SQLException.class)
        .hasMessageContaining("no password was provided");
    assertThatThrownBy(() -> connect(server.port(), "guess").close()).isInstanceOf(SQLException.class)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("28P01"); // invalid_password
    // every rule, the unix socket's too, by the server's own reading of pg_hba.conf
    assertThat(query(server.port(), "SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules"))
        .containsExactly("scram-sha-256");
    assertThat(query(server.port(), "SELECT 'in'")).containsExactly("in");
  }

  private Path cluster() {
    return dataDir.resolve("postgresql");
  }

  private ProcessHandle postmaster() throws IOException {
    long pid = Long.parseLong(Files.readAllLines(cluster().resolve("postmaster.pid")).get(0).trim());
    return ProcessHandle.of(pid).orElseThrow();
  }

  private void execute(int port, String... statements) throws SQLException {
    try (Connection c = connect(port); Statement st = c.createStatement()) {
      for (String sql : statements) st.execute(sql);
    }
  }

  private List<String> query(int port, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = connect(port); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) rows.add(rs.getString(1));
    }
    return rows;
  }

  private Connection connect(int port) throws SQLException {
    return connect(port, password());
  }

  private static Connection connect(int port, String password) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + EmbeddedPostgresServer.DATABASE,
        "postgres", password);
  }

  private String password() {
    try {
      return Files.readString(EmbeddedPostgresServer.passwordFile(dataDir)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
