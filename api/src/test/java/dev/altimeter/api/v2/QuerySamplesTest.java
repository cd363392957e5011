package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v2/meters}, {@code /v2/meters/{name}}, {@code /v2/samples}, {@code /v2/samples/{id}}. */
class QuerySamplesTest extends ApiTestSupport {
  static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
  static final UUID ID1 = UUID.fromString("11111111-1111-1111-1111-111111111111");

  @BeforeEach
  void data() {
    store.write(List.of(
        sample("cpu", "vm-1", "p1", "u1", T0, 1).messageId(ID1).resourceMetadata(Map.of("flavor", Map.of("name", "m1.small"), "vcpus", 2)).build(),
        sample("cpu", "vm-1", "p1", "u1", T0.plusSeconds(60), 2).resourceMetadata(Map.of("flavor", Map.of("name", "m1.small"), "vcpus", 2)).build(),
        sample("cpu", "vm-2", "p2", "u2", T0.plusSeconds(120), 3).resourceMetadata(Map.of("flavor", Map.of("name", "m1.large"), "vcpus", 8)).build(),
        sample("memory", "vm-1", "p1", null, T0.plusSeconds(30), 512).unit("MB").build()))
        .block(Duration.ofSeconds(30));
  }

  static Sample.Builder sample(String meter, String resource, String project, String user, Instant ts, double v) {
    return Sample.builder().meter(meter).type(SampleType.CUMULATIVE).unit("ns").volume(v).resourceId(resource)
        .projectId(project).userId(user).source("openstack").timestamp(ts);
  }

  @Test
  void sampleJsonShape() {
    get("/v2/samples/" + ID1).expectStatus().isOk().expectBody().json("""
        {"id": "11111111-1111-1111-1111-111111111111", "meter": "cpu", "type": "cumulative", "unit": "ns",
         "volume": 1.0, "user_id": "u1", "project_id": "p1", "resource_id": "vm-1", "source": "openstack",
         "timestamp": "2024-03-01T10:00:00", "metadata": {"flavor.name": "m1.small", "vcpus": "2"}}""")
        .jsonPath("$.recorded_at").isNotEmpty()
        .jsonPath("$.length()").isEqualTo(12);
  }

  @Test
  void oldSampleAndMeterJsonShapes() {
    get("/v2/meters/memory").expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(1)
        .jsonPath("$[0].source").isEqualTo("openstack")
        .jsonPath("$[0].counter_name").isEqualTo("memory")
        .jsonPath("$[0].counter_type").isEqualTo("cumulative")
        .jsonPath("$[0].counter_unit").isEqualTo("MB")
        .jsonPath("$[0].counter_volume").isEqualTo(512.0)
        .jsonPath("$[0].user_id").isEmpty()
        .jsonPath("$[0].project_id").isEqualTo("p1")
        .jsonPath("$[0].resource_id").isEqualTo("vm-1")
        .jsonPath("$[0].timestamp").isEqualTo("2024-03-01T10:00:30")
        .jsonPath("$[0].resource_metadata").isMap()
        .jsonPath("$[0].message_id").isNotEmpty();
    get("/v2/meters?q.field=resource_id&q.value=vm-2").expectStatus().isOk().expectBody().json("""
        [{"name": "cpu", "type": "cumulative", "unit": "ns", "resource_id": "vm-2", "project_id": "p2",
          "user_id": "u2", "source": "openstack", "meter_id": "dm0tMitjcHU="}]""", true);
  }

  @Test
  void samplesAreNewestFirstAndLimited() {
    get("/v2/samples").expectStatus().isOk().expectBody()
        .jsonPath("$[*].volume").isEqualTo(List.of(3.0, 2.0, 512.0, 1.0));
    get("/v2/samples?limit=2").expectStatus().isOk().expectBody()
        .jsonPath("$[*].volume").isEqualTo(List.of(3.0, 2.0));
    get("/v2/meters/cpu?q.field=resource_id&q.value=vm-1").expectStatus().isOk().expectBody()
        .jsonPath("$[*].counter_volume").isEqualTo(List.of(2.0, 1.0));
  }

  @Test
  void filtersByFieldsTimestampsAndMetadata() {
    assertVolumes("/v2/samples?q.field=project_id&q.value=p2", 3.0);
    assertVolumes("/v2/samples?q.field=project&q.value=p2", 3.0);
    assertVolumes("/v2/samples?q.field=user_id&q.value=None", 512.0);
    assertVolumes("/v2/samples?q.field=meter&q.value=cpu&q.field=resource&q.value=vm-1", 2.0, 1.0);
    assertVolumes("/v2/samples?q.field=timestamp&q.op=gt&q.value=2024-03-01T10:00:30", 3.0, 2.0);
    assertVolumes("/v2/samples?q.field=timestamp&q.op=ge&q.value=2024-03-01T10:00:30", 3.0, 2.0, 512.0);
    assertVolumes("/v2/samples?q.field=timestamp&q.op=lt&q.value=2024-03-01T10:01:00Z"
        + "&q.field=timestamp&q.op=ge&q.value=2024-03-01T10:00:00", 512.0, 1.0);
    assertVolumes("/v2/samples?q.field=metadata.flavor.name&q.value=m1.large", 3.0);
    assertVolumes("/v2/samples?q.field=resource_metadata.flavor.name&q.value=m1.large", 3.0);
    assertVolumes("/v2/samples?q.field=metadata.vcpus&q.value=8", 3.0);
    assertVolumes("/v2/samples?q.field=metadata.vcpus&q.value=8&q.type=integer", 3.0);
    assertVolumes("/v2/samples?q.field=metadata.vcpus&q.value=8&q.type=string");
    assertVolumes("/v2/samples?q.field=message_id&q.value=" + ID1, 1.0);
    // search_offset widens both bounds by N minutes
    assertVolumes("/v2/samples?q.field=timestamp&q.op=ge&q.value=2024-03-01T10:02:00"
        + "&q.field=search_offset&q.op=eq&q.value=1", 3.0, 2.0);
  }

  @Test
  void metersListOnePerMeterAndResource() {
    get("/v2/meters").expectStatus().isOk().expectBody()
        .jsonPath("$[*].name").isEqualTo(List.of("cpu", "cpu", "memory"))
        .jsonPath("$[*].resource_id").isEqualTo(List.of("vm-1", "vm-2", "vm-1"));
    get("/v2/meters?unique=true").expectStatus().isOk().expectBody().json("""
        [{"name": "cpu", "type": "cumulative", "unit": "ns", "resource_id": null, "project_id": null,
          "user_id": null, "source": null},
         {"name": "memory", "type": "cumulative", "unit": "MB", "resource_id": null, "project_id": null,
          "user_id": null, "source": null}]""")
        // Ceilometer's base64 of "None+cpu"
        .jsonPath("$[0].meter_id").isEqualTo("Tm9uZStjcHU=");
    get("/v2/meters?q.field=metadata.vcpus&q.value=8").expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("vm-2"));
  }

  @Test
  void nonAdminSeesOnlyItsProject() {
    String[] p2 = {"X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member"};
    get("/v2/samples", p2).expectStatus().isOk().expectBody().jsonPath("$[*].volume").isEqualTo(List.of(3.0));
    get("/v2/meters", p2).expectStatus().isOk().expectBody().jsonPath("$[*].resource_id").isEqualTo(List.of("vm-2"));
    fault(get("/v2/samples?q.field=project_id&q.value=p1", p2), 401, "Not Authorized to access project p1");
    fault(get("/v2/samples/" + ID1, p2), 404, "Sample " + ID1 + " Not Found");
    String[] admin = {"X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "admin"};
    get("/v2/samples", admin).expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(4);
  }

  @Test
  void errorsFollowTheContract() {
    fault(get("/v2/samples?limit=0"), 400, "Limit must be positive");
    fault(get("/v2/samples?limit=-1"), 400, "Limit must be positive");
    fault(get("/v2/samples?limit=happiness"), 400,
        "Invalid input for field/attribute limit. Value: 'happiness'. unable to convert to int");
    fault(get("/v2/samples?limit=1&limit=1"), 400, "Argument \"limit\" given more than once: [1, 1]");
    fault(get("/v2/samples?bad_Stuff_here=1"), 400, "Unknown argument: \"bad_Stuff_here\"");
    fault(get("/v2/samples/" + ID1 + "?limit=5"), 400, "Unknown argument: \"limit\"");
    fault(get("/v2/samples?q.field=limit&q.value=1"), 400,
        "Unknown argument: \"limit\": unrecognized field in query: [<Query 'limit' eq '1' Unset>], valid keys: "
            + "['message_id', 'meter', 'project', 'resource', 'search_offset', 'source', 'timestamp', 'user']");
    fault(get("/v2/samples?q.field=user_id&q.op=lt&q.value=u1"), 400,
        "Invalid input for field/attribute op. Value: 'lt'. unimplemented operator for user_id");
    fault(get("/v2/samples?q.field=user_id&q.op=like&q.value=u1"), 400,
        "Invalid input for field/attribute op. Value: 'like'. Value should be one of: eq, ge, gt, le, lt, ne");
    fault(get("/v2/samples?q.field=timestamp&q.op=gt&q.value=not-a-time"), 400,
        "Invalid input for field/attribute timestamp. Value: 'not-a-time'. invalid timestamp format");
    fault(get("/v2/meters?q.field=timestamp&q.op=gt&q.value=2024-01-01T00:00:00"), 400,
        "Unknown argument: \"timestamp\": not valid for this resource");
    fault(get("/v2/samples?q.field=metadata.vcpus&q.value=8&q.type=complex"), 400,
        "The data type complex is not supported. The supported data type list is: "
            + "['integer', 'float', 'string', 'boolean', 'datetime']");
    fault(get("/v2/samples?q.field=metadata.vcpus&q.value=eight&q.type=integer"), 400,
        "Unable to convert the value eight to the expected data type integer.");
    fault(get("/v2/samples/davesnothere"), 404, "Sample davesnothere Not Found");
    fault(get("/v2/samples/00000000-0000-0000-0000-000000000000"), 404,
        "Sample 00000000-0000-0000-0000-000000000000 Not Found");
  }

  @Test
  void unknownPathsAndMethodsAnswerInTheFaultShape() {
    get("/v2/nothing").expectStatus().isNotFound().expectBody().jsonPath("$.error_message.faultcode").isEqualTo("Client");
    http.delete().uri("/v2/samples").exchange().expectStatus().isEqualTo(405)
        .expectHeader().valueEquals("Allow", "GET")
        .expectBody().jsonPath("$.error_message.faultstring").isNotEmpty();
    http.post().uri("/v2/samples").exchange().expectStatus().isEqualTo(405);
  }

  @Test
  void versionDocument() {
    get("/").expectStatus().isOk().expectBody()
        .jsonPath("$.versions.values[0].id").isEqualTo("v2")
        .jsonPath("$.versions.values[0].status").isEqualTo("stable")
        .jsonPath("$.versions.values[0].links[0].href").isEqualTo("http://localhost:" + port + "/v2");
  }

  private void assertVolumes(String uri, Double... volumes) {
    var result = get(uri).expectBody(String.class).returnResult();
    assertThat(result.getStatus().value()).as(uri + " answered " + result.getResponseBody()).isEqualTo(200);
    List<Map<String, Object>> body = tools.jackson.databind.json.JsonMapper.builder().build()
        .readValue(result.getResponseBody(), new tools.jackson.core.type.TypeReference<List<Map<String, Object>>>() {});
    assertThat(body).as(uri).extracting(m -> ((Number) m.get("volume")).doubleValue()).containsExactly(volumes);
  }
}
