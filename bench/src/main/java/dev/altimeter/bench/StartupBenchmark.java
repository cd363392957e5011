package dev.altimeter.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Start-up and memory benchmark (a measurement, not a test). Starts the service jar (or a launcher
 * script) N times per configuration and JVM variant, and prints, as medians of the runs:
 *
 * <ul>
 *   <li>the time from process start to the management port's readiness ({@code 200} from
 *       {@code /actuator/health/readiness}) and to the API's first {@code 200} ({@code GET
 *       /v2/meters}; roles without the API: readiness only);</li>
 *   <li>after {@code --settle} seconds (idle, or polling and publishing every second), the JVM's
 *       {@code VmRSS} and {@code VmHWM} from {@code /proc/<pid>/status}, and the embedded
 *       PostgreSQL's processes (the postmaster of the data directory and its children) as the sum of
 *       their RSS and of their PSS ({@code /proc/<pid>/smaps_rollup}: shared buffers counted once).</li>
 * </ul>
 *
 * <p>Configurations: {@code embedded} (all roles, embedded PostgreSQL, data directory initialised by
 * an uncounted first start), {@code external} (all roles, {@code --external-url}, migrated by an
 * uncounted first start), {@code polling} (the polling role alone, polling every second and publishing
 * to {@code --publish}; its pipeline does not name the store), {@code polling-idle} (the polling
 * role alone with the built-in polling.yaml, 300 s interval, default pipeline).
 *
 * <p>Variants compare JVM options in one run (so the machine's load is shared): {@code --variants
 * "default=;small=-Xmx96m -XX:+UseSerialGC"}. A variant whose options start with {@code @launcher}
 * starts {@code deploy/bin/altimeter} (the role-sized launcher, given the jar in {@code ALTIMETER_JAR})
 * instead of {@code java -jar}, with the rest of its options in {@code JAVA_OPTS}: {@code
 * "default=;launcher=@launcher"}; words of the form {@code NAME=value} there set the launcher's
 * environment instead: {@code "plain=@launcher ALTIMETER_CDS=off;cds=@launcher"}.
 *
 * <pre>
 * ./mvnw -o -q -pl bench -am package -DskipTests
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.altimeter.bench.StartupBenchmark \
 *   --runs 3 --configs embedded,external,polling --external-url r2dbc:postgresql://127.0.0.1:5432/altimeter_bench
 * </pre>
 */
public final class StartupBenchmark {
  record Variant(String name, List<String> jvmArgs) {}

  /** A launcher variant's environment variable ({@code ALTIMETER_CDS=off}), as opposed to a JVM option. */
  private static final Pattern ENVIRONMENT_WORD = Pattern.compile("[A-Z_][A-Z0-9_]*=.*");

  record Run(double readySeconds, double apiSeconds, long rssKb, long hwmKb, long pgRssKb, long pgPssKb) {}

  public static void main(String[] args) throws Exception {
    int runs = IngestBenchmark.intArg(args, "--runs", 3);
    int settle = IngestBenchmark.intArg(args, "--settle", 20);
    String jar = IngestBenchmark.stringArg(args, "--jar", "deploy/target/altimeter.jar");
    String launcher = IngestBenchmark.stringArg(args, "--launcher", "deploy/bin/altimeter");
    String externalUrl = IngestBenchmark.stringArg(args, "--external-url", "r2dbc:postgresql://127.0.0.1:5432/altimeter_bench");
    String externalUser = IngestBenchmark.stringArg(args, "--external-user", "postgres");
    String externalPassword = IngestBenchmark.stringArg(args, "--external-password", "");
    String publish = IngestBenchmark.stringArg(args, "--publish", "notifier://guest:guest@127.0.0.1:5672/?topic=bench_startup");
    List<String> configs = List.of(IngestBenchmark.stringArg(args, "--configs", "embedded,external,polling").split(","));
    List<Variant> variants = variants(IngestBenchmark.stringArg(args, "--variants", "default="));
    List<String> extra = split(IngestBenchmark.stringArg(args, "--service-args", ""));

    Path work = Files.createTempDirectory("altimeter-startup");
    Path polling = work.resolve("polling.yaml");
    Files.writeString(polling, "---\nsources:\n  - name: every_second\n    interval: 1\n    meters:\n      - \"*\"\n");
    Path pipeline = work.resolve("pipeline.yaml");
    Files.writeString(pipeline, "---\nsources:\n  - name: all\n    meters:\n      - \"*\"\n    sinks:\n      - out\n"
        + "sinks:\n  - name: out\n    publishers:\n      - " + publish + "\n");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    System.out.printf("load average at start: %s%n", loadAverage());

    Map<String, List<Run>> results = new LinkedHashMap<>();
    for (String config : configs) {
      Path data = work.resolve("data-" + config);
      List<String> serviceArgs = new ArrayList<>(extra);
      serviceArgs.add("--altimeter.data-dir=" + data);
      boolean api = true;
      switch (config) {
        case "embedded" -> { }
        case "external" -> serviceArgs.addAll(List.of("--spring.r2dbc.url=" + externalUrl,
            "--spring.r2dbc.username=" + externalUser, "--spring.r2dbc.password=" + externalPassword));
        case "polling" -> {
          api = false;
          serviceArgs.addAll(List.of("--altimeter.roles=polling", "--altimeter.polling.file=" + polling,
              "--altimeter.pipeline.file=" + pipeline));
        }
        case "polling-idle" -> {
          api = false;
          serviceArgs.add("--altimeter.roles=polling");
        }
        default -> throw new IllegalArgumentException("unknown configuration " + config);
      }
      // the first start initialises the data directory or migrates the database: not counted
      measure(http, jar, launcher, variants.get(0), serviceArgs, api, 0, data);
      for (int i = 0; i < runs; i++) {
        for (Variant v : variants) {
          Run r = measure(http, jar, launcher, v, serviceArgs, api, settle, data);
          System.out.printf("%-13s %-12s run %d: ready %.2f s, API %.2f s, JVM RSS %d MiB (HWM %d), PostgreSQL RSS %d MiB"
                  + " (PSS %d), load %s%n", config, v.name, i + 1, r.readySeconds, r.apiSeconds, r.rssKb / 1024,
              r.hwmKb / 1024, r.pgRssKb / 1024, r.pgPssKb / 1024, loadAverage());
          results.computeIfAbsent(config + " " + v.name, k -> new ArrayList<>()).add(r);
        }
      }
    }
    System.out.println();
    System.out.println("| configuration | variant | ready (s) | first API 200 (s) | JVM RSS (MiB) | JVM HWM (MiB) | PostgreSQL RSS / PSS (MiB) |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (var e : results.entrySet()) {
      List<Run> rs = e.getValue();
      String[] key = e.getKey().split(" ", 2);
      System.out.printf("| %s | %s | %.1f | %s | %d | %d | %d / %d |%n", key[0], key[1],
          median(rs.stream().mapToDouble(Run::readySeconds).toArray()),
          rs.get(0).apiSeconds < 0 ? "—" : String.format("%.1f", median(rs.stream().mapToDouble(Run::apiSeconds).toArray())),
          (long) median(rs.stream().mapToDouble(Run::rssKb).toArray()) / 1024,
          (long) median(rs.stream().mapToDouble(Run::hwmKb).toArray()) / 1024,
          (long) median(rs.stream().mapToDouble(Run::pgRssKb).toArray()) / 1024,
          (long) median(rs.stream().mapToDouble(Run::pgPssKb).toArray()) / 1024);
    }
    System.out.printf("load average at the end: %s%n", loadAverage());
  }

  static Run measure(HttpClient http, String jar, String launcher, Variant variant, List<String> serviceArgs,
      boolean api, int settleSeconds, Path data) throws Exception {
    int httpPort = IngestBenchmark.freePort();
    int managementPort = IngestBenchmark.freePort();
    while (managementPort == httpPort) managementPort = IngestBenchmark.freePort();
    List<String> command = new ArrayList<>();
    boolean launched = !variant.jvmArgs.isEmpty() && variant.jvmArgs.get(0).equals("@launcher");
    List<String> jvmArgs = launched ? variant.jvmArgs.subList(1, variant.jvmArgs.size()) : variant.jvmArgs;
    if (launched) {
      command.add(launcher);
    } else {
      command.add("java");
      command.addAll(jvmArgs);
      command.addAll(List.of("-jar", jar));
    }
    command.addAll(serviceArgs);
    command.addAll(List.of("--server.port=" + httpPort, "--management.server.port=" + managementPort,
        "--logging.level.root=WARN"));
    Files.createDirectories(data);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("service.log").toFile()));
    if (launched) launcherEnvironment(builder, jvmArgs, jar);
    long t0 = System.nanoTime();
    Process service = builder.start();
    try {
      awaitOk(http, "http://127.0.0.1:" + managementPort + "/actuator/health/readiness", service);
      double ready = (System.nanoTime() - t0) / 1e9;
      double apiReady = -1;
      if (api) {
        awaitOk(http, "http://127.0.0.1:" + httpPort + "/v2/meters", service);
        apiReady = (System.nanoTime() - t0) / 1e9;
      }
      Thread.sleep(settleSeconds * 1000L);
      long jvm = jvmPid(service);
      long[] pg = postgres(data);
      return new Run(ready, apiReady, status(jvm, "VmRSS:"), status(jvm, "VmHWM:"), pg[0], pg[1]);
    } finally {
      service.destroy();
      service.waitFor();
    }
  }

  /**
   * The launcher's environment for a variant's words after {@code @launcher}: NAME=value words as
   * variables, the rest as {@code JAVA_OPTS}, and the jar as {@code ALTIMETER_JAR}.
   */
  static void launcherEnvironment(ProcessBuilder builder, List<String> words, String jar) {
    List<String> javaOpts = new ArrayList<>();
    for (String word : words) {
      if (ENVIRONMENT_WORD.matcher(word).matches()) {
        builder.environment().put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
      } else {
        javaOpts.add(word);
      }
    }
    builder.environment().put("JAVA_OPTS", String.join(" ", javaOpts));
    builder.environment().put("ALTIMETER_JAR", jar);
  }

  /** The JVM: the process itself, or the launcher's child when the launcher does not exec. */
  static long jvmPid(Process service) {
    return service.toHandle().descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
        .findFirst().map(ProcessHandle::pid).orElse(service.pid());
  }

  /** RSS and PSS (kB) of the embedded PostgreSQL of {@code data}: its postmaster and children; zeros when none. */
  static long[] postgres(Path data) throws IOException {
    Path pidFile = data.resolve("postgresql").resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return new long[] {0, 0};
    long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
    long rss = 0;
    long pss = 0;
    List<ProcessHandle> all = new ArrayList<>();
    ProcessHandle.of(postmaster).ifPresent(p -> {
      all.add(p);
      p.descendants().forEach(all::add);
    });
    for (ProcessHandle p : all) {
      rss += status(p.pid(), "VmRSS:");
      pss += smapsRollup(p.pid(), "Pss:");
    }
    return new long[] {rss, pss};
  }

  /**
   * CPU time (clock ticks, {@code getconf CLK_TCK}: 100 on Linux) of a process: user and system, plus
   * its reaped children's when {@code withChildren} (a postmaster's exited backends); 0 when gone.
   */
  static long cpuTicks(long pid, boolean withChildren) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the command, which is in parentheses and may hold spaces: state is field 3
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return withChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  /** CPU ticks of the embedded PostgreSQL of {@code data}: postmaster (with its reaped children) and live children. */
  static long postgresCpuTicks(Path data) throws IOException {
    Path pidFile = data.resolve("postgresql").resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return 0;
    long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
    return ProcessHandle.of(postmaster).map(p -> cpuTicks(postmaster, true)
        + p.descendants().mapToLong(c -> cpuTicks(c.pid(), false)).sum()).orElse(0L);
  }

  static long status(long pid, String field) {
    return procField(Path.of("/proc/" + pid + "/status"), field);
  }

  static long smapsRollup(long pid, String field) {
    return procField(Path.of("/proc/" + pid + "/smaps_rollup"), field);
  }

  private static long procField(Path file, String field) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(l -> l.startsWith(field)).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(0L);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static void awaitOk(HttpClient http, String url, Process service) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) throw new IllegalStateException("the service exited; see its log");
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(url + " did not answer 200 in 6 minutes");
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static List<Variant> variants(String spec) {
    List<Variant> out = new ArrayList<>();
    for (String part : spec.split(";")) {
      int eq = part.indexOf('=');
      out.add(new Variant(part.substring(0, eq).strip(), split(part.substring(eq + 1))));
    }
    return out;
  }

  static List<String> split(String s) {
    return s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
  }

  private StartupBenchmark() {}
}
