package dev.altimeter.api.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends thousands of generated requests ({@link HostileRequests}) over every route, parameter, header
 * and body shape to the API over a real PostgreSQL, and fails on any answer that is a server error
 * (5xx other than the documented 501), not Ceilometer's fault document for an error, an incomplete
 * body, no answer at all, or a 400 that came from the store refusing a value: validation must catch
 * every value the store cannot take before it gets there. The one exception is a regular expression,
 * whose syntax only PostgreSQL can judge (SQLSTATE 2201B, answered 400 by the store error mapping).
 *
 * <p>Request {@code i} of a run is generated from {@code seed * 1_000_003 + i}; a failure prints the
 * seed, the index and the request. Replay with {@code -Daltimeter.fuzz.seed=S -Daltimeter.fuzz.index=I};
 * {@code -Daltimeter.fuzz.requests=N} changes how many are sent.
 */
class ApiFuzzTest extends PostgresApiTestSupport {
  private static final long SEED = Long.getLong("altimeter.fuzz.seed", 20_240_301L);
  private static final int REQUESTS = Integer.getInteger("altimeter.fuzz.requests", 3000);
  private static final Integer ONLY = Integer.getInteger("altimeter.fuzz.index");
  /** Requests in flight: the machine has two cores, the server needs them too. */
  private static final int IN_FLIGHT = 4;
  private static final int TIMEOUT_MILLIS = 60_000;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<String> knownIds = new ArrayList<>();

  /** The statistics data set, events, and samples at the ends of the timestamp range, with odd ids. */
  private void data() throws IOException {
    seed();
    EventsTest.storeEvents(eventStore);
    // rows with odd but valid values, stored through the API, so queries meet them
    RawHttp.Response posted = send(RawHttp.Request.of("POST", "/v2/meters/fuzz").withBody("application/json", """
        [{"counter_name": "fuzz", "counter_type": "gauge", "counter_unit": "%", "counter_volume": 1e100,
          "resource_id": "r/ü/..", "project_id": "p1", "user_id": "'; DROP TABLE sample; --",
          "timestamp": "0001-01-01T00:00:00", "resource_metadata": {"a.b": {"c": [1, "x", null]}, "x": "😀"}},
         {"counter_name": "fuzz", "counter_type": "delta", "counter_unit": "", "counter_volume": -0.0,
          "resource_id": "日本語", "timestamp": "9999-12-31T23:59:59.999999", "resource_metadata": {"x": 1}}]"""));
    assertEquals(201, posted.status(), posted.toString());
    for (JsonNode s : JSON.readTree(send(RawHttp.Request.of("GET", "/v2/samples?limit=5")).body())) {
      knownIds.add(s.get("id").asString());
    }
    RawHttp.Response token = send(RawHttp.Request.of("POST", "/v2/admin/tokens")
        .withBody("application/json", "{\"project_id\": \"p1\", \"roles\": [\"member\"]}"));
    assertEquals(201, token.status(), token.toString());
    knownIds.add(JSON.readTree(token.body()).get("id").asString());
  }

  @Test
  void generatedRequestsGetNoServerError() throws Exception {
    data();
    int from = ONLY != null ? ONLY : 0;
    int to = ONLY != null ? ONLY + 1 : REQUESTS;
    ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
    List<Future<String>> verdicts = new ArrayList<>();
    try {
      for (int i = from; i < to; i++) {
        int index = i;
        verdicts.add(pool.submit(() -> {
          RawHttp.Request request = new HostileRequests(new Random(SEED * 1_000_003L + index), knownIds).next();
          String verdict;
          try {
            verdict = judge(request, RawHttp.send(port, request, TIMEOUT_MILLIS));
          } catch (IOException | RuntimeException e) {
            verdict = "no answer: " + e;
          }
          return verdict == null ? null : verdict + "\n  seed=" + SEED + " index=" + index + "\n  " + request;
        }));
      }
      // classes of failure, each with its first few requests
      Map<String, List<String>> failures = new TreeMap<>();
      for (Future<String> f : verdicts) {
        String v = f.get();
        if (v == null) continue;
        String kind = v.substring(0, v.indexOf('\n')).replaceAll("[0-9a-f-]{36}|\\d+", "#");
        List<String> examples = failures.computeIfAbsent(kind.length() > 160 ? kind.substring(0, 160) : kind, k -> new ArrayList<>());
        examples.add(v);
      }
      if (!failures.isEmpty()) {
        StringBuilder report = new StringBuilder(failures.values().stream().mapToInt(List::size).sum() + " of "
            + (to - from) + " requests failed, in " + failures.size() + " classes (seed " + SEED + "):\n");
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

  /** Null when the answer is acceptable, else why not. */
  static String judge(RawHttp.Request request, RawHttp.Response response) {
    int status = response.status();
    if (!response.complete()) return "incomplete body (" + status + ")";
    if (status >= 500 && status != 501) return "server error " + status + ": " + faultstring(response);
    if (status < 400) {
      if (!request.method().equals("HEAD") && isJson(response)) {
        try {
          JSON.readTree(response.body());
        } catch (RuntimeException e) {
          return "unparseable JSON body (" + status + ")";
        }
      }
      return null;
    }
    if (request.method().equals("HEAD")) return null;
    if (!isJson(response)) return "error " + status + " without the fault document: " + response;
    JsonNode fault;
    try {
      fault = JSON.readTree(response.body()).path("error_message");
    } catch (RuntimeException e) {
      return "error " + status + " with an unparseable body: " + response;
    }
    String code = status >= 500 ? "Server" : "Client";
    if (!code.equals(fault.path("faultcode").asString(null)) || !fault.path("faultstring").isString()
        || !fault.has("debuginfo")) {
      return "error " + status + " without the fault document: " + response;
    }
    String faultstring = fault.path("faultstring").asString();
    // a regular expression is PostgreSQL's to judge: its syntax is not java.util.regex's
    if (faultstring.contains("SQLSTATE") && !faultstring.contains("(SQLSTATE 2201B)")) {
      return "refused by the store, not by validation: " + status + " " + faultstring(response);
    }
    return null;
  }

  private static boolean isJson(RawHttp.Response response) {
    String type = response.header("Content-Type");
    return type != null && type.startsWith("application/json");
  }

  private static String faultstring(RawHttp.Response response) {
    try {
      return JSON.readTree(response.body()).path("error_message").path("faultstring").asString(response.text());
    } catch (RuntimeException e) {
      return RawHttp.printable(response.text(), 300);
    }
  }

  private RawHttp.Response send(RawHttp.Request request) throws IOException {
    return RawHttp.send(port, request, TIMEOUT_MILLIS);
  }

  // ---- each kind the fuzzing found or issue 11 named, with its exact answer

  static Stream<Arguments> regressions() {
    String longIn = "{\"in\":{\"resource_id\":[" + String.join(",",
        java.util.stream.IntStream.range(0, 70_000).mapToObj(i -> "\"r" + i + "\"").toList()) + "]}}";
    return Stream.of(
        Arguments.of("NUL in a query value", 400, get("/v2/samples?q.field=resource_id&q.value=a%00b")),
        Arguments.of("NUL in a path variable", 400, get("/v2/resources/a%00b")),
        Arguments.of("NUL in a posted resource_id", 400, postSample("\"resource_id\": \"a\\u0000b\"")),
        Arguments.of("NUL in a metadata key", 400, postSample("\"resource_id\": \"r\", \"resource_metadata\": {\"a\\u0000\": 1}")),
        Arguments.of("year 0 in a posted sample", 400,
            postSample("\"resource_id\": \"r\", \"timestamp\": \"0000-01-01T00:00:00\"")),
        Arguments.of("year 10000 in a posted sample", 400,
            postSample("\"resource_id\": \"r\", \"timestamp\": \"10000-01-01T00:00:00\"")),
        Arguments.of("year 0 in a query", 400, get("/v2/samples?q.field=timestamp&q.op=ge&q.value=0000-01-01T00:00:00")),
        Arguments.of("infinite metadata number in a complex query", 400, query("{\"=\":{\"metadata.x\":1e999}}")),
        Arguments.of("invalid regular expression", 400, query("{\"=~\":{\"resource_id\":\"(\"}}")),
        Arguments.of("null in an in list", 400, query("{\"in\":{\"resource_id\":[\"a\",null]}}")),
        Arguments.of("in list of 70,000 values", 400, query(longIn)),
        Arguments.of("unparseable Content-Type", 415, RawHttp.Request.of("POST", "/v2/meters/cpu")
            .withBody("application/json;charset=\"", "[]")),
        Arguments.of("Content-Type that is not one", 415, RawHttp.Request.of("POST", "/v2/query/samples").withBody("/", "{}")),
        Arguments.of("body past the limit", 413, new RawHttp.Request("POST", "/v2/meters/cpu",
            List.of(Map.entry("Content-Type", "application/json")), new byte[0], 1L << 30)),
        // found by the fuzzing: a handler that reads no body was run, and its answer cut off
        Arguments.of("body past the limit where none is read", 413, new RawHttp.Request("DELETE", "/v2/admin/tokens/x",
            List.of(Map.entry("Content-Type", "application/json")), new byte[0], 1L << 30)),
        // found by the fuzzing: a body nobody read was released twice, and the connection closed unanswered
        Arguments.of("an immediate answer to a request with a body", 200,
            RawHttp.Request.of("GET", "/v2/capabilities").withBody("application/json", "{}")),
        // found by the fuzzing: Jackson's asLong threw past a long
        Arguments.of("an integer past a long in a metadata comparison", 200,
            query("{\"=\":{\"metadata.x\":123456789012345678901234567890}}")),
        // found by the fuzzing: microseconds counted through nanoseconds overflowed, and a float
        // interval moved the last microsecond of 9999 into a day without a partition
        Arguments.of("year 1 in a posted sample", 201, postSample("\"resource_id\": \"r\", \"timestamp\": \"0001-01-01T00:00:00\"")),
        Arguments.of("the last microsecond of 9999 in a posted sample", 201,
            postSample("\"resource_id\": \"r\", \"timestamp\": \"9999-12-31T23:59:59.999999\"")),
        // found by a review as an attacker: a lone surrogate has no UTF-8 form; the driver sent '?'
        // and the write failed for every call batched with it
        Arguments.of("a lone surrogate in a posted resource_id", 400, postSample("\"resource_id\": \"a\\ud800\"")),
        Arguments.of("a lone surrogate in metadata", 400, postSample("\"resource_id\": \"r\", \"resource_metadata\": {\"k\": \"\\udfff\"}")),
        Arguments.of("a paired surrogate is text", 201, postSample("\"resource_id\": \"\\ud83d\\ude00\"")),
        Arguments.of("a volume past 1e100, whose sums would overflow", 400, postSample("\"resource_id\": \"r\", \"counter_volume\": 1e308")),
        Arguments.of("February 30th", 400, postSample("\"resource_id\": \"r\", \"timestamp\": \"2024-02-30T00:00:00\"")),
        Arguments.of("an infinite float in a simple query", 400, get("/v2/samples?q.field=metadata.x&q.value=1e999&q.type=float")),
        Arguments.of("NaN in an event query", 400, RawHttp.Request.of("GET", "/v2/events?q.field=load&q.value=NaN&q.type=float",
            "X-User-Id", "u1", "X-Project-Id", "p1")),
        Arguments.of("a raw quote in the request target", 400, get("/v2/resources/a\"b")),
        Arguments.of("a raw brace in the request target", 400, get("/v2/samples?q.value={x}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("regressions")
  void refusedWithAClearError(String name, int status, RawHttp.Request request) throws IOException {
    RawHttp.Response response = send(request);
    assertEquals(status, response.status(), response.toString());
    assertTrue(judge(request, response) == null, judge(request, response));
  }

  /** Found by the fuzzing: a duration or period span past 292 years overflowed (counted in nanoseconds). */
  @Test
  void statisticsOverTheWholeTimestampRange() throws IOException {
    for (String t : List.of("0001-01-01T00:00:00", "9999-12-31T23:59:59.999999")) {
      assertEquals(201, send(postSample("\"resource_id\": \"r\", \"timestamp\": \"" + t + "\"")).status());
    }
    RawHttp.Response whole = send(get("/v2/meters/cpu/statistics"));
    assertEquals(200, whole.status(), whole.toString());
    assertEquals(315_537_897_599.999999, JSON.readTree(whole.body()).get(0).get("duration").asDouble());
    RawHttp.Response periods = send(get("/v2/meters/cpu/statistics?period=2147483647"));
    assertEquals(200, periods.status(), periods.toString());
    assertEquals(2, JSON.readTree(periods.body()).size());
  }

  private static RawHttp.Request get(String target) {
    return RawHttp.Request.of("GET", target);
  }

  private static RawHttp.Request postSample(String fields) {
    return RawHttp.Request.of("POST", "/v2/meters/cpu").withBody("application/json",
        "[{\"counter_name\": \"cpu\", \"counter_type\": \"gauge\", \"counter_unit\": \"ns\", \"counter_volume\": 1, "
            + fields + "}]");
  }

  private static RawHttp.Request query(String filter) {
    return RawHttp.Request.of("POST", "/v2/query/samples").withBody("application/json",
        "{\"filter\": " + HostileRequests.jsonString(filter) + "}");
  }
}
