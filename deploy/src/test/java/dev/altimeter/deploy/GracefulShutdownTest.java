package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import tools.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.r2dbc.spi.ConnectionFactories;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final DateTimeFormatter OSLO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  final String run = "s" + Long.toString(System.currentTimeMillis(), 36);
  final String exchange = "altimeter-shutdown-" + run;
  final String topic = "altimeter-shutdown-" + run;
  final String database = "altimeter_shutdown_" + run;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void sigtermUnderLoadLosesNoAcknowledgedNotification() throws Exception {
    Path jar = Path.of(System.getenv("ALTIMETER_SHUTDOWN_JAR")).toAbsolutePath();
    assertThat(jar).exists();
    String amqp = env("ALTIMETER_SHUTDOWN_AMQP", "amqp://guest:guest@127.0.0.1:5672");
    String postgres = env("ALTIMETER_SHUTDOWN_POSTGRES", "postgres@127.0.0.1:5432");
    ConnectionFactory rabbit = new ConnectionFactory();
    rabbit.setUri(amqp);
    sql(postgres, "postgres", "CREATE DATABASE " + database);
    Path log = Files.createDirectories(Path.of("target", "shutdown-check")).resolve(run + ".log");
    int port = freePort();
    List<String> queues = List.of(topic + ".info", topic + ".sample", topic + ".error");
    Process app = null;
    try (Connection connection = rabbit.newConnection("altimeter-shutdown-check")) {
      app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
          "-jar", jar.toString(),
          "--server.port=" + port, "--server.address=127.0.0.1",
          "--altimeter.roles=notification",
          "--spring.r2dbc.url=r2dbc:postgresql://" + postgres + "/" + database,
          "--spring.rabbitmq.addresses=" + amqp,
          "--altimeter.notification.exchanges=" + exchange,
          "--altimeter.notification.topics=" + topic,
          "--altimeter.notification.dead-letter-exchange=" + exchange + ".dlx",
          "--altimeter.notification.dead-letter-queue=" + topic + ".dead-letter",
          "--spring.lifecycle.timeout-per-shutdown-phase=" + PHASE_TIMEOUT.toSeconds() + "s")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      Process process = app;
      awaitReadiness(port, process, log);

      // publish continuously, with publisher confirms: "published" is what the broker took
      Set<String> published = ConcurrentHashMap.newKeySet();
      AtomicBoolean publishing = new AtomicBoolean(true);
      AtomicReference<Throwable> publishFailure = new AtomicReference<>();
      Thread publisher = new Thread(() -> publish(connection, published, publishing, publishFailure), "publisher");
      publisher.start();

      // under load: wait until the service acknowledged a good share
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (processed(port) < 1500) {
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
          String r = readiness(port);
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
        for (String q : queues) {
          long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (channel.queueDeclarePassive(q).getConsumerCount() > 0 && System.nanoTime() < until) Thread.sleep(100);
          GetResponse m;
          while ((m = channel.basicGet(q, true)) != null) remainingList.add(resourceOf(m.getBody()));
        }
        assertThat(channel.queueDeclarePassive(topic + ".dead-letter").getMessageCount()).as("dead letters").isZero();
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
      cleanUp(rabbit, queues);
      sql(postgres, "postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  /** Batches of 50 every 20 ms (about 2500 a second), each batch confirmed before it counts. */
  private void publish(Connection connection, Set<String> published, AtomicBoolean publishing,
      AtomicReference<Throwable> failure) {
    try (Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").build();
      long n = 0;
      while (publishing.get()) {
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          String resource = run + "-" + n++;
          channel.basicPublish(exchange, topic + ".info", props, notification(resource));
          batch.add(resource);
        }
        channel.waitForConfirmsOrDie(30_000);
        published.addAll(batch);
        Thread.sleep(20);
      }
    } catch (Exception e) {
      failure.set(e);
    }
  }

  /** A glance image.upload (one image.size sample), its image id being the resource id. */
  private static byte[] notification(String resource) throws IOException {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("id", resource);
    payload.put("name", "image " + resource);
    payload.put("owner", "shutdown-check");
    payload.put("size", 19);
    payload.put("status", "saving");
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("event_type", "image.upload");
    inner.put("message_id", UUID.randomUUID().toString());
    inner.put("payload", payload);
    inner.put("priority", "info");
    inner.put("publisher_id", "images.example.com");
    inner.put("timestamp", OSLO_TIME.format(LocalDateTime.now(ZoneOffset.UTC)));
    return JSON.writeValueAsBytes(Map.of("oslo.version", "2.0", "oslo.message", JSON.writeValueAsString(inner)));
  }

  private static String resourceOf(byte[] body) throws IOException {
    Map<?, ?> outer = JSON.readValue(body, Map.class);
    Map<?, ?> inner = JSON.readValue((String) outer.get("oslo.message"), Map.class);
    return (String) ((Map<?, ?>) inner.get("payload")).get("id");
  }

  private void awaitReadiness(int port, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!readiness(port).startsWith("200")) {
      if (!process.isAlive() || System.nanoTime() > deadline) fail("service not ready\n%s", tail(log));
      Thread.sleep(250);
    }
  }

  /** "status body" of the readiness probe, or "down: reason" when nothing answers. */
  private String readiness(int port) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = Pattern.compile("\"status\"\\s*:\\s*\"([A-Z_]+)\"").matcher(r.body());
      return r.statusCode() + " " + (m.find() ? m.group(1) : r.body());
    } catch (IOException e) {
      return "down: " + e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private long processed(int port) throws InterruptedException {
    try {
      String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = Pattern.compile("(?m)^altimeter_notifications_total\\{[^}]*outcome=\"processed\"[^}]*} ([0-9.E]+)")
          .matcher(body);
      return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private void cleanUp(ConnectionFactory rabbit, List<String> queues) {
    try (Connection c = rabbit.newConnection(); Channel channel = c.createChannel()) {
      for (String q : queues) channel.queueDelete(q);
      channel.queueDelete(topic + ".dead-letter");
      channel.exchangeDelete(exchange);
      channel.exchangeDelete(exchange + ".dlx");
    } catch (Exception e) {
      System.err.println("graceful shutdown: clean-up of broker objects failed: " + e);
    }
  }

  private static List<String> sql(String server, String db, String sql) {
    io.r2dbc.spi.ConnectionFactory cf = ConnectionFactories.get("r2dbc:postgresql://" + server + "/" + db);
    return Mono.usingWhen(Mono.from(cf.create()),
            c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, meta) -> String.valueOf(row.get(0)))).collectList(),
            c -> Mono.from(c.close()))
        .block(Duration.ofSeconds(60));
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- service log (tail)\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
