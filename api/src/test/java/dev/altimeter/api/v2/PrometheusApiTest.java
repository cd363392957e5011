package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Prometheus HTTP API (/api/v1) over the statistics data set ({@link #seed}): the data model's
 * labels, the listing endpoints, parameters and errors as Prometheus answers them, and project
 * scoping. Queries through the engine: {@code PrometheusQueryTest}.
 */
class PrometheusApiTest extends ApiTestSupport {
  static final JsonMapper JSON = JsonMapper.builder().build();
  /** S0 - 1 min .. S0 + 10 min, in unix seconds. */
  static final String WINDOW = "start=" + (S0.getEpochSecond() - 60) + "&end=" + (S0.getEpochSecond() + 600);

  @BeforeEach
  void data() {
    seed();
  }

  /** PromQL in the query string: see {@link #getQuery}. */
  @Override
  WebTestClient.ResponseSpec get(String pathAndQuery, String... headers) {
    return getQuery(pathAndQuery, headers);
  }

  JsonNode json(WebTestClient.ResponseSpec response, int status) {
    byte[] body = response.expectStatus().isEqualTo(status).expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody().returnResult().getResponseBody();
    return JSON.readTree(body);
  }

  /** Asserts Prometheus's error envelope. */
  void error(WebTestClient.ResponseSpec response, int status, String type, String message) {
    JsonNode body = json(response, status);
    assertThat(body.get("status").asString()).isEqualTo("error");
    assertThat(body.get("errorType").asString()).isEqualTo(type);
    assertThat(body.get("error").asString()).contains(message);
  }

  @Test
  void seriesCarryTheDataModelsLabels() {
    JsonNode body = json(get("/api/v1/series?match[]=ceilometer_cpu&" + WINDOW), 200);
    assertThat(body.get("status").asString()).isEqualTo("success");
    assertThat(body.get("data")).hasSize(3);
    // sorted by labels, as Prometheus sorts: instance_type m1.large (r2, r3) before m1.small (r1)
    JsonNode r1 = body.get("data").get(2);
    assertThat(JSON.convertValue(r1, Map.class)).isEqualTo(Map.of("__name__", "ceilometer_cpu", "resource_id", "r1",
        "project_id", "p1", "user_id", "u1", "unit", "ns", "type", "cumulative", "source", "openstack",
        "instance_type", "m1.small"));
    // all three matcher kinds on labels the store does not index
    assertThat(json(get("/api/v1/series?match[]={__name__=~\"ceilometer_.*\",instance_type=\"m1.large\"}&" + WINDOW), 200)
        .get("data")).extracting(n -> n.get("resource_id").asString()).containsExactly("r3", "r2");
    assertThat(json(get("/api/v1/series?match[]=ceilometer_cpu{resource_id!~\"r[12]\"}&" + WINDOW), 200)
        .get("data")).extracting(n -> n.get("resource_id").asString()).containsExactly("r3");
    // several match[] are a union
    assertThat(json(get("/api/v1/series?match[]=ceilometer_memory&match[]=ceilometer_cpu{resource_id=\"r2\"}&" + WINDOW),
        200).get("data")).hasSize(2);
    // outside the window: nothing
    assertThat(json(get("/api/v1/series?match[]=ceilometer_cpu&start=0&end=100"), 200).get("data")).isEmpty();
    assertThat(json(get("/api/v1/series?match[]=ceilometer_cpu&limit=1&" + WINDOW), 200).get("data")).hasSize(1);
  }

  @Test
  void formPostsAreReadLikeQueryStrings() {
    var response = http.post().uri("/api/v1/series").contentType(MediaType.APPLICATION_FORM_URLENCODED)
        .body(BodyInserters.fromFormData("match[]", "ceilometer_memory").with("start", "" + (S0.getEpochSecond() - 60))
            .with("end", "2024-03-01T10:10:00Z")).exchange();
    assertThat(json(response, 200).get("data")).hasSize(1);
  }

  @Test
  void labelsAndLabelValues() {
    assertThat(JSON.convertValue(json(get("/api/v1/labels?" + WINDOW), 200).get("data"), List.class))
        .isEqualTo(List.of("__name__", "instance_type", "project_id", "resource_id", "source", "type", "unit", "user_id"));
    assertThat(JSON.convertValue(json(get("/api/v1/label/resource_id/values?" + WINDOW), 200).get("data"), List.class))
        .isEqualTo(List.of("r1", "r2", "r3"));
    assertThat(JSON.convertValue(json(get("/api/v1/label/__name__/values?" + WINDOW), 200).get("data"), List.class))
        .isEqualTo(List.of("ceilometer_cpu", "ceilometer_memory"));
    assertThat(JSON.convertValue(json(get("/api/v1/label/resource_id/values?match[]={instance_type=\"m1.large\"}&"
        + WINDOW), 200).get("data"), List.class)).isEqualTo(List.of("r2", "r3"));
    error(get("/api/v1/label/a-b/values"), 400, "bad_data", "invalid label name: \"a-b\"");
  }

  @Test
  void metadataTypesCumulativeMetersAsCounters() {
    JsonNode data = json(get("/api/v1/metadata"), 200).get("data");
    assertThat(data.get("ceilometer_cpu").get(0).get("type").asString()).isEqualTo("counter");
    assertThat(data.get("ceilometer_cpu").get(0).get("unit").asString()).isEqualTo("ns");
    assertThat(data.get("ceilometer_memory").get(0).get("type").asString()).isEqualTo("gauge");
    assertThat(json(get("/api/v1/metadata?metric=ceilometer_memory"), 200).get("data")).hasSize(1);
    assertThat(json(get("/api/v1/metadata?limit=1"), 200).get("data")).hasSize(1);
    assertThat(json(get("/api/v1/status/buildinfo"), 200).get("data").get("version").asString()).isEqualTo("2.42.0");
  }

  @Test
  void aMemberSeesItsProjectWhateverTheQuerySays() {
    String[] p2 = {"X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member"};
    assertThat(json(get("/api/v1/series?match[]=ceilometer_cpu&" + WINDOW, p2), 200).get("data"))
        .extracting(n -> n.get("project_id").asString()).containsExactly("p2");
    assertThat(json(get("/api/v1/series?match[]=ceilometer_cpu{project_id=\"p1\"}&" + WINDOW, p2), 200).get("data"))
        .isEmpty();
    assertThat(json(get("/api/v1/series?match[]={project_id=~\".+\"}&" + WINDOW, p2), 200).get("data"))
        .extracting(n -> n.get("project_id").asString()).containsOnly("p2");
    assertThat(JSON.convertValue(json(get("/api/v1/label/project_id/values?" + WINDOW, p2), 200).get("data"), List.class))
        .isEqualTo(List.of("p2"));
    // the memory meter is p1's only: not in p2's metadata
    assertThat(json(get("/api/v1/metadata", p2), 200).get("data").has("ceilometer_memory")).isFalse();
    // a member without a project is refused, in Ceilometer's fault shape as on /v2
    fault(get("/api/v1/series?match[]=ceilometer_cpu", "X-User-Id", "u2", "X-Roles", "member"), 403,
        "RBAC Authorization Failed");
  }

  @Test
  void parametersAreCheckedAsPrometheusChecksThem() {
    error(get("/api/v1/series"), 400, "bad_data", "no match[] parameter provided");
    error(get("/api/v1/series?match[]={a=\"\"}"), 400, "bad_data", "match[] must contain at least one non-empty matcher");
    error(get("/api/v1/labels?match[]={a=~\".*\"}"), 400, "bad_data", "match[] must contain at least one non-empty matcher");
    error(get("/api/v1/label/a/values?match[]=up[5m]"), 400, "bad_data", "1:3: parse error: unexpected \"[\"");
    error(get("/api/v1/query?query=up[99999999999y]"), 400, "bad_data", "1:4: parse error: duration out of range");
    error(get("/api/v1/series?match[]=cpu{"), 400, "bad_data", "parse error");
    error(get("/api/v1/series?match[]={a=~\"(\"}"), 400, "bad_data", "invalid regular expression");
    error(get("/api/v1/series?match[]=up&start=yesterday"), 400, "bad_data",
        "invalid parameter \"start\": cannot parse \"yesterday\" to a valid timestamp");
    error(get("/api/v1/query_range?query=up&end=10&step=1"), 400, "bad_data", "invalid parameter \"start\"");
    error(get("/api/v1/query_range?query=up&start=10&end=5&step=1"), 400, "bad_data",
        "invalid parameter \"end\": end timestamp must not be before start time");
    error(get("/api/v1/query_range?query=up&start=0&end=5&step=0"), 400, "bad_data",
        "zero or negative query resolution step widths are not accepted");
    error(get("/api/v1/query_range?query=up&start=0&end=5&step=x"), 400, "bad_data",
        "invalid parameter \"step\": cannot parse \"x\" to a valid duration");
    error(get("/api/v1/query_range?query=up&start=0&end=86400&step=1"), 400, "bad_data",
        "exceeded maximum resolution of 11,000 points per timeseries");
    // Prometheus refuses only (end - start) / step > 11 000, and before it parses the query
    json(get("/api/v1/query_range?query=up&start=0&end=11000&step=1"), 200);
    error(get("/api/v1/query_range?query=up&start=0&end=11001&step=1"), 400, "bad_data",
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    error(get("/api/v1/query_range?query=sum(&start=0&end=11001&step=1"), 400, "bad_data",
        "exceeded maximum resolution of 11,000 points per timeseries");
    error(get("/api/v1/query?query=up&time=x"), 400, "bad_data", "invalid parameter \"time\"");
    error(get("/api/v1/query?query=up&timeout=-1s"), 400, "bad_data", "invalid parameter \"timeout\"");
    error(get("/api/v1/series?match[]=up&limit=-1"), 400, "bad_data", "invalid parameter \"limit\"");
  }

  @Test
  void timesAndDurationsInEveryPrometheusSpelling() {
    for (String window : List.of(WINDOW, "start=2024-03-01T09:59:00Z&end=2024-03-01T10:10:00.000Z",
        "start=" + (S0.getEpochSecond() - 60) + ".5&end=2024-03-01T12:10:00.5%2B02:00")) {
      assertThat(json(get("/api/v1/series?match[]=ceilometer_cpu&" + window), 200).get("data")).as(window).hasSize(3);
    }
  }

  @Test
  void instantQueries() {
    long t = S0.getEpochSecond();
    JsonNode memory = json(get("/api/v1/query?query=ceilometer_memory&time=" + (t + 60)), 200).get("data");
    assertThat(memory.get("resultType").asString()).isEqualTo("vector");
    assertThat(memory.get("result")).singleElement().satisfies(r -> {
      assertThat(r.get("metric").get("__name__").asString()).isEqualTo("ceilometer_memory");
      assertThat(r.get("value").get(0).asLong()).isEqualTo(t + 60);
      assertThat(r.get("value").get(1).asString()).isEqualTo("512");
    });
    JsonNode sums = json(get("/api/v1/query?query=sum by (project_id) (ceilometer_cpu)&time=" + (t + 240)), 200)
        .get("data").get("result");
    assertThat(sums).hasSize(2);
    for (JsonNode r : sums) assertThat(r.get("value").get(1).asString()).isEqualTo("8");
    // a member's sum covers its project only, whatever the query says
    JsonNode member = json(get("/api/v1/query?query=sum(ceilometer_cpu{project_id=~\".*\"})&time=" + (t + 240),
        "X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member"), 200).get("data").get("result");
    assertThat(member).singleElement().satisfies(r -> assertThat(r.get("value").get(1).asString()).isEqualTo("8"));
    // scalars, and Prometheus's spelling of times and values
    String scalar = new String(get("/api/v1/query?query=1/3&time=" + t + ".5").expectStatus().isOk().expectBody()
        .returnResult().getResponseBodyContent(), java.nio.charset.StandardCharsets.UTF_8).replace(" ", "");
    assertThat(scalar).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":["
        + t + ".500,\"0.3333333333333333\"]}}");
    assertThat(json(get("/api/v1/query?query=-1/0"), 200).get("data").get("result").get(1).asString()).isEqualTo("-Inf");
    var form = http.post().uri("/api/v1/query").contentType(MediaType.APPLICATION_FORM_URLENCODED)
        .body(BodyInserters.fromFormData("query", "ceilometer_memory").with("time", "" + (t + 60))).exchange();
    assertThat(json(form, 200).get("data").get("result")).hasSize(1);
    error(get("/api/v1/query?query=sum(ceilometer_cpu"), 400, "bad_data", "parse error");
    error(get("/api/v1/query"), 400, "bad_data", "");
  }

  @Test
  void rangeQueries() {
    long t = S0.getEpochSecond();
    JsonNode data = json(get("/api/v1/query_range?query=ceilometer_cpu{resource_id=\"r1\"}&start=" + t + "&end="
        + (t + 180) + "&step=1m"), 200).get("data");
    assertThat(data.get("resultType").asString()).isEqualTo("matrix");
    assertThat(data.get("result")).singleElement().satisfies(r -> assertThat(r.get("values").toString())
        .isEqualTo("[[" + t + ",\"1\"],[" + (t + 60) + ",\"3\"],[" + (t + 120) + ",\"3\"],[" + (t + 180) + ",\"4\"]]"));
    JsonNode rate = json(get("/api/v1/query_range?query=rate(ceilometer_cpu{resource_id=\"r1\"}[5m])&start=" + (t + 180)
        + "&end=" + (t + 180) + "&step=15"), 200).get("data").get("result");
    assertThat(rate).hasSize(1);
  }
}
