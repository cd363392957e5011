package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.fail;

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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The packaged service run as a process, for the fault checks that stop it from outside
 * ({@link GracefulShutdownTest}, {@link CrashRecoveryTest}): start, probes, metrics, its log, and
 * SQL against the databases it writes.
 */
final class ServiceProcess {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ServiceProcess() {}

  /** Starts {@code java -jar jar args...} with its output in {@code log}. */
  static Process start(Path jar, Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", jar.toString()));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  /** Probes and metrics: {@code port} is the service's management port. */
  static void awaitReadiness(int port, Process process, Path log, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!readiness(port).startsWith("200")) {
      if (!process.isAlive() || System.nanoTime() > deadline) fail("service not ready\n%s", tail(log));
      Thread.sleep(250);
    }
  }

  /** "status body" of the readiness probe, or "down: reason" when nothing answers. */
  static String readiness(int port) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
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

  /** Notifications the running service has processed (its metric; 0 when it does not answer). */
  static long processed(int port) throws InterruptedException {
    try {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = Pattern.compile("(?m)^altimeter_notifications_total\\{[^}]*outcome=\"processed\"[^}]*} ([0-9.E]+)")
          .matcher(body);
      return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The first column of each row, as text; {@code server} is {@code user@host:port}. */
  static List<String> sql(String server, String db, String sql) {
    io.r2dbc.spi.ConnectionFactory cf = ConnectionFactories.get("r2dbc:postgresql://" + server + "/" + db);
    return Mono.usingWhen(Mono.from(cf.create()),
            c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, meta) -> String.valueOf(row.get(0)))).collectList(),
            c -> Mono.from(c.close()))
        .block(Duration.ofSeconds(60));
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /**
   * {@code n} distinct free ports: the sockets stay open until all are chosen, since a port closed
   * again may be handed out again at once (the service refuses one port for its API and management).
   */
  static int[] freePorts(int n) throws IOException {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) if (s != null) s.close();
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- service log (tail)\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
