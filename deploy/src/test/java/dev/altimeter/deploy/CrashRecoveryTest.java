package dev.altimeter.deploy;

import static dev.altimeter.deploy.ServiceProcess.awaitReadiness;
import static dev.altimeter.deploy.ServiceProcess.env;
import static dev.altimeter.deploy.ServiceProcess.processed;
import static dev.altimeter.deploy.ServiceProcess.sql;
import static dev.altimeter.deploy.ServiceProcess.tail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.altimeter.storage.postgres.PostgresStorage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Crashes mid-stream store every notification exactly once. Runs the packaged service (the jar of
 * {@code ALTIMETER_CRASH_JAR}) with the notification role on a private exchange and topic of this
 * machine's RabbitMQ, publishes N notifications (each its own message id and resource id), and
 * mid-stream:
 * <ul>
 *   <li>kills the service (SIGKILL) on its embedded PostgreSQL and starts it again on the same data
 *       directory: the postmaster the killed JVM left running must be taken over, the restart must
 *       come back on its own;
 *   <li>restarts the external PostgreSQL the service writes to (the command of {@code
 *       ALTIMETER_CRASH_RESTART_POSTGRES}), the service running on.
 * </ul>
 * Then waits until all are consumed and checks that each of the N is stored exactly once (as a
 * sample of {@code image.size}, the only meter, and as an event), none dead-lettered, and that the
 * API's statistics and resources (run beside the notification role) agree with those samples. Called by
 * {@code .ci/crash-check.sh}; skipped in a plain build (it needs the jar and the machine's services).
 *
 * <p>Settings (environment): {@code ALTIMETER_CRASH_JAR} (required), {@code ALTIMETER_CRASH_AMQP}
 * (default {@code amqp://guest:guest@127.0.0.1:5672}), {@code ALTIMETER_CRASH_POSTGRES} (a server
 * where user postgres may create a database; default {@code postgres@127.0.0.1:5432}), {@code
 * ALTIMETER_CRASH_RESTART_POSTGRES} (a shell command restarting that server; without it the second
 * check is skipped), {@code ALTIMETER_CRASH_NOTIFICATIONS} (N, default 10000).
 */
@EnabledIfEnvironmentVariable(named = "ALTIMETER_CRASH_JAR", matches = ".+")
class CrashRecoveryTest {
  static final Duration READY = Duration.ofSeconds(120);
  static final Duration DRAIN = Duration.ofSeconds(180);

  final Path jar = Path.of(System.getenv("ALTIMETER_CRASH_JAR")).toAbsolutePath();
  final String amqp = env("ALTIMETER_CRASH_AMQP", "amqp://guest:guest@127.0.0.1:5672");
  final int total = Integer.parseInt(env("ALTIMETER_CRASH_NOTIFICATIONS", "10000"));
  /** The service's HTTP port and its management port (probes, metrics), the same after a restart. */
  final int port;
  final int managementPort;

  /** The embedded store's port, apart from the two above. */
  final int storePort;

  CrashRecoveryTest() throws IOException {
    int[] ports = ServiceProcess.freePorts(3);
    port = ports[0];
    managementPort = ports[1];
    storePort = ports[2];
  }

  /** What happens mid-stream; returns the service process that runs on afterwards. */
  interface Fault {
    /** @param restart starts the service again with the same arguments, and waits until it is ready */
    Process inject(Process service, Callable<Process> restart) throws Exception;
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sigkillOnTheEmbeddedStoreThenRestartStoresEachNotificationOnce() throws Exception {
    NotificationRun notifications = new NotificationRun("crash");
    Path dataDir = Files.createTempDirectory("altimeter-crash-check");
    Path log = log(notifications);
    List<String> args = List.of("--altimeter.data-dir=" + dataDir, "--altimeter.embedded.port=" + storePort);
    // the service takes the password it finds (as after its first start) for the cluster it creates
    String password = "crash-" + notifications.run;
    Files.writeString(Files.createFile(PostgresStorage.embeddedPasswordFile(dataDir),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), password);
    String store = "postgres:" + password + "@127.0.0.1:" + storePort;
    try {
      streamWithFault(notifications, log, args, store, "altimeter", (service, restart) -> {
        service.destroyForcibly().waitFor(); // SIGKILL
        long restarted = System.nanoTime();
        Process again = restart.call();
        System.out.printf("crash check: SIGKILL; the restart on the same data dir was ready in %d ms%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
        return again;
      });
    } finally {
      stopLeftoverPostmaster(dataDir.resolve("postgresql"));
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  @EnabledIfEnvironmentVariable(named = "ALTIMETER_CRASH_RESTART_POSTGRES", matches = ".+")
  void externalPostgresRestartMidStreamStoresEachNotificationOnce() throws Exception {
    NotificationRun notifications = new NotificationRun("pgrestart");
    String postgres = env("ALTIMETER_CRASH_POSTGRES", "postgres@127.0.0.1:5432");
    String database = "altimeter_crash_" + notifications.run;
    sql(postgres, "postgres", "CREATE DATABASE " + database);
    try {
      streamWithFault(notifications, log(notifications),
          List.of("--spring.r2dbc.url=r2dbc:postgresql://" + postgres + "/" + database), postgres, database, (service, restartService) -> {
            Process restart = new ProcessBuilder("bash", "-c", System.getenv("ALTIMETER_CRASH_RESTART_POSTGRES"))
                .inheritIO().start();
            assertThat(restart.waitFor(60, TimeUnit.SECONDS) && restart.exitValue() == 0)
                .as("PostgreSQL restarted").isTrue();
            System.out.println("crash check: PostgreSQL restarted");
            return service;
          });
    } finally {
      awaitStore(postgres);
      sql(postgres, "postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  /**
   * Starts the service, publishes {@link #total} notifications, injects the fault once a fifth are
   * processed (the rest published or still queued), waits until all are consumed and checks the store.
   */
  private void streamWithFault(NotificationRun notifications, Path log, List<String> storeArgs, String storeServer,
      String storeDatabase, Fault fault) throws Exception {
    List<String> args = new ArrayList<>(storeArgs);
    // and the API, through which the listings and statistics are checked afterwards
    notifications.serviceArguments(amqp).forEach(a -> args.add(a.equals("--altimeter.roles=notification")
        ? "--altimeter.roles=notification,api" : a));
    ConnectionFactory rabbit = new ConnectionFactory();
    rabbit.setUri(amqp);
    Process service = null;
    long started = System.nanoTime();
    try (Connection connection = rabbit.newConnection("altimeter-crash-check")) {
      service = start(log, args);
      Set<String> published = ConcurrentHashMap.newKeySet();
      AtomicReference<Throwable> publishFailure = new AtomicReference<>();
      Thread publisher = new Thread(() -> notifications.publish(connection, published, new AtomicBoolean(true), total,
          publishFailure), "publisher");
      publisher.start();

      long deadline = System.nanoTime() + READY.toNanos();
      while (processed(managementPort) < total / 5) {
        if (System.nanoTime() > deadline || !service.isAlive() || publishFailure.get() != null) {
          fail("service did not process %d notifications (published %d, failure %s)\n%s", total / 5,
              published.size(), publishFailure.get(), tail(log));
        }
        Thread.sleep(50);
      }
      int publishedAtFault = published.size();
      long processedAtFault = processed(managementPort);
      service = fault.inject(service, () -> start(log, args));
      publisher.join(READY.toMillis());
      assertThat(publishFailure.get()).as("publisher failure").isNull();
      assertThat(processedAtFault).as("the fault came mid-stream").isLessThan(total);
      assertThat(published).as("published").hasSize(total);

      // all consumed: every notification stored (the store dedupes redeliveries by message id)
      String distinct = """
          SELECT count(DISTINCT r.resource_id) FROM sample s JOIN resource r ON r.id = s.resource_pk
            JOIN meter m ON m.id = s.meter_id WHERE m.name = 'image.size'""";
      deadline = System.nanoTime() + DRAIN.toNanos();
      while (!String.valueOf(total).equals(query(storeServer, storeDatabase, distinct))) {
        if (System.nanoTime() > deadline || !service.isAlive()) {
          fail("not all stored: %s of %d\n%s", query(storeServer, storeDatabase, distinct), total, tail(log));
        }
        Thread.sleep(500);
      }
      try (Channel channel = connection.createChannel()) {
        for (String q : notifications.queues()) {
          while (channel.queueDeclarePassive(q).getMessageCount() > 0) {
            if (System.nanoTime() > deadline) fail("%s not drained\n%s", q, tail(log));
            Thread.sleep(200);
          }
        }
        assertThat(channel.queueDeclarePassive(notifications.deadLetterQueue()).getMessageCount())
            .as("dead letters").isZero();
      }
      List<String> perMeter = sql(storeServer, storeDatabase, """
          SELECT m.name || ' ' || count(*) || ' ' || count(DISTINCT r.resource_id) FROM sample s
            JOIN resource r ON r.id = s.resource_pk JOIN meter m ON m.id = s.meter_id GROUP BY m.name""");
      List<String> events = sql(storeServer, storeDatabase, "SELECT count(*) FROM event");
      System.out.printf("crash check (%s): %d published (%d published and %d processed when the fault came),"
              + " stored per meter %s, events %s, %d s in all%n", notifications.run, total, publishedAtFault,
          processedAtFault, perMeter, events,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
      assertThat(perMeter).as("samples per meter: name, count, distinct notifications")
          .containsExactly("image.size " + total + " " + total);
      assertThat(events).as("events").containsExactly(String.valueOf(total));
      assertListingsAgree(storeServer, storeDatabase);
    } finally {
      if (service != null && service.isAlive()) {
        service.destroy(); // SIGTERM: the service stops its embedded server
        if (!service.waitFor(60, TimeUnit.SECONDS)) service.destroyForcibly().waitFor();
      }
      notifications.cleanUp(rabbit);
    }
  }

  /**
   * What the API derives from the samples (series, spans and totals written beside them, read by the
   * listings and statistics) agrees with the samples stored, after the fault: one series per
   * notification, statistics counting and summing every sample, and a few notifications' resources
   * carrying their sample's time and meter.
   */
  private void assertListingsAgree(String server, String database) throws Exception {
    String from = " FROM sample s JOIN meter m ON m.id = s.meter_id JOIN resource r ON r.id = s.resource_pk"
        + " WHERE m.name = 'image.size'";
    assertThat(sql(server, database, "SELECT count(*) FROM series se JOIN meter m ON m.id = se.meter_id"
        + " WHERE m.name = 'image.size'")).as("series").containsExactly(String.valueOf(total));
    double sum = Double.parseDouble(sql(server, database, "SELECT sum(s.volume)::float8" + from).get(0));
    JsonNode statistics = api("/v2/meters/image.size/statistics");
    assertThat(statistics.get(0).get("count").asLong()).as("statistics count").isEqualTo(total);
    assertThat(statistics.get(0).get("sum").asDouble()).as("statistics sum").isEqualTo(sum);
    assertThat(api("/v2/meters/image.size/statistics?groupby=resource_id&aggregate.func=count").size())
        .as("statistics groups").isEqualTo(total);
    for (String row : sql(server, database, "SELECT r.resource_id || ' ' || to_char(s.timestamp AT TIME ZONE 'UTC',"
        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US')" + from + " ORDER BY s.seq DESC LIMIT 3")) {
      String[] idAndTime = row.split(" ");
      JsonNode resource = api("/v2/resources/" + java.net.URLEncoder.encode(java.net.URLEncoder.encode(idAndTime[0],
          java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8));
      LocalDateTime at = LocalDateTime.parse(idAndTime[1]);
      assertThat(LocalDateTime.parse(resource.get("first_sample_timestamp").asString())).as(row).isEqualTo(at);
      assertThat(LocalDateTime.parse(resource.get("last_sample_timestamp").asString())).as(row).isEqualTo(at);
      List<String> rels = new ArrayList<>();
      resource.get("links").forEach(l -> rels.add(l.get("rel").asString()));
      assertThat(rels).as(row).contains("self", "image.size");
    }
  }

  private JsonNode api(String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + port + path)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return JsonMapper.builder().build().readTree(r.body());
  }

  private Process start(Path log, List<String> args) throws Exception {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--server.address=127.0.0.1", "--server.port=" + port, "--management.server.port=" + managementPort));
    Process service = ServiceProcess.start(jar, log, all);
    awaitReadiness(managementPort, service, log, READY);
    return service;
  }

  private static Path log(NotificationRun notifications) throws IOException {
    return Files.createDirectories(Path.of("target", "crash-check")).resolve(notifications.run + ".log");
  }

  /** A query's single value, or the failure while the store is unreachable (a restart). */
  private static String query(String server, String database, String sql) {
    try {
      return sql(server, database, sql).get(0);
    } catch (RuntimeException e) {
      return "(" + e.getMessage() + ")";
    }
  }

  /** Waits (bounded) for the external server to answer again, so clean-up can drop the database. */
  private static void awaitStore(String server) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (query(server, "postgres", "SELECT 1").startsWith("(") && System.nanoTime() < deadline) Thread.sleep(500);
  }

  /** After a failure between SIGKILL and restart, the killed service's server would run on. */
  private static void stopLeftoverPostmaster(Path cluster) throws Exception {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return;
    long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").endsWith("/postgres")).ifPresent(p -> {
      p.destroy();
      p.onExit().orTimeout(60, TimeUnit.SECONDS).join();
    });
  }
}
