package dev.altimeter.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.perf.PerfTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Notification benchmark (a measurement, not a test): notifications/s from RabbitMQ through the
 * meter and event definitions into PostgreSQL, each acknowledged after its samples and event are
 * committed, beside RabbitMQ's own consume rate on the same machine with the same prefetch and
 * manual acknowledgements (RabbitMQ PerfTest, in-process, consumers only on a pre-filled queue).
 *
 * <p>Flow: pre-fills a PerfTest queue with N notifications and lets PerfTest consume them; then
 * declares the service's own queues ({@code <topic>.<priority>}, a private topic so nothing else is
 * disturbed), pre-fills them with W warm-up plus N notifications while no consumer exists, starts
 * the service jar (notification and api roles, embedded PostgreSQL) and watches its processed
 * counter: the rate is taken from the moment the warm-up is done to the moment all are processed.
 * Then it checks through JDBC that every sample was stored once and, after stopping the service,
 * that the queues are empty, i.e. that every notification was acknowledged.
 *
 * <p>The notifications are the reference ones (legacy nova instance.exists and create.end, glance
 * image.upload and image.send, cinder volume.exists and snapshot.create.end, neutron
 * port.create.end, versioned nova instance.exists) in the oslo v2.0 envelope, each with its own
 * message_id and a recent timestamp.
 *
 * <p>Usage, from the root: {@code mvn -B -q package -DskipTests && java -cp
 * "bench/target/classes:$(cat bench/target/classpath.txt)" dev.altimeter.bench.NotificationBenchmark
 * --notifications 60000 --warmup 20000}.
 * Options: {@code --warmup}, {@code --prefetch} (default 2000, the service's default), {@code
 * --multi-ack N} (PerfTest acknowledges every N messages at once, as {@code -A}), {@code --amqp}
 * (default {@code amqp://guest:guest@127.0.0.1:5672}), {@code --jar}, and {@code --service-args}
 * (extra service arguments, space separated), {@code --jvm-args} (e.g. a flight recording).
 */
public final class NotificationBenchmark {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String TOPIC = "bench_notifications";
  private static final String PERF_TEST_QUEUE = "bench_perftest";
  private static final String REFERENCE = "collector/src/test/resources/notifications/";
  private static final DateTimeFormatter OSLO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * One kind of notification in the mix, with the samples the built-in meters.yaml makes of it
   * (written out as ReferenceNotificationsTest asserts them, so a lost sample shows).
   */
  record Kind(String exchange, String file, int samples) {}

  static final List<Kind> MIX = List.of(
      new Kind("nova", "legacy/nova-compute.instance.exists", 4),
      new Kind("cinder", "legacy/cinder-volume.exists", 1),
      new Kind("glance", "legacy/glance-image.upload", 1),
      new Kind("nova", "legacy/nova-compute.instance.exists", 4),
      new Kind("glance", "legacy/glance-image.send", 2),
      new Kind("nova", "legacy/nova-compute.instance.create.end", 5),
      new Kind("cinder", "legacy/cinder-snapshot.create.end", 1),
      new Kind("neutron", "legacy/neutron-port.create.end", 0),
      new Kind("nova", "nova/instance-exists", 0));

  /** A kind ready to publish: the wire body with placeholders for message_id and timestamp. */
  record Template(Kind kind, String routingKey, String body) {
    byte[] render(long n, Instant timestamp) {
      return body.replace("@@ID@@", new UUID(0x0A17_1E7E_0000_4000L, 0x8000_0000_0000_0000L | n).toString())
          .replace("@@TS@@", OSLO_TIME.format(timestamp)).getBytes(StandardCharsets.UTF_8);
    }
  }

  public static void main(String[] args) throws Exception {
    int notifications = IngestBenchmark.intArg(args, "--notifications", 200_000);
    int warmup = IngestBenchmark.intArg(args, "--warmup", 30_000);
    int prefetch = IngestBenchmark.intArg(args, "--prefetch", 2000);
    int multiAck = IngestBenchmark.intArg(args, "--multi-ack", 0);
    String amqp = IngestBenchmark.stringArg(args, "--amqp", "amqp://guest:guest@127.0.0.1:5672");
    String jar = IngestBenchmark.stringArg(args, "--jar", "deploy/target/altimeter.jar");
    String extra = IngestBenchmark.stringArg(args, "--service-args", "");
    String jvm = IngestBenchmark.stringArg(args, "--jvm-args", "");
    List<Template> templates = templates();

    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(amqp);
    try (com.rabbitmq.client.Connection connection = factory.newConnection("altimeter-bench");
         Channel channel = connection.createChannel()) {
      // 1. RabbitMQ's own consume rate: PerfTest consumers on a pre-filled queue
      channel.queueDelete(PERF_TEST_QUEUE);
      channel.queueDeclare(PERF_TEST_QUEUE, false, false, false, null);
      for (int i = 0; i < notifications; i++) {
        Template t = templates.get(i % templates.size());
        channel.basicPublish("", PERF_TEST_QUEUE, properties(), t.render(i, Instant.now()));
      }
      awaitDepth(channel, PERF_TEST_QUEUE, notifications);
      double[] perfTest = perfTest(amqp, notifications, prefetch, multiAck);
      channel.queueDelete(PERF_TEST_QUEUE);

      // 2. Altimeter: the same notifications on its queues before it starts
      List<String> queues = declareServiceQueues(channel, templates);
      Instant now = Instant.now();
      long expectedSamples = 0;
      int total = warmup + notifications;
      for (int i = 0; i < total; i++) {
        Template t = templates.get(i % templates.size());
        expectedSamples += t.kind().samples();
        channel.basicPublish(t.kind().exchange(), t.routingKey(), properties(),
            t.render(1_000_000_000L + i, now.minusMillis(total - i)));
      }
      for (String q : queues) awaitDepth(channel, q, depthOf(templates, q, total));

      int httpPort = IngestBenchmark.freePort();
      int managementPort = IngestBenchmark.freePort();
      int pgPort = IngestBenchmark.freePort();
      Path data = Files.createTempDirectory("altimeter-bench");
      URI broker = URI.create(amqp);
      String[] userInfo = broker.getUserInfo() == null ? new String[] {"guest", "guest"} : broker.getUserInfo().split(":", 2);
      List<String> command = new ArrayList<>(List.of("java"));
      if (!jvm.isBlank()) command.addAll(List.of(jvm.trim().split("\\s+")));
      command.addAll(List.of("-jar", jar, "--server.port=" + httpPort, "--management.server.port=" + managementPort,
          "--altimeter.data-dir=" + data, "--altimeter.embedded.port=" + pgPort, "--logging.level.root=WARN",
          "--altimeter.roles=notification,api", "--spring.rabbitmq.host=" + broker.getHost(),
          "--spring.rabbitmq.port=" + (broker.getPort() < 0 ? 5672 : broker.getPort()),
          "--spring.rabbitmq.username=" + userInfo[0], "--spring.rabbitmq.password=" + userInfo[1],
          "--altimeter.notification.topics=" + TOPIC, "--altimeter.notification.prefetch=" + prefetch));
      if (!extra.isBlank()) command.addAll(List.of(extra.trim().split("\\s+")));
      Process service = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(data.resolve("service.log").toFile()).start();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String management = "http://127.0.0.1:" + managementPort; // the actuator
      double seconds;
      long counted;
      long[] cpu = new long[3];
      long storedSamples;
      long storedEvents;
      try {
        // The consumers start before the HTTP server; the warm-up covers that (and JIT compilation).
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long t0 = 0, c0 = 0, t1 = 0, c1 = 0;
        long[] cpu0 = null, cpu1 = null;
        while (c1 < total) {
          if (!service.isAlive()) throw new IllegalStateException("the service exited; see " + data.resolve("service.log"));
          if (System.nanoTime() > deadline) throw new IllegalStateException("not all processed in 10 minutes: " + c1);
          long before = System.nanoTime();
          long processed = processed(http, management);
          long at = (before + System.nanoTime()) / 2;
          if (processed >= warmup && t0 == 0) {
            t0 = at;
            c0 = processed;
            cpu0 = cpuTicks(service.pid(), pgPort);
          }
          t1 = at;
          c1 = processed;
          if (c1 >= total) cpu1 = cpuTicks(service.pid(), pgPort);
          if (c1 < total) Thread.sleep(100); // each scrape costs the service CPU too: not faster
        }
        if (t1 == t0) throw new IllegalStateException("no measurement window: raise --notifications");
        seconds = (t1 - t0) / 1e9;
        counted = c1 - c0;
        for (int i = 0; i < cpu.length; i++) cpu[i] = cpu1[i] - cpu0[i];
        System.out.printf("service pid %d, data in %s%n", service.pid(), data);
        // processed means committed: the counts are final
        try (Connection db = IngestBenchmark.embeddedStore(data, pgPort)) {
          storedSamples = IngestBenchmark.count(db, "SELECT count(*) FROM sample");
          storedEvents = IngestBenchmark.count(db, "SELECT count(*) FROM event");
        }
      } catch (Exception e) {
        System.out.println("service log: " + data.resolve("service.log"));
        throw e;
      } finally {
        service.destroy();
        service.waitFor();
      }
      // unacknowledged messages go back to the queues when the service's connection closes
      long left = 0;
      for (String q : queues) left += channel.queueDeclarePassive(q).getMessageCount();
      for (String q : queues) channel.queueDelete(q);

      double rate = counted / seconds;
      double samplesPerNotification = (double) expectedSamples / total;
      System.out.printf("notifications      %,d measured after %,d warm-up, prefetch %d%n", notifications, warmup, prefetch);
      System.out.printf("Altimeter          %,.0f notifications/s, %,.0f samples/s (%.1f s, %,d notifications)%n",
          rate, rate * samplesPerNotification, seconds, counted);
      System.out.printf("RabbitMQ PerfTest  %,.0f msg/s (%s acks; PerfTest's own average %,.0f msg/s)%n",
          perfTest[0], multiAck > 0 ? "multiple every " + multiAck : "one per message", perfTest[1]);
      System.out.printf("Altimeter / broker %.0f %%%n", 100 * rate / perfTest[0]);
      System.out.printf("CPU / notification service JVM %.0f us, PostgreSQL %.0f us, RabbitMQ %.0f us (whole machine, 2 cores: %.0f us)%n",
          cpu[0] * 1e6 / TICKS / counted, cpu[1] * 1e6 / TICKS / counted, cpu[2] * 1e6 / TICKS / counted,
          2 * seconds * 1e6 / counted);
      System.out.printf("stored             %,d samples (expected %,d), %,d events (expected %,d); %d left on the queues%n",
          storedSamples, expectedSamples, storedEvents, total, left);
      if (storedSamples != expectedSamples || storedEvents != total || left != 0) {
        throw new IllegalStateException("lost or duplicated notifications: see the line above");
      }
    }
  }

  /** Linux clock ticks per second of /proc/PID/stat (USER_HZ). */
  private static final double TICKS = 100;

  /**
   * CPU ticks used so far by {service JVM, the PostgreSQL processes it started, RabbitMQ (beam.smp)},
   * from /proc: on a shared machine, the rate alone does not tell where the time went.
   */
  static long[] cpuTicks(long servicePid, int pgPort) {
    Map<Long, long[]> stats = new LinkedHashMap<>(); // pid -> {ppid, ticks, isBeam}
    long postmaster = -1;
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path dir : dirs.toList()) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) continue;
        String stat;
        try {
          stat = Files.readString(dir.resolve("stat"));
        } catch (IOException gone) {
          continue;
        }
        int close = stat.lastIndexOf(')');
        String comm = stat.substring(stat.indexOf('(') + 1, close);
        String[] f = stat.substring(close + 2).split(" ");
        // fields after comm: state(0) ppid(1) ... utime(11) stime(12)
        if (comm.equals("postgres") && postmaster < 0) {
          // pg_ctl detaches the server from the JVM: find it by its port
          try {
            String cmdline = Files.readString(dir.resolve("cmdline")).replace('\0', ' ');
            if (cmdline.contains("-p " + pgPort + " ") || cmdline.endsWith("-p " + pgPort + " ")) postmaster = Long.parseLong(name);
          } catch (IOException gone) {
            // exited meanwhile
          }
        }
        stats.put(Long.parseLong(name), new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12]),
            comm.startsWith("beam") ? 1 : 0});
      }
    } catch (IOException e) {
      return new long[3];
    }
    long[] out = new long[3];
    for (Map.Entry<Long, long[]> e : stats.entrySet()) {
      long pid = e.getKey();
      if (pid == servicePid) out[0] += e.getValue()[1];
      else if (e.getValue()[2] == 1) out[2] += e.getValue()[1];
      else if (pid == postmaster || descends(stats, pid, postmaster)) out[1] += e.getValue()[1];
    }
    return out;
  }

  private static boolean descends(Map<Long, long[]> stats, long pid, long ancestor) {
    for (int depth = 0; depth < 10 && pid > 1; depth++) {
      long[] s = stats.get(pid);
      if (s == null) return false;
      pid = s[0];
      if (pid == ancestor) return true;
    }
    return false;
  }

  static AMQP.BasicProperties properties() {
    return new AMQP.BasicProperties.Builder().contentType("application/json").contentEncoding("utf-8").build();
  }

  static List<Template> templates() throws IOException {
    List<Template> out = new ArrayList<>();
    for (Kind kind : MIX) {
      Map<String, Object> inner = JSON.readValue(Files.readString(Path.of(REFERENCE + kind.file() + ".json")),
          new TypeReference<LinkedHashMap<String, Object>>() {});
      inner.put("message_id", "@@ID@@");
      inner.put("timestamp", "@@TS@@");
      Map<String, Object> outer = new LinkedHashMap<>();
      outer.put("oslo.version", "2.0");
      outer.put("oslo.message", JSON.writeValueAsString(inner));
      String priority = String.valueOf(inner.get("priority")).toLowerCase(Locale.ROOT);
      out.add(new Template(kind, TOPIC + "." + priority, JSON.writeValueAsString(outer)));
    }
    return out;
  }

  /** The queues and bindings the service declares for the topic, declared alike so they fill before it starts. */
  static List<String> declareServiceQueues(Channel channel, List<Template> templates) throws IOException {
    List<String> queues = new ArrayList<>();
    for (String priority : List.of("info", "sample", "error")) {
      String q = TOPIC + "." + priority;
      channel.queueDeclare(q, false, false, false, null);
      channel.queuePurge(q);
      queues.add(q);
    }
    for (Template t : templates) {
      channel.exchangeDeclare(t.kind().exchange(), "topic", false);
      channel.queueBind(t.routingKey(), t.kind().exchange(), t.routingKey());
    }
    return queues;
  }

  static long depthOf(List<Template> templates, String queue, int total) {
    long n = 0;
    for (int i = 0; i < total; i++) if (templates.get(i % templates.size()).routingKey().equals(queue)) n++;
    return n;
  }

  static void awaitDepth(Channel channel, String queue, long depth) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (channel.queueDeclarePassive(queue).getMessageCount() != depth) {
      if (System.nanoTime() > deadline) throw new IllegalStateException(queue + " never held " + depth + " messages");
      Thread.sleep(50);
    }
  }

  /**
   * RabbitMQ PerfTest, consumers only, on the pre-filled queue: returns {messages/s timed here from
   * start to the last message, PerfTest's own reported average}.
   */
  static double[] perfTest(String amqp, int messages, int prefetch, int multiAck) throws Exception {
    List<String> args = new ArrayList<>(List.of("--uri", amqp, "--producers", "0", "--consumers", "1",
        "--queue", PERF_TEST_QUEUE, "--predeclared", "--qos", String.valueOf(prefetch),
        "--cmessages", String.valueOf(messages), "--interval", "1", "--id", "perf-test"));
    if (multiAck > 0) args.addAll(List.of("--multi-ack-every", String.valueOf(multiAck)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
    int[] status = {0};
    long t0 = System.nanoTime();
    PerfTest.main(args.toArray(String[]::new),
        new PerfTest.PerfTestOptions().setSystemExiter(code -> status[0] = code).setConsoleOut(console)
            .setConsoleErr(console));
    double seconds = (System.nanoTime() - t0) / 1e9;
    String text = out.toString(StandardCharsets.UTF_8);
    if (status[0] != 0) throw new IllegalStateException("PerfTest failed:\n" + text);
    Matcher m = Pattern.compile("receiving rate avg: ([0-9]+) msg/s").matcher(text);
    double reported = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    return new double[] {messages / seconds, reported};
  }

  /** The service's count of notifications processed (acknowledged right after). */
  static long processed(HttpClient http, String management) throws Exception {
    String exposition;
    try {
      exposition = http.send(HttpRequest.newBuilder(URI.create(management + "/actuator/prometheus")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException notYet) {
      return 0; // the HTTP server is not listening yet
    }
    double sum = 0;
    for (String line : exposition.split("\n")) {
      if (line.startsWith("altimeter_notifications_total{") && line.contains("outcome=\"processed\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  private NotificationBenchmark() {}
}
