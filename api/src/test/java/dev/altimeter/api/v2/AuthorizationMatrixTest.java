package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.TokenStore;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every route x every identity x every spelling of its path, in token mode with a path prefix: the
 * kind of bypass where a filter decides on the raw path and the router on a normalised one
 * ({@code /v2;x/samples}, {@code /%76%32/resources}) cannot come back, because each handler
 * authenticates its own {@link Caller}.
 *
 * <p>Identities: none, a malformed and an unknown token, an expired token, a member of project A,
 * a member of B, an admin. Invariants: without a valid token nothing but the public documents
 * answers 2xx, and any spelling that routes to a handler answers 401; a member never reads or
 * writes another project's rows; only an admin manages tokens.
 */
@TestPropertySource(properties = {"altimeter.api.auth=token", "altimeter.api.prefix=/telemetry"})
class AuthorizationMatrixTest extends PostgresApiTestSupport {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ADMIN = "matrix-admin-secret";
  private static final String MEMBER_A = "matrix-member-a-secret";
  private static final String MEMBER_B = "matrix-member-b-secret";
  private static final String EXPIRED = "matrix-expired-secret";
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private String sampleOfB;

  /** A route: method, path below /v2 (with concrete ids), body for POSTs. */
  record Route(String method, String path, String body, String contentType) {
    Route(String method, String path, String body) {
      this(method, path, body, "application/json");
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private List<Route> routes() {
    String sampleA = "[{\"counter_name\": \"cpu\", \"counter_type\": \"gauge\", \"counter_unit\": \"ns\","
        + " \"counter_volume\": 1, \"resource_id\": \"r1\", \"project_id\": \"p1\"}]";
    return List.of(
        new Route("GET", "/v2/meters", null),
        new Route("GET", "/v2/meters/cpu", null),
        new Route("POST", "/v2/meters/cpu", sampleA),
        new Route("GET", "/v2/meters/cpu/statistics", null),
        new Route("GET", "/v2/samples", null),
        new Route("GET", "/v2/samples/" + sampleOfB, null),
        new Route("POST", "/v2/query/samples", "{}"),
        new Route("GET", "/v2/resources", null),
        new Route("GET", "/v2/resources/r2", null),
        new Route("GET", "/v2/events", null),
        new Route("GET", "/v2/events/m2", null),
        new Route("GET", "/v2/event_types", null),
        new Route("GET", "/v2/event_types/compute.instance.delete.end", null),
        new Route("GET", "/v2/event_types/compute.instance.delete.end/traits", null),
        new Route("GET", "/v2/event_types/compute.instance.delete.end/traits/vcpus", null),
        new Route("GET", "/v2/capabilities", null),
        new Route("GET", "/v2/admin/tokens", null),
        new Route("POST", "/v2/admin/tokens", "{\"project_id\": \"p1\", \"roles\": [\"admin\"]}"),
        new Route("DELETE", "/v2/admin/tokens/" + UUID.randomUUID(), null),
        // the Prometheus API (/api/v1) authorises its Caller the same way
        new Route("GET", "/api/v1/query?query=ceilometer_cpu&time=" + (S0.getEpochSecond() + 240), null),
        new Route("GET", "/api/v1/query_range?query=sum(ceilometer_cpu)%20by%20(project_id)&" + WINDOW + "&step=60", null),
        new Route("POST", "/api/v1/query_range", "query=ceilometer_cpu&" + WINDOW + "&step=60",
            "application/x-www-form-urlencoded"),
        new Route("GET", "/api/v1/series?match%5B%5D=ceilometer_cpu&" + WINDOW, null),
        new Route("GET", "/api/v1/labels?" + WINDOW, null),
        new Route("GET", "/api/v1/label/project_id/values?" + WINDOW, null),
        new Route("GET", "/api/v1/metadata", null),
        new Route("GET", "/api/v1/status/buildinfo", null),
        // an empty WriteRequest, snappy-compressed: one zero byte
        new Route("POST", "/api/v1/write", "\u0000", "application/x-protobuf"));
  }

  private static final String WINDOW = "start=" + S0.getEpochSecond() + "&end=" + (S0.getEpochSecond() + 600);

  /** Spellings of a path (its query string kept) that the router takes for it. */
  static List<String> routedSpellings(String pathAndQuery) {
    String[] parts = split(pathAndQuery);
    String path = parts[0];
    int cut = path.indexOf('/', 1);
    String first = path.substring(1, cut);
    String rest = path.substring(cut);
    return List.of(pathAndQuery, "/telemetry" + pathAndQuery, "/" + first + ";x" + rest + parts[1],
        "/" + encoded(first) + rest + parts[1], "/" + first.substring(0, first.length() - 1)
            + encoded(first.substring(first.length() - 1)) + rest + parts[1]);
  }

  /** Path and query string ({@code ""} or {@code "?..."}). */
  private static String[] split(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? new String[] {pathAndQuery, ""} : new String[] {pathAndQuery.substring(0, q), pathAndQuery.substring(q)};
  }

  private static String encoded(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) b.append('%').append(Integer.toHexString(c));
    return b.toString();
  }

  /** Spellings of one path that a router may take for it. */
  static List<String> variants(String pathAndQuery) {
    String[] parts = split(pathAndQuery);
    String path = parts[0];
    String q = parts[1];
    int cut = path.indexOf('/', 1);
    String first = path.substring(1, cut); // v2, api
    String rest = path.substring(cut);
    List<String> out = new ArrayList<>(routedSpellings(pathAndQuery));
    out.addAll(List.of("//" + first + rest + q, "/" + first + "/" + rest + q, path + ";x=1" + q, path + "/" + q,
        "/telemetry;a=b" + pathAndQuery, "/telemetry/" + encoded(first) + rest + q,
        "/" + first.toUpperCase(java.util.Locale.ROOT) + rest + q, "/" + first + "%2F" + rest.substring(1) + q));
    // a percent-encoded letter inside the route's next segment
    int i = rest.indexOf('/', 1);
    String next = i < 0 ? rest.substring(1) : rest.substring(1, i);
    out.add("/" + first + "/%" + Integer.toHexString(next.charAt(0)) + next.substring(1) + (i < 0 ? "" : rest.substring(i)) + q);
    return out;
  }


  @BeforeEach
  void data() {
    seed();
    Instant now = Instant.now();
    var tokens = TestPostgres.storage().tokens();
    tokens.create(new TokenStore.Token(UUID.randomUUID(), "admin-project", "root", List.of("admin"), now),
        TokenIssuer.sha256(ADMIN)).block(Duration.ofSeconds(10));
    tokens.create(new TokenStore.Token(UUID.randomUUID(), "p1", "u1", List.of("member"), now),
        TokenIssuer.sha256(MEMBER_A)).block(Duration.ofSeconds(10));
    tokens.create(new TokenStore.Token(UUID.randomUUID(), "p2", "u2", List.of("member"), now),
        TokenIssuer.sha256(MEMBER_B)).block(Duration.ofSeconds(10));
    tokens.create(new TokenStore.Token(UUID.randomUUID(), "admin-project", "root", List.of("admin"),
        now.minusSeconds(7200), now.minusSeconds(60)), TokenIssuer.sha256(EXPIRED)).block(Duration.ofSeconds(10));
    eventStore.write(List.of(
        new Event("m1", "compute.instance.create.end", S0, List.of(new Trait("project_id", TraitType.STRING, "p1"),
            new Trait("user_id", TraitType.STRING, "u1")), Map.of()),
        new Event("m2", "compute.instance.delete.end", S0, List.of(new Trait("project_id", TraitType.STRING, "p2"),
            new Trait("user_id", TraitType.STRING, "u2"), new Trait("vcpus", TraitType.INTEGER, 4L)), Map.of())))
        .block(Duration.ofSeconds(10));
    sampleOfB = store.samples(dev.altimeter.storage.SampleFilter.builder().projectId("p2").build(), 1)
        .blockFirst(Duration.ofSeconds(10)).messageId().toString();
  }

  @Test
  void withoutAValidTokenNoSpellingOfAnyRouteAnswers() throws Exception {
    List<String[]> identities = List.of(new String[0], bearer("not a token"), bearer("unknown-token"),
        bearer(EXPIRED), new String[] {"X-Auth-Token", ""},
        // identity headers are not credentials in token mode
        new String[] {"X-User-Id", "root", "X-Project-Id", "p1", "X-Roles", "admin"});
    List<String> cases = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (Route route : routes()) {
      for (String path : variants(route.path())) {
        for (String[] identity : identities) {
          cases.add(route.method() + " " + path + " " + List.of(identity));
          answers.add(sendAsync(route, path, identity));
        }
      }
    }
    int routed = 0;
    for (int i = 0; i < cases.size(); i++) {
      var response = answers.get(i).get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(cases.get(i)).isIn(401, 404, 405);
      if (response.statusCode() == 401) {
        routed++;
        assertThat(response.headers().firstValue("WWW-Authenticate")).as(cases.get(i)).hasValue("Bearer");
        assertThat(JSON.readTree(response.body()).at("/error_message/faultcode").asString()).isEqualTo("Client");
      }
    }
    // the spellings a router takes for the plain path all reached the handler, and it refused
    for (Route route : routes()) {
      for (String path : routedSpellings(route.path())) {
        assertThat(send(route, path).statusCode()).as("%s %s", route.method(), path).isEqualTo(401);
      }
    }
    assertThat(routed).isGreaterThan(routes().size() * 5 * identities.size());
  }

  @Test
  void publicDocumentsNeedNoToken() throws Exception {
    assertThat(send("GET", "/", null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/openapi.yaml", null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/telemetry/v2/openapi.yaml", null).statusCode()).isEqualTo(200);
    // the console's page and code; its data comes from the routes above, with the user's token
    for (String path : List.of("/console", "/telemetry/console", "/console/app.js", "/telemetry/console/app.js")) {
      assertThat(send("GET", path, null).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void aMemberNeverTouchesAnotherProject() throws Exception {
    for (String member : List.of(MEMBER_A, MEMBER_B)) {
      String own = member.equals(MEMBER_A) ? "p1" : "p2";
      String other = member.equals(MEMBER_A) ? "p2" : "p1";
      for (Route route : routes()) {
        for (String path : routedSpellings(route.path()).subList(0, 3)) {
          var response = send(route, path, bearer(member));
          int status = response.statusCode();
          assertThat(status).as("%s %s as %s", route.method(), path, own).isLessThan(500);
          if (status >= 200 && status < 300) {
            assertThat(projectsIn(JSON.readTree(response.body()))).as("%s %s as %s", route.method(), path, own)
                .doesNotContain(other);
          }
          if (route.path().startsWith("/v2/admin/")) assertThat(status).as(path).isEqualTo(403);
        }
      }
      // naming the other project is refused, on reads and writes
      assertThat(send("GET", "/v2/samples?q.field=project_id&q.value=" + other, null, bearer(member)).statusCode())
          .isEqualTo(401);
      assertThat(send("GET", "/v2/meters/cpu/statistics?q.field=project_id&q.value=" + other, null, bearer(member))
          .statusCode()).isEqualTo(401);
      assertThat(send("POST", "/v2/query/samples", "{\"filter\": \"{\\\"=\\\": {\\\"project_id\\\": \\\"" + other + "\\\"}}\"}",
          bearer(member)).statusCode()).isEqualTo(401);
      assertThat(send("POST", "/v2/meters/cpu", "[{\"counter_name\": \"cpu\", \"counter_type\": \"gauge\","
          + " \"counter_unit\": \"ns\", \"counter_volume\": 1, \"resource_id\": \"r9\", \"project_id\": \"" + other + "\"}]",
          bearer(member)).statusCode()).isEqualTo(401);
    }
    // B's sample and resource are not found by A, found by B and the admin
    assertThat(send("GET", "/v2/samples/" + sampleOfB, null, bearer(MEMBER_A)).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/v2/resources/r2", null, bearer(MEMBER_A)).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/v2/samples/" + sampleOfB, null, bearer(MEMBER_B)).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/resources/r2", null, bearer(ADMIN)).statusCode()).isEqualTo(200);
  }

  /**
   * A statistics answer names no project, so the matrix above cannot see a leak in it: the numbers
   * must be the member's project's alone. The admin's meter-only query is answered from the meter's
   * rollups of all owners (every project); a member's carries its project and must not be.
   */
  @Test
  void aMembersStatisticsCountItsOwnProjectOnly() throws Exception {
    // seed(): cpu volumes 1, 3, 4, 4 in p1 and 8 in p2; with a period, p2's one timestamp is an
    // empty range and gives no window (as in Ceilometer)
    for (String period : List.of("", "?period=3600")) {
      boolean windows = !period.isEmpty();
      for (var expected : List.of(new Object[] {ADMIN, 5, 20.0}, new Object[] {MEMBER_A, 4, 12.0},
          new Object[] {MEMBER_B, windows ? 0 : 1, windows ? 0.0 : 8.0})) {
        var response = send("GET", "/v2/meters/cpu/statistics" + period, null, bearer((String) expected[0]));
        assertThat(response.statusCode()).isEqualTo(200);
        long count = 0;
        double sum = 0;
        for (var row : JSON.readTree(response.body())) {
          count += row.get("count").asLong();
          sum += row.get("sum").asDouble();
        }
        assertThat(count).as("count%s as %s", period, expected[0]).isEqualTo(((Integer) expected[1]).longValue());
        assertThat(sum).as("sum%s as %s", period, expected[0]).isEqualTo((Double) expected[2]);
      }
    }
  }

  @Test
  void anAdminReachesEveryRoute() throws Exception {
    for (Route route : routes()) {
      int status = send(route, route.path(), bearer(ADMIN)).statusCode();
      assertThat(status).as(route.toString()).isIn(200, 201, 204, 404);
    }
    // and sees both projects
    assertThat(projectsIn(JSON.readTree(send("GET", "/v2/samples", null, bearer(ADMIN)).body())))
        .contains("p1", "p2");
  }

  private static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }

  /** Every project_id value anywhere in the answer (samples, meters, resources, statistics groups, traits). */
  private static List<String> projectsIn(JsonNode node) {
    List<String> out = new ArrayList<>();
    collect(node, out);
    return out;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      for (var e : node.properties()) {
        if (e.getKey().equals("project_id") && e.getValue().isString()) out.add(e.getValue().asString());
        collect(e.getValue(), out);
      }
      // an event trait {"name": "project_id", "value": ...}
      if (node.path("name").asString("").equals("project_id")) out.add(node.path("value").asString(""));
    } else if (node.isArray()) {
      for (JsonNode n : node) collect(n, out);
    }
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    return send(new Route(method, path, body), path, headers);
  }

  private HttpResponse<String> send(Route route, String path, String... headers) throws Exception {
    return sendAsync(route, path, headers).get(60, TimeUnit.SECONDS);
  }

  /** At most {@link #IN_FLIGHT} requests at a time: a matrix of a thousand requests, without a thousand sockets. */
  private CompletableFuture<HttpResponse<String>> sendAsync(Route route, String path, String... headers) {
    String body = route.body();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .method(route.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", route.contentType());
    if (route.contentType().equals("application/x-protobuf")) b.header("Content-Encoding", "snappy");
    for (int i = 0; i < headers.length; i += 2) {
      if (!headers[i + 1].isEmpty()) b.header(headers[i], headers[i + 1]);
    }
    inFlight.acquireUninterruptibly();
    return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release());
  }

  private static final int IN_FLIGHT = 16;
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
}
