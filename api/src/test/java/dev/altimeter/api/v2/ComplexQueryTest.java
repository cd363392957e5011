package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /v2/query/samples}. */
class ComplexQueryTest extends ApiTestSupport {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String[] P2 = {"X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member"};

  @BeforeEach
  void data() {
    seed();
  }

  /** The request body: filter and orderby are JSON documents inside JSON strings. */
  static String body(String filter, String orderby, Object limit) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    if (filter != null) m.put("filter", filter);
    if (orderby != null) m.put("orderby", orderby);
    if (limit != null) m.put("limit", limit);
    return JSON.writeValueAsString(m);
  }

  List<Double> volumes(String body, String... headers) {
    var result = post("/v2/query/samples", body, headers).expectBody(String.class).returnResult();
    assertThat(result.getStatus().value()).as(body + " answered " + result.getResponseBody()).isEqualTo(200);
    List<Map<String, Object>> list = JSON.readValue(result.getResponseBody(),
        new tools.jackson.core.type.TypeReference<List<Map<String, Object>>>() {});
    return list.stream().map(m -> ((Number) m.get("volume")).doubleValue()).toList();
  }

  @Test
  void sampleShapeNewestFirstByDefault() {
    post("/v2/query/samples", body("{\"=\": {\"resource\": \"r2\"}}", null, null)).expectStatus().isOk()
        .expectHeader().contentType(MediaType.APPLICATION_JSON).expectBody().json("""
        [{"meter": "cpu", "type": "cumulative", "unit": "ns", "volume": 8.0, "user_id": "u2", "project_id": "p2",
          "resource_id": "r2", "source": "openstack", "timestamp": "2024-03-01T10:02:00",
          "metadata": {"instance_type": "m1.large"}}]""")
        .jsonPath("$[0].id").isNotEmpty().jsonPath("$[0].recorded_at").isNotEmpty();
    assertThat(volumes("{}")).containsExactly(4.0, 4.0, 8.0, 3.0, 512.0, 1.0);
    assertThat(volumes("")).hasSize(6);
  }

  @Test
  void grammar() {
    assertThat(volumes(body("{\"and\": [{\"=\": {\"counter_name\": \"cpu\"}}, {\">=\": {\"volume\": 4}}]}", null, null)))
        .containsExactly(4.0, 4.0, 8.0);
    // operators are case-insensitive; =< and => are <= and >=
    assertThat(volumes(body("{\"AND\": [{\"=<\": {\"counter_volume\": 3}}, {\"=>\": {\"counter_volume\": 2}}]}", null, null)))
        .containsExactly(3.0);
    assertThat(volumes(body("{\"Or\": [{\"<\": {\"volume\": 2}}, {\">\": {\"volume\": 500}}]}", null, null)))
        .containsExactly(512.0, 1.0);
    assertThat(volumes(body("{\"In\": {\"resource_id\": [\"r2\", \"r3\"]}}", null, null))).containsExactly(4.0, 8.0);
    assertThat(volumes(body("{\"not\": {\"in\": {\"resource\": [\"r1\", \"r2\"]}}}", null, null))).containsExactly(4.0);
    assertThat(volumes(body("{\"!=\": {\"meter\": \"cpu\"}}", null, null))).containsExactly(512.0);
    assertThat(volumes(body("{\"=~\": {\"resource_id\": \"^r[23]$\"}}", null, null))).containsExactly(4.0, 8.0);
    assertThat(volumes(body("{\"=\": {\"metadata.instance_type\": \"m1.large\"}}", null, null))).containsExactly(4.0, 8.0);
    assertThat(volumes(body("{\"=~\": {\"resource_metadata.instance_type\": \"small$\"}}", null, null)))
        .containsExactly(4.0, 3.0, 512.0, 1.0);
    assertThat(volumes(body("{\">\": {\"timestamp\": \"2024-03-01T10:02:00\"}}", null, null))).containsExactly(4.0, 4.0);
    assertThat(volumes(body("{\"=\": {\"type\": \"gauge\"}}", null, null))).containsExactly(512.0);
    assertThat(volumes(body("{\"=\": {\"unit\": \"ns\"}}", null, 2))).containsExactly(4.0, 4.0);
  }

  @Test
  void orderByAndLimit() {
    assertThat(volumes(body(null, "[{\"counter_volume\": \"ASC\"}]", 3))).containsExactly(1.0, 3.0, 4.0);
    assertThat(volumes(body("{\"=\": {\"meter\": \"cpu\"}}", "[{\"volume\": \"desc\"}, {\"timestamp\": \"asc\"}]", null)))
        .containsExactly(8.0, 4.0, 4.0, 3.0, 1.0);
    post("/v2/query/samples", body(null, "[{\"volume\": \"desc\"}, {\"timestamp\": \"asc\"}]", 2)).expectStatus().isOk()
        .expectBody().jsonPath("$[*].resource_id").isEqualTo(List.of("r1", "r2"));
  }

  @Test
  void nonAdminIsConfined() {
    assertThat(volumes("{}", P2)).containsExactly(8.0);
    assertThat(volumes(body("{\"=\": {\"project_id\": \"p2\"}}", null, null), P2)).containsExactly(8.0);
    fault(post("/v2/query/samples", body("{\"=\": {\"project_id\": \"p1\"}}", null, null), P2), 401,
        "Not Authorized to access project p1");
    fault(post("/v2/query/samples", body("{\"in\": {\"project\": [\"p2\", \"p1\"]}}", null, null), P2), 401,
        "Not Authorized to access project p1");
  }

  @Test
  void errors() {
    String[][] invalidFilters = {
        {"{\"foo\": {\"volume\": 1}}", "unknown operator 'foo'"},
        {"{\"and\": [{\"=\": {\"volume\": 1}}]}", "'and' needs a list of at least 2 expressions"},
        {"{\"=\": {\"nothing\": 1}}", "unknown field 'nothing'"},
        {"{\"=\": {\"volume\": 1, \"meter\": \"cpu\"}}", "'=' needs an object with exactly one field"},
        {"{\"in\": {\"metadata.instance_type\": [\"a\"]}}", "'in' is not supported on metadata (metadata.instance_type)"},
        {"{\"=\": {\"volume\": \"big\"}}", "\"big\" is not a number for counter_volume"},
        {"[1]", "[1] must be an object with exactly one operator"},
        {"{\"=\": ", null},
    };
    for (String[] f : invalidFilters) {
      var result = post("/v2/query/samples", body(f[0], null, null)).expectStatus().isBadRequest()
          .expectBody(String.class).returnResult().getResponseBody();
      String faultstring = JSON.readTree(result).at("/error_message/faultstring").asString();
      assertThat(faultstring).as(f[0]).startsWith("Filter expression not valid: ");
      if (f[1] != null) assertThat(faultstring).isEqualTo("Filter expression not valid: " + f[1]);
    }
    fault(post("/v2/query/samples", body(null, "[{\"volume\": \"up\"}]", null)), 400,
        "Order-by expression not valid: \"up\" is not asc or desc");
    fault(post("/v2/query/samples", body(null, "[{\"nothing\": \"asc\"}]", null)), 400,
        "Order-by expression not valid: unknown field 'nothing'");
    fault(post("/v2/query/samples", body(null, "{\"volume\": \"asc\"}", null)), 400,
        "Order-by expression not valid: {\"volume\":\"asc\"} is not a list");
    fault(post("/v2/query/samples", body("{\">\": {\"timestamp\": \"yesterday\"}}", null, null)), 400,
        "Failed to parse the timestamp value yesterday");
    fault(post("/v2/query/samples", body(null, null, 0)), 400, "Limit must be positive");
    fault(post("/v2/query/samples", body(null, null, "many")), 400,
        "Invalid input for field/attribute limit. Value: 'many'. unable to convert to int");
    fault(post("/v2/query/samples", "{\"select\": 1}"), 400, "Unknown attribute for argument body: select");
    http.post().uri("/v2/query/samples").contentType(MediaType.TEXT_PLAIN).bodyValue("{}").exchange()
        .expectStatus().isEqualTo(415).expectBody().jsonPath("$.error_message.faultcode").isEqualTo("Client");
    http.get().uri("/v2/query/samples").exchange().expectStatus().isEqualTo(405).expectHeader().valueEquals("Allow", "POST");
  }
}
