package dev.altimeter.bench;

import dev.altimeter.storage.postgres.PostgresStorage;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;

/**
 * Ingest benchmark (a measurement, not a test). Starts the service jar with an embedded PostgreSQL
 * on fixed ports, posts N samples through {@code POST /v2/meters/{name}} as fast as the service
 * takes them (batches of B samples, C requests in flight), checks they were all stored, then
 * measures a plain {@code COPY} of N rows of the same shape into the same {@code sample} table in
 * the same database, so the ratio holds on a noisy machine. Prints samples/s, the CPU time per
 * sample of the service and of PostgreSQL during the load, COPY rows/s, the ratio and the
 * service's peak RSS.
 *
 * <p>Usage: {@code ./mvnw -q install -DskipTests && ./mvnw -q -pl bench exec:java
 * -Dexec.args="--samples 1000000 --batch 1000 --concurrency 4"}; {@code --service-args "--a=b --c=d"}
 * adds arguments to the service's command line (e.g. {@code --altimeter.store.archive-policy=none});
 * {@code --warmup N} posts N samples (default 50,000) before the measured load.
 */
public final class IngestBenchmark {
  public static void main(String[] args) throws Exception {
    int samples = intArg(args, "--samples", 1_000_000);
    int batch = intArg(args, "--batch", 1_000);
    int concurrency = intArg(args, "--concurrency", 4);
    // samples posted before the measured load: more of them leave less JIT compilation in the CPU figures
    int warmup = intArg(args, "--warmup", 50_000);
    String jar = stringArg(args, "--jar", "deploy/target/altimeter.jar");
    int httpPort = freePort();
    int managementPort = freePort();
    int pgPort = freePort();
    Path data = Files.createTempDirectory("altimeter-bench");

    // --jvm-args "-Xmx256m -XX:+UseSerialGC": JVM options of the service (default: none, the README's command);
    // --service-args "--altimeter.store.archive-policy=none": more arguments of the service
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(StartupBenchmark.split(stringArg(args, "--jvm-args", "")));
    command.addAll(List.of("-jar", jar, "--server.port=" + httpPort, "--management.server.port=" + managementPort,
        "--altimeter.data-dir=" + data, "--altimeter.embedded.port=" + pgPort, "--logging.level.root=WARN"));
    command.addAll(StartupBenchmark.split(stringArg(args, "--service-args", "")));
    System.out.printf("service: %s; load %s%n", command, StartupBenchmark.loadAverage());
    Process service = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(data.resolve("service.log").toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String base = "http://127.0.0.1:" + httpPort;
      String management = "http://127.0.0.1:" + managementPort; // the actuator
      awaitReady(http, management, service);
      System.out.printf("service pid %d, data in %s%n", service.pid(), data);

      post(http, base, "warmup", warmup, batch, concurrency);

      AtomicLong peakRss = new AtomicLong();
      AtomicLong peakPgPss = new AtomicLong();
      Thread rssWatcher = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          peakRss.accumulateAndGet(rssKb(service.pid()), Math::max);
          try {
            peakPgPss.accumulateAndGet(StartupBenchmark.postgres(data)[1], Math::max);
          } catch (IOException | RuntimeException e) {
            // the postmaster's pid file is being rewritten: next time
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      rssWatcher.setDaemon(true);
      rssWatcher.start();
      // CPU of the measured load only (after the warm-up): the service JVM's and the embedded PostgreSQL's
      long jvmCpu0 = StartupBenchmark.cpuTicks(service.pid(), false);
      long pgCpu0 = StartupBenchmark.postgresCpuTicks(data);
      long t0 = System.nanoTime();
      post(http, base, "bench.ingest", samples, batch, concurrency);
      double ingestSeconds = (System.nanoTime() - t0) / 1e9;
      long jvmCpu = StartupBenchmark.cpuTicks(service.pid(), false) - jvmCpu0;
      long pgCpu = StartupBenchmark.postgresCpuTicks(data) - pgCpu0;
      rssWatcher.interrupt();
      peakRss.accumulateAndGet(rssKb(service.pid()), Math::max);

      String metrics = http.send(HttpRequest.newBuilder(URI.create(management + "/actuator/prometheus")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      double batchSeconds = metric(metrics, "altimeter_store_batch_duration_seconds_sum");
      double batches = metric(metrics, "altimeter_store_batch_duration_seconds_count");
      try (Connection db = embeddedStore(data, pgPort)) {
        long stored = count(db, "SELECT count(*) FROM sample s JOIN meter m ON m.id = s.meter_id WHERE m.name = 'bench.ingest'");
        if (stored != samples) throw new IllegalStateException("stored " + stored + " of " + samples + " samples");
        double copySeconds = copy(db, samples);
        double ingestRate = samples / ingestSeconds;
        double copyRate = samples / copySeconds;
        System.out.printf("samples            %,d (batches of %d, %d in flight)%n", samples, batch, concurrency);
        System.out.printf("ingest (HTTP)      %,.0f samples/s (%.1f s)%n", ingestRate, ingestSeconds);
        // clock ticks of 10 ms (CLK_TCK 100): 1e4 µs each
        System.out.printf("CPU per sample     service %.1f µs, PostgreSQL %.1f µs (user + system, during the load)%n",
            jvmCpu * 1e4 / samples, pgCpu * 1e4 / samples);
        System.out.printf("plain COPY         %,.0f rows/s (%.1f s)%n", copyRate, copySeconds);
        System.out.printf("ingest / COPY      %.0f %%%n", 100 * ingestRate / copyRate);
        System.out.printf("store batches      %,.0f, mean %.1f ms, %.0f samples each (includes the warm-up)%n",
            batches, 1000 * batchSeconds / batches, metric(metrics, "altimeter_store_batch_size_sum") / metric(metrics, "altimeter_store_batch_size_count"));
        System.out.printf("service peak RSS   %,d MiB (JVM; the embedded PostgreSQL is a separate process)%n", peakRss.get() / 1024);
        System.out.printf("PostgreSQL peak    %,d MiB PSS (the embedded server's processes); load %s%n", peakPgPss.get() / 1024,
            StartupBenchmark.loadAverage());
      }
    } finally {
      service.destroy();
      service.waitFor();
    }
  }

  /** Posts {@code total} samples of one meter, {@code batch} per request, {@code concurrency} in flight. */
  static void post(HttpClient http, String base, String meter, int total, int batch, int concurrency) throws Exception {
    Semaphore inFlight = new Semaphore(concurrency);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    Instant start = Instant.now().minus(Duration.ofHours(1));
    for (int sent = 0; sent < total && failure.get() == null; sent += batch) {
      int n = Math.min(batch, total - sent);
      String body = body(meter, sent, n, start);
      inFlight.acquire();
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v2/meters/" + meter))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      CompletableFuture<?> f = http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete((r, e) -> {
            inFlight.release();
            if (e != null) failure.compareAndSet(null, e);
            else if (r.statusCode() != 201) failure.compareAndSet(null, new IllegalStateException("HTTP " + r.statusCode()));
          });
      pending.add(f);
      if (pending.size() > 1000) pending.removeIf(CompletableFuture::isDone);
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    if (failure.get() != null) throw new IllegalStateException("ingest failed", failure.get());
  }

  static String body(String meter, int first, int n, Instant start) {
    StringBuilder b = new StringBuilder(n * 260).append('[');
    for (int i = 0; i < n; i++) {
      int k = first + i;
      if (i > 0) b.append(',');
      b.append("{\"counter_name\":\"").append(meter).append("\",\"counter_type\":\"gauge\",\"counter_unit\":\"B\",")
          .append("\"counter_volume\":").append(k % 1000).append(",\"resource_id\":\"res-").append(k % 1000)
          .append("\",\"project_id\":\"p-").append(k % 10).append("\",\"user_id\":\"u-").append(k % 50)
          .append("\",\"timestamp\":\"").append(start.plusMillis(k)).append("\",")
          .append("\"resource_metadata\":{\"flavor\":{\"name\":\"m1.small\"},\"host\":\"h-").append(k % 20).append("\"}}");
    }
    return b.append(']').toString();
  }

  /** COPY of n rows shaped like the ingested ones into the same table; returns seconds. */
  static double copy(Connection db, int n) throws Exception {
    long meter, resource, metadata;
    try (Statement st = db.createStatement();
         ResultSet rs = st.executeQuery("SELECT meter_id, resource_pk, metadata_id FROM sample LIMIT 1")) {
      rs.next();
      meter = rs.getLong(1);
      resource = rs.getLong(2);
      metadata = rs.getLong(3);
    }
    StringBuilder rows = new StringBuilder(n * 120);
    Instant start = Instant.now().minus(Duration.ofHours(1));
    for (int i = 0; i < n; i++) {
      rows.append(UUID.randomUUID()).append('\t').append(start.plusMillis(i)).append('\t').append(meter).append('\t')
          .append(resource).append('\t').append(metadata).append('\t').append(i % 1000).append('\t')
          .append(start).append('\t').append(i).append("\t\\N\n");
    }
    String text = rows.toString();
    long t0 = System.nanoTime();
    ((PGConnection) db.unwrap(PGConnection.class)).getCopyAPI().copyIn(
        "COPY sample (message_id, timestamp, meter_id, resource_pk, metadata_id, volume, recorded_at, seq, message_signature) FROM STDIN",
        new StringReader(text));
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Sum of the series of a metric (in Prometheus text format) whose labels are of sample writes. */
  static double metric(String exposition, String name) {
    double sum = 0;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + "{") && line.contains("kind=\"samples\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static long count(Connection db, String sql) throws Exception {
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void awaitReady(HttpClient http, String management, Process service) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) throw new IllegalStateException("the service exited; see its log");
      try {
        var r = http.send(HttpRequest.newBuilder(URI.create(management + "/actuator/health/readiness")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the service did not become ready in 3 minutes");
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /**
   * A connection to the service's embedded PostgreSQL, with the password the service keeps beside its
   * data; without one (a service from before the password, such as the one issue 13's ingest target
   * compares with), as the embedded server's default user without a password.
   */
  static Connection embeddedStore(Path dataDir, int pgPort) throws IOException, SQLException {
    Path file = PostgresStorage.embeddedPasswordFile(dataDir);
    String password = Files.exists(file) ? Files.readString(file).strip() : null;
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/altimeter", "postgres", password);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static int intArg(String[] args, String name, int def) {
    String v = stringArg(args, name, null);
    return v == null ? def : Integer.parseInt(v);
  }

  static String stringArg(String[] args, String name, String def) {
    for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
    return def;
  }

  private IngestBenchmark() {}
}
