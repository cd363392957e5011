package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.ingest.RecordingIngestCounters;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;

/** {@code POST /v2/meters/{name}}: Ceilometer's validation, defaults and echo. */
class PostSamplesTest extends ApiTestSupport {
  private static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() {};

  @Autowired
  RecordingIngestCounters counters;

  @Test
  void postedSampleIsEchoedWithDefaultsAndStored() {
    Instant before = Instant.now().minusSeconds(1);
    List<Map<String, Object>> echo = post("/v2/meters/instance", """
        [{"counter_name": "instance", "counter_type": "gauge", "counter_unit": "instance",
          "counter_volume": "1.5", "resource_id": "vm-1",
          "resource_metadata": {"flavor.name": "m1.small", "vcpus": 2, "tags": ["a", "b"], "ok": true}}]""",
        "X-User-Id", "u1", "X-Project-Id", "p1")
        .expectStatus().isCreated()
        .expectBody(LIST).returnResult().getResponseBody();

    assertThat(echo).hasSize(1);
    Map<String, Object> s = echo.get(0);
    assertThat(s).containsEntry("counter_name", "instance").containsEntry("counter_type", "gauge")
        .containsEntry("counter_unit", "instance").containsEntry("counter_volume", 1.5)
        .containsEntry("resource_id", "vm-1").containsEntry("user_id", "u1").containsEntry("project_id", "p1")
        .containsEntry("source", "p1:openstack")
        .containsEntry("resource_metadata", Map.of("flavor.name", "m1.small", "vcpus", "2", "tags", "['a', 'b']", "ok", "True"));
    Instant ts = Instant.parse(s.get("timestamp") + "Z");
    assertThat(ts).isAfter(before).isBefore(Instant.now().plusSeconds(1));
    String id = (String) s.get("message_id");
    assertThat(id).matches("[0-9a-f-]{36}");

    get("/v2/samples/" + id).expectStatus().isOk().expectBody()
        .jsonPath("$.id").isEqualTo(id)
        .jsonPath("$.meter").isEqualTo("instance")
        .jsonPath("$.volume").isEqualTo(1.5)
        .jsonPath("$.source").isEqualTo("p1:openstack")
        .jsonPath("$.metadata['flavor.name']").isEqualTo("m1.small")
        .jsonPath("$.recorded_at").isNotEmpty();
    // the dotted key was re-nested, so a nested metadata query finds it
    get("/v2/samples?q.field=metadata.flavor.name&q.value=m1.small").expectStatus().isOk()
        .expectBody().jsonPath("$.length()").isEqualTo(1);
  }

  @Test
  void explicitFieldsWinOverHeadersAndSourceIsPrefixedWithTheProject() {
    post("/v2/meters/cpu", """
        [{"counter_name": "cpu", "counter_type": "cumulative", "counter_unit": "ns", "counter_volume": 10,
          "resource_id": "vm-1", "user_id": "u9", "project_id": "p9", "source": "mine",
          "timestamp": "2024-01-02T03:04:05.123456"}]""")
        .expectStatus().isCreated().expectBody()
        .jsonPath("$[0].user_id").isEqualTo("u9")
        .jsonPath("$[0].project_id").isEqualTo("p9")
        .jsonPath("$[0].source").isEqualTo("p9:mine")
        .jsonPath("$[0].timestamp").isEqualTo("2024-01-02T03:04:05.123456");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      missing volume   | [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","resource_id":"r"}]                                  | Invalid input for field/attribute counter_volume. Value: 'None'. Mandatory field missing.
      missing resource | [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":1}]                                 | Invalid input for field/attribute resource_id. Value: 'None'. Mandatory field missing.
      wrong name       | [{"counter_name":"apples","counter_type":"gauge","counter_unit":"u","counter_volume":1,"resource_id":"r"}]                 | Invalid input for field/attribute counter_name. Value: 'apples'. should be instance
      wrong type       | [{"counter_name":"instance","counter_type":"gauged","counter_unit":"u","counter_volume":1,"resource_id":"r"}]              | Invalid input for field/attribute counter_type. Value: 'gauged'. The counter type must be: gauge, delta, cumulative
      message id set   | [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":1,"resource_id":"r","message_id":"x"}] | Invalid input for field/attribute message_id. Value: 'x'. The message_id must not be set
      bad volume       | [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":"lots","resource_id":"r"}]          | Invalid input for field/attribute samples. Value: '[GOOD, {'counter_name': 'instance', 'counter_type': 'gauge', 'counter_unit': 'u', 'counter_volume': 'lots', 'resource_id': 'r'}]'. could not convert string to float: 'lots'
      bad timestamp    | [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":1,"resource_id":"r","timestamp":"yesterday"}] | Invalid input for field/attribute samples. Value: '[GOOD, {'counter_name': 'instance', 'counter_type': 'gauge', 'counter_unit': 'u', 'counter_volume': 1, 'resource_id': 'r', 'timestamp': 'yesterday'}]'. Unknown string format: yesterday
      metadata list    | [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":1,"resource_id":"r","resource_metadata":[1]}] | Invalid input for field/attribute samples. Value: '[GOOD, {'counter_name': 'instance', 'counter_type': 'gauge', 'counter_unit': 'u', 'counter_volume': 1, 'resource_id': 'r', 'resource_metadata': [1]}]'. Value not a valid dict: [1]
      item not object  | [1]                                                                                                                        | Invalid input for field/attribute samples. Value: '1'. a sample must be a JSON object
      empty list       | []                                                                                                                         | Samples should be included in request body
      """)
  void invalidSampleIsRefusedAndNothingIsStored(String name, String body, String faultstring) {
    // a good sample first in the same request: the whole request is refused
    String withGood = "[{\"counter_name\":\"instance\",\"counter_type\":\"gauge\",\"counter_unit\":\"u\","
        + "\"counter_volume\":1,\"resource_id\":\"good\"}" + (body.equals("[]") ? "]" : "," + body.substring(1));
    fault(post("/v2/meters/instance", body.equals("[]") ? body : withGood), 400, faultstring.replace("GOOD",
        "{'counter_name': 'instance', 'counter_type': 'gauge', 'counter_unit': 'u', 'counter_volume': 1, 'resource_id': 'good'}"));
    get("/v2/samples").expectStatus().isOk().expectBody().json("[]");
  }

  @Test
  void emptyBodyIsRefused() {
    fault(http.post().uri("/v2/meters/instance").header("Content-Type", "application/json").exchange(), 400,
        "Samples should be included in request body");
  }

  @Test
  void nonAdminCannotPostToAnotherProject() {
    fault(post("/v2/meters/instance", """
        [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":1,
          "resource_id":"r","project_id":"other"}]""", "X-User-Id", "u1", "X-Project-Id", "p1", "X-Roles", "member"),
        401, "Not Authorized to access project other");
    get("/v2/samples").expectStatus().isOk().expectBody().json("[]");
  }

  @Test
  void manySamplesInOneRequestAreAllStored() {
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < 5000; i++) {
      body.append(i > 0 ? "," : "").append("{\"counter_name\":\"m\",\"counter_type\":\"delta\",\"counter_unit\":\"B\",")
          .append("\"counter_volume\":").append(i).append(",\"resource_id\":\"r").append(i % 10).append("\"}");
    }
    post("/v2/meters/m", body.append(']').toString()).expectStatus().isCreated()
        .expectBody().jsonPath("$.length()").isEqualTo(5000);
    get("/v2/samples?limit=10000").expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(5000);
    get("/v2/meters").expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(10);
  }

  /** The refusal of a text field says what is wrong with it: an unpaired surrogate is not a NUL. */
  @Test
  void anUnpairedSurrogateIsRefusedForWhatItIs() {
    fault(post("/v2/meters/instance", """
        [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":1,"resource_id":"r\\ud800"}]"""),
        400, "Invalid input for field/attribute resource_id. Value: 'r\\ud800'. must be Unicode text without unpaired surrogates");
  }

  /** A POST refused for its query arguments is a refused body like any other: counted as one invalid. */
  @Test
  void aPostRefusedForItsArgumentsIsCounted() {
    long invalid = counters.count("v2", IngestOutcome.INVALID);
    post("/v2/meters/instance?bogus=1", ONE_SAMPLE).expectStatus().isBadRequest();
    post("/v2/meters/instance?direct=maybe", ONE_SAMPLE).expectStatus().isBadRequest();
    assertThat(counters.count("v2", IngestOutcome.INVALID)).isEqualTo(invalid + 2);
  }

  /**
   * A sample POST the request filter refuses before routing (a body that is not JSON: 415; a NUL in
   * the path: 400) is counted as one invalid, as every other refused body; it was not counted at all.
   */
  @Test
  void aPostRefusedBeforeRoutingIsCounted() {
    long invalid = counters.count("v2", IngestOutcome.INVALID);
    http.post().uri("/v2/meters/instance").header("Content-Type", "text/plain").bodyValue("[]").exchange()
        .expectStatus().isEqualTo(415);
    http.post().uri("/v2/meters/a%00b").header("Content-Type", "application/json").bodyValue("[]").exchange()
        .expectStatus().isBadRequest();
    http.post().uri("/v2/meters").header("Content-Type", "text/plain").bodyValue("[]").exchange()
        .expectStatus().isEqualTo(415);
    assertThat(counters.count("v2", IngestOutcome.INVALID)).isEqualTo(invalid + 2);
  }

  /**
   * A sample POST whose Accept content negotiation refuses (406: JSON in another charset than UTF-8,
   * more than 50 types, an Accept that cannot be parsed) stores nothing and is counted as one invalid.
   */
  @Test
  void aPostRefusedForItsAcceptIsCounted() throws Exception {
    long invalid = counters.count("v2", IngestOutcome.INVALID);
    post("/v2/meters/instance", ONE_SAMPLE).expectStatus().isCreated();
    String refused = ONE_SAMPLE.replace("instance", "refused");
    for (String accept : List.of("application/json;charset=ISO-8859-1",
        String.join(",", java.util.Collections.nCopies(51, "*/*")), "garbage/")) {
      http.post().uri("/v2/meters/refused").header("Content-Type", "application/json").header("Accept", accept)
          .bodyValue(refused).exchange().expectStatus().isEqualTo(406);
    }
    assertThat(counters.count("v2", IngestOutcome.INVALID)).isEqualTo(invalid + 3);
    get("/v2/meters/refused", "X-Roles", "admin").expectStatus().isOk().expectBody(String.class).isEqualTo("[]");
    // a path no route serves is no sample POST: not counted, refused or not
    RawHttp.Response doubled = RawHttp.send(port, RawHttp.Request.of("POST", "/v2//meters/refused",
        "Accept", "application/json;charset=ISO-8859-1").withBody("application/json", refused), 10_000);
    assertThat(doubled.status()).isEqualTo(406);
    assertThat(counters.count("v2", IngestOutcome.INVALID)).isEqualTo(invalid + 3);
  }

  private static final String ONE_SAMPLE = """
        [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":1,"resource_id":"r"}]""";
}
