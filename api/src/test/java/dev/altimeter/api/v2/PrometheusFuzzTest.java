package dev.altimeter.api.v2;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.xerial.snappy.Snappy;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Generated requests over every /api/v1 route (queries valid and not, hostile times, steps,
 * timeouts, limits, selectors, form and query-string parameters, remote write bodies of random and
 * of snappy-wrapped random bytes) against the API over a real PostgreSQL. Fails on any server error
 * other than Prometheus's 503 {@code timeout} / {@code unavailable}, an error without Prometheus's
 * envelope (or Ceilometer's fault document, which authentication, 404 and 405 keep), an incomplete
 * or unparseable body, or no answer. Request {@code i} comes from {@code seed * 1_000_003 + i}; replay
 * with {@code -Daltimeter.fuzz.seed=S -Daltimeter.fuzz.index=I}.
 */
@TestPropertySource(properties = {"altimeter.prometheus.max-samples=100000", "altimeter.prometheus.timeout=20s"})
class PrometheusFuzzTest extends ApiTestSupport {
  private static final long SEED = Long.getLong("altimeter.fuzz.seed", 20_261_130L);
  private static final int REQUESTS = Integer.getInteger("altimeter.fuzz.requests", 1500);
  private static final Integer ONLY = Integer.getInteger("altimeter.fuzz.index");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int TIMEOUT_MILLIS = 60_000;

  static final List<String> QUERIES = List.of("ceilometer_cpu", "rate(ceilometer_cpu[5m])", "sum by (project_id) (ceilometer_cpu)",
      "ceilometer_cpu{resource_id=~\"r.*\"}", "{__name__=~\".+\"}", "{instance_type!=\"\"}", "1", "1/0", "time()",
      "ceilometer_cpu[5m]", "ceilometer_cpu offset 1h", "topk(1, ceilometer_cpu)", "absent(nothing)", "vector(1) + on() ceilometer_memory",
      "max_over_time(ceilometer_cpu[1h:1m])", "label_replace(ceilometer_cpu, \"x\", \"$1\", \"resource_id\", \"(.*)\")",
      "", " ", "(", ")", "sum(", "{", "{}", "{a=\"\"}", "ceilometer_cpu{a=~\"(\"}", "ceilometer_cpu{a=~\"\\\\\"}",
      "\"string\"", "'x'", "`x`", "1e999", "-1e999", "NaN", "Inf", "0x1p3", "9223372036854775807", "rate(1)", "foo bar",
      "ceilometer_cpu @ 1", "ceilometer_cpu[0s]", "ceilometer_cpu[-1m]", "ceilometer_cpu[99999999999y]", "x".repeat(5000),
      "(".repeat(2000) + "1" + ")".repeat(2000), "-".repeat(3000) + "1", "sum(" .repeat(500) + "1" + ")".repeat(500),
      "ceilometer_cpu{resource_id=\"\u0000\"}", "ceilometer_\u00fc", "{__name__=~\"(a+)+b\"}", "histogram_quantile(0.9, x)",
      "quantile(2, ceilometer_cpu)", "count_values(\"v\", ceilometer_cpu)", "ceilometer_cpu and ignoring(x) ceilometer_memory",
      "ceilometer_cpu / on(resource_id) group_left ceilometer_memory", "clamp(ceilometer_cpu, 1, 0)", "round(ceilometer_cpu, 0)");
  static final List<String> TIMES = List.of("", "0", "-1", "1709287440", "1709287440.123456", "1e9", "1e99", "-1e99", "NaN",
      "Inf", "+Inf", "x", "2024-03-01T10:04:00Z", "2024-03-01T10:04:00.5+02:00", "2024-13-01T00:00:00Z", "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "-62135596800", "253402300799", "99999999999999999999", ".5", "1.",
      "0x10", "1_000", " 1", "2024-03-01", "%");
  static final List<String> STEPS = List.of("", "0", "-1", "1", "15", "60", "0.001", "1e-9", "1e99", "x", "1m", "1h30m", "5d",
      "1y", "100ms", "0s", "1m1", "m", "9223372036854775807", "NaN", "Inf", "10s5m");
  static final List<String> NAMES = List.of("resource_id", "__name__", "project_id", "instance_type", "a-b", "", "0a", "x".repeat(300), "%2F", "..");

  @Test
  void generatedRequestsGetNoServerError() throws Exception {
    seed();
    int from = ONLY != null ? ONLY : 0;
    int to = ONLY != null ? ONLY + 1 : REQUESTS;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<String>> verdicts = new ArrayList<>();
    try {
      for (int i = from; i < to; i++) {
        int index = i;
        verdicts.add(pool.submit(() -> {
          RawHttp.Request request = next(new Random(SEED * 1_000_003L + index));
          String verdict;
          try {
            verdict = judge(request, RawHttp.send(port, request, TIMEOUT_MILLIS));
          } catch (Exception e) {
            verdict = "no answer: " + e;
          }
          return verdict == null ? null : verdict + "\n  seed=" + SEED + " index=" + index + "\n  " + request;
        }));
      }
      Map<String, List<String>> failures = new TreeMap<>();
      for (Future<String> f : verdicts) {
        String v = f.get();
        if (v != null) failures.computeIfAbsent(v.substring(0, v.indexOf('\n')).replaceAll("\\d+", "#"), k -> new ArrayList<>()).add(v);
      }
      if (!failures.isEmpty()) {
        StringBuilder report = new StringBuilder(failures.size() + " classes of failure:\n");
        failures.forEach((kind, examples) -> {
          report.append("\n== ").append(examples.size()).append(" x ").append(kind).append('\n');
          examples.stream().limit(3).forEach(e -> report.append(e).append('\n'));
        });
        fail(report.toString());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static RawHttp.Request next(Random r) throws Exception {
    List<String[]> params = new ArrayList<>();
    String path;
    switch (r.nextInt(9)) {
      case 0, 1 -> {
        path = "/api/v1/query";
        maybe(r, params, "query", QUERIES);
        maybe(r, params, "time", TIMES);
      }
      case 2, 3 -> {
        path = "/api/v1/query_range";
        maybe(r, params, "query", QUERIES);
        maybe(r, params, "start", TIMES);
        maybe(r, params, "end", TIMES);
        maybe(r, params, "step", STEPS);
      }
      case 4 -> {
        path = "/api/v1/series";
        for (int n = r.nextInt(3); n > 0; n--) maybe(r, params, "match[]", QUERIES);
        maybe(r, params, "start", TIMES);
        maybe(r, params, "end", TIMES);
      }
      case 5 -> {
        path = r.nextBoolean() ? "/api/v1/labels" : "/api/v1/label/" + URLEncoder.encode(NAMES.get(r.nextInt(NAMES.size())),
            StandardCharsets.UTF_8) + "/values";
        if (r.nextBoolean()) maybe(r, params, "match[]", QUERIES);
        maybe(r, params, "start", TIMES);
      }
      case 6 -> {
        path = r.nextBoolean() ? "/api/v1/metadata" : "/api/v1/status/buildinfo";
        maybe(r, params, "metric", NAMES);
      }
      default -> {
        byte[] random = new byte[r.nextInt(64)];
        r.nextBytes(random);
        byte[] body = r.nextBoolean() ? random : Snappy.compress(random);
        return RawHttp.Request.of("POST", "/api/v1/write", "Content-Encoding", r.nextInt(5) == 0 ? "gzip" : "snappy")
            .withBody(r.nextInt(5) == 0 ? "text/plain" : "application/x-protobuf", body);
      }
    }
    if (r.nextInt(4) == 0) maybe(r, params, "timeout", STEPS);
    if (r.nextInt(4) == 0) maybe(r, params, "limit", List.of("0", "1", "-1", "x", "99999999999", ""));
    StringBuilder q = new StringBuilder();
    for (String[] p : params) {
      if (q.length() > 0) q.append('&');
      q.append(URLEncoder.encode(p[0], StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
    }
    String[] headers = r.nextInt(6) == 0 ? new String[] {"X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member"}
        : new String[0];
    if (r.nextInt(3) == 0 && !path.contains("/label/") && !path.contains("metadata") && !path.contains("buildinfo")) {
      return RawHttp.Request.of("POST", path, headers).withBody("application/x-www-form-urlencoded", q.toString());
    }
    return RawHttp.Request.of("GET", path + (q.length() > 0 ? "?" + q : ""), headers);
  }

  private static void maybe(Random r, List<String[]> params, String name, List<String> values) {
    if (r.nextInt(8) != 0) params.add(new String[] {name, values.get(r.nextInt(values.size()))});
  }

  /** Null when the answer is acceptable, else why not. */
  static String judge(RawHttp.Request request, RawHttp.Response response) {
    int status = response.status();
    if (!response.complete()) return "incomplete body (" + status + ")";
    if (status == 204 && request.target().equals("/api/v1/write")) return null; // remote write: no body
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (RuntimeException e) {
      return status == 204 && response.body().length == 0 ? null : "unparseable body (" + status + "): " + response;
    }
    if (status < 400) return body.path("status").asString("").equals("success") ? null : "success without the envelope: " + response;
    if (body.has("error_message")) {
      // Ceilometer's fault document: authentication, and what never reached a handler (404, 405, 413, 415)
      // and the filter's refusals before routing: a NUL in the query (400), a request line too long (414)
      return List.of(400, 401, 403, 404, 405, 413, 414, 415).contains(status) ? null : "fault document for " + status + ": " + response;
    }
    String type = body.path("errorType").asString("");
    if (!body.path("status").asString("").equals("error") || type.isEmpty()) return "error without the envelope: " + response;
    if (status >= 500 && !(status == 503 && (type.equals("timeout") || type.equals("unavailable")))) {
      return "server error " + status + " " + type + ": " + body.path("error").asString("");
    }
    return null;
  }
}
