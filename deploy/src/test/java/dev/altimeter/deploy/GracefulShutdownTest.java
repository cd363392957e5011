package dev.altimeter.deploy;

import static dev.altimeter.deploy.ServiceProcess.awaitReadiness;
import static dev.altimeter.deploy.ServiceProcess.env;
import static dev.altimeter.deploy.ServiceProcess.processed;
import static dev.altimeter.deploy.ServiceProcess.readiness;
import static dev.altimeter.deploy.ServiceProcess.sql;
import static dev.altimeter.deploy.ServiceProcess.tail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * SIGTERM under load loses no acknowledged notification. Runs the packaged service (the jar of
 * {@code ALTIMETER_SHUTDOWN_JAR}) against this machine's RabbitMQ and PostgreSQL, publishes
 * notifications continuously on a private exchange and topic, sends SIGTERM mid-stream, keeps
 * publishing until the process is gone, then checks:
 * <ul>
 *   <li>readiness answered "not ready" after SIGTERM and before the process exited;
 *   <li>the process exited within the grace period;
 *   <li>every notification the broker no longer holds (acknowledged) is in the store, the rest are
 *       ready on the queue, and each published notification is in exactly one of the two
 *       (stored + remaining == published: none lost, none both stored and left for redelivery).
 * </ul>
 * Each notification carries its own resource id, so the store's {@code image.size} samples name
 * exactly the notifications that were committed. Called by {@code .ci/shutdown-check.sh}; skipped
 * in a plain build (it needs the jar and the machine's services).
 *
 * <p>Settings (environment): {@code ALTIMETER_SHUTDOWN_JAR} (required), {@code
 * ALTIMETER_SHUTDOWN_AMQP} (default {@code amqp://guest:guest@127.0.0.1:5672}), {@code
 * ALTIMETER_SHUTDOWN_POSTGRES} (a server where user postgres may create a database; default
 * {@code postgres@127.0.0.1:5432}).
 */
@EnabledIfEnvironmentVariable(named = "ALTIMETER_SHUTDOWN_JAR", matches = ".+")
class GracefulShutdownTest {
  static final Duration PHASE_TIMEOUT = Duration.ofSeconds(20);
  /** Like the chart's terminationGracePeriodSeconds: longer than one phase, so the pipeline drains. */
  static final Duration GRACE = Duration.ofSeconds(45);

  final NotificationRun notifications = new NotificationRun("shutdown");
  final String database = "altimeter_shutdown_" + notifications.run;

  @Test
  void sigtermUnderLoadLosesNoAcknowledgedNotification() throws Exception {
    Path jar = Path.of(System.getenv("ALTIMETER_SHUTDOWN_JAR")).toAbsolutePath();
    assertThat(jar).exists();
    String amqp = env("ALTIMETER_SHUTDOWN_AMQP", "amqp://guest:guest@127.0.0.1:5672");
    String postgres = env("ALTIMETER_SHUTDOWN_POSTGRES", "postgres@127.0.0.1:5432");
    ConnectionFactory rabbit = new ConnectionFactory();
    rabbit.setUri(amqp);
    sql(postgres, "postgres", "CREATE DATABASE " + database);
    Path log = Files.createDirectories(Path.of("target", "shutdown-check")).resolve(notifications.run + ".log");
    int[] ports = ServiceProcess.freePorts(2);
    int port = ports[0];
    int managementPort = ports[1];
    Process app = null;
    try (Connection connection = rabbit.newConnection("altimeter-shutdown-check")) {
      List<String> args = new ArrayList<>(List.of("--server.port=" + port, "--server.address=127.0.0.1",
          "--management.server.port=" + managementPort,
          "--spring.r2dbc.url=r2dbc:postgresql://" + postgres + "/" + database,
          "--spring.lifecycle.timeout-per-shutdown-phase=" + PHASE_TIMEOUT.toSeconds() + "s"));
      args.addAll(notifications.serviceArguments(amqp));
      app = ServiceProcess.start(jar, log, args);
      Process process = app;
      awaitReadiness(managementPort, process, log, Duration.ofSeconds(120));

      // publish continuously, with publisher confirms: "published" is what the broker took
      Set<String> published = ConcurrentHashMap.newKeySet();
      AtomicBoolean publishing = new AtomicBoolean(true);
      AtomicReference<Throwable> publishFailure = new AtomicReference<>();
      Thread publisher = new Thread(() -> notifications.publish(connection, published, publishing, Long.MAX_VALUE,
          publishFailure), "publisher");
      publisher.start();

      // under load: wait until the service acknowledged a good share
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (processed(managementPort) < 1500) {
        if (System.nanoTime() > deadline || !process.isAlive() || publishFailure.get() != null) {
          fail("service did not process 1500 notifications (published %d, failure %s)\n%s", published.size(),
              publishFailure.get(), tail(log));
        }
        Thread.sleep(100);
      }

      // watch readiness while the service shuts down
      List<String> readiness = new ArrayList<>();
      Thread watcher = new Thread(() -> {
        while (process.isAlive()) {
          String r = readiness(managementPort);
          synchronized (readiness) {
            if (readiness.isEmpty() || !readiness.get(readiness.size() - 1).equals(r)) readiness.add(r);
          }
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "readiness-watcher");
      int beforeSigterm = published.size();
      process.destroy(); // SIGTERM
      watcher.start();
      boolean exited = process.waitFor(GRACE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      publishing.set(false);
      publisher.join(60_000);
      watcher.join(10_000);
      assertThat(exited).as("exited within %s of SIGTERM\n%s", GRACE, tail(log)).isTrue();
      assertThat(publishFailure.get()).as("publisher failure").isNull();
      assertThat(published.size()).as("kept publishing after SIGTERM").isGreaterThan(beforeSigterm);
      assertThat(readiness).as("readiness answers after SIGTERM\n%s", tail(log))
          .anyMatch(r -> r.startsWith("503") && r.contains("REFUSING_TRAFFIC") || r.contains("OUT_OF_SERVICE"));

      // what the broker still holds, once the service's consumers are gone (unacked ones requeued)
      List<String> remainingList = new ArrayList<>();
      try (Channel channel = connection.createChannel()) {
        for (String q : notifications.queues()) {
          long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (channel.queueDeclarePassive(q).getConsumerCount() > 0 && System.nanoTime() < until) Thread.sleep(100);
          GetResponse m;
          while ((m = channel.basicGet(q, true)) != null) remainingList.add(NotificationRun.resourceOf(m.getBody()));
        }
        assertThat(channel.queueDeclarePassive(notifications.deadLetterQueue()).getMessageCount()).as("dead letters").isZero();
      }
      Set<String> remaining = new HashSet<>(remainingList);
      List<String> storedList = sql(postgres, database, """
          SELECT r.resource_id FROM sample s JOIN resource r ON r.id = s.resource_pk
            JOIN meter m ON m.id = s.meter_id WHERE m.name = 'image.size'""");
      Set<String> stored = new HashSet<>(storedList);

      Set<String> acknowledged = new HashSet<>(published);
      acknowledged.removeAll(remaining);
      Set<String> lostAcknowledged = new HashSet<>(acknowledged);
      lostAcknowledged.removeAll(stored);
      Set<String> both = new HashSet<>(stored);
      both.retainAll(remaining);
      String summary = String.format("published %d (%d before SIGTERM), stored %d, remaining %d, readiness %s",
          published.size(), beforeSigterm, stored.size(), remaining.size(), readiness);
      System.out.println("graceful shutdown: " + summary);
      assertThat(storedList).as("stored once each").doesNotHaveDuplicates();
      assertThat(remainingList).as("on the queue once each").doesNotHaveDuplicates();
      assertThat(published).as("published ⊇ stored").containsAll(stored);
      assertThat(lostAcknowledged).as("acknowledged but not stored (%s)\n%s", summary, tail(log)).isEmpty();
      assertThat(both).as("stored and still on the queue (acknowledgement lost at shutdown; %s)", summary).isEmpty();
      assertThat(stored.size() + remaining.size()).as(summary).isEqualTo(published.size());
      assertThat(remaining).as("some notifications arrived after consumption stopped (%s)", summary).isNotEmpty();
    } finally {
      if (app != null && app.isAlive()) app.destroyForcibly().waitFor();
      notifications.cleanUp(rabbit);
      sql(postgres, "postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }
}
