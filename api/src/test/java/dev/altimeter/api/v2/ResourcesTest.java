package dev.altimeter.api.v2;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v2/resources} and {@code /v2/resources/{id}}. */
class ResourcesTest extends ApiTestSupport {
  static final String[] P2 = {"X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member"};

  @BeforeEach
  void data() {
    seed();
  }

  String base() {
    return "http://localhost:" + port;
  }

  @Test
  void resourceJsonShapeWithMeterLinks() {
    get("/v2/resources/r1").expectStatus().isOk().expectHeader().contentType("application/json").expectBody().json("""
        {"resource_id": "r1", "project_id": "p1", "user_id": "u1", "source": "openstack",
         "first_sample_timestamp": "2024-03-01T10:00:00", "last_sample_timestamp": "2024-03-01T10:03:00",
         "metadata": {"instance_type": "m1.small"},
         "links": [{"href": "%1$s/v2/resources/r1", "rel": "self"},
                   {"href": "%1$s/v2/meters/cpu?q.field=resource_id&q.value=r1", "rel": "cpu"},
                   {"href": "%1$s/v2/meters/memory?q.field=resource_id&q.value=r1", "rel": "memory"}]}"""
        .formatted(base()), true);
  }

  @Test
  void listInFirstStoredOrder() {
    get("/v2/resources").expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("r1", "r2", "r3"))
        .jsonPath("$[1].user_id").isEqualTo("u2")
        .jsonPath("$[1].links.length()").isEqualTo(2);
    get("/v2/resources?meter_links=0").expectStatus().isOk().expectBody()
        .jsonPath("$[0].links").isEqualTo(List.of(java.util.Map.of("href", base() + "/v2/resources/r1", "rel", "self")));
    get("/v2/resources?limit=1").expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(1);
  }

  @Test
  void anIdWithASlashIsAddressedQuotedTwice() {
    post("/v2/meters/image", "[{\"counter_name\": \"image\", \"counter_type\": \"gauge\", \"counter_unit\": \"image\","
        + " \"counter_volume\": 1, \"resource_id\": \"tenant/glance\"}]").expectStatus().isCreated();
    // as sent on the wire (a URI template would quote the % once more)
    http.get().uri(java.net.URI.create("http://localhost:" + port + "/v2/resources/tenant%252Fglance")).exchange()
        .expectStatus().isOk().expectBody()
        .jsonPath("$.resource_id").isEqualTo("tenant/glance");
  }

  @Test
  void unquoteIsPythons() {
    org.assertj.core.api.Assertions.assertThat(ResourcesController.unquote("a%2Fb%zz%"))
        .isEqualTo("a/b%zz%");
    org.assertj.core.api.Assertions.assertThat(ResourcesController.unquote("%C3%A9t%C3%A9%2")).isEqualTo("été%2");
    org.assertj.core.api.Assertions.assertThat(ResourcesController.unquote("plain")).isEqualTo("plain");
  }

  @Test
  void filters() {
    get("/v2/resources?q.field=user_id&q.value=u2").expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("r2", "r3"));
    // first/last sample timestamps are those under the filter; meter links stay complete
    get("/v2/resources?q.field=timestamp&q.op=lt&q.value=2024-03-01T10:01:00&q.field=resource_id&q.value=r1")
        .expectStatus().isOk().expectBody()
        .jsonPath("$[0].first_sample_timestamp").isEqualTo("2024-03-01T10:00:00")
        .jsonPath("$[0].last_sample_timestamp").isEqualTo("2024-03-01T10:00:30")
        .jsonPath("$[0].links.length()").isEqualTo(3);
    get("/v2/resources?q.field=metadata.instance_type&q.value=m1.large").expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("r2", "r3"));
    getWithBody("/v2/resources", "{\"q\": [{\"field\": \"project\", \"op\": \"eq\", \"value\": \"p2\"}]}")
        .expectStatus().isOk().expectBody().jsonPath("$[*].resource_id").isEqualTo(List.of("r2"));
  }

  @Test
  void nonAdminIsConfinedToItsProject() {
    get("/v2/resources", P2).expectStatus().isOk().expectBody().jsonPath("$[*].resource_id").isEqualTo(List.of("r2"));
    fault(get("/v2/resources/r1", P2), 404, "Resource r1 Not Found");
    get("/v2/resources/r2", P2).expectStatus().isOk();
    fault(get("/v2/resources?q.field=project_id&q.value=p1", P2), 401, "Not Authorized to access project p1");
    // a non-admin without a project is not left unconfined
    fault(get("/v2/resources", "X-User-Id", "u1", "X-Roles", "member"), 403, "RBAC Authorization Failed");
    fault(get("/v2/resources/r1", "X-User-Id", "u1"), 403, "RBAC Authorization Failed");
    fault(post("/v2/query/samples", "{}", "X-User-Id", "u1"), 403, "RBAC Authorization Failed");
  }

  @Test
  void resourceIdsAreUrlDecoded() {
    store.write(List.of(dev.altimeter.storage.Sample.builder()
        .meter("cpu").type(dev.altimeter.storage.SampleType.GAUGE).unit("ns").volume(1).resourceId("vm 1/a")
        .projectId("p1").source("openstack").timestamp(S0).build())).block(java.time.Duration.ofSeconds(30));
    // a URI, not a template: sent as written
    http.get().uri(java.net.URI.create(base() + "/v2/resources/vm%201%2Fa")).exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.resource_id").isEqualTo("vm 1/a")
        .jsonPath("$.links[0].href").isEqualTo(base() + "/v2/resources/vm 1/a");
  }

  @Test
  void errors() {
    fault(get("/v2/resources/nothing"), 404, "Resource nothing Not Found");
    fault(get("/v2/resources?meter_links=yes"), 400,
        "Invalid input for field/attribute meter_links. Value: 'yes'. unable to convert to int");
    fault(get("/v2/resources?limit=0"), 400, "Limit must be positive");
    fault(get("/v2/resources/r1?limit=1"), 400, "Unknown argument: \"limit\"");
    fault(get("/v2/resources?q.field=meter&q.value=cpu"), 400,
        "Unknown argument: \"meter\": unrecognized field in query: [<Query 'meter' eq 'cpu' Unset>], valid keys: "
            + "['project', 'resource', 'search_offset', 'source', 'timestamp', 'user']");
    fault(get("/v2/resources?q.field=user&q.op=gt&q.value=u1"), 400,
        "Invalid input for field/attribute op. Value: 'gt'. unimplemented operator for user");
    fault(getWithBody("/v2/resources?q.field=user&q.value=u1", "{\"q\": []}"), 400, "Parameter q was given several times");
    fault(getWithBody("/v2/resources", "{\"q\": [], \"limit\": 3}"), 400, "Unknown argument: \"limit\"");
    fault(getWithBody("/v2/resources", "{\"q\": [{\"value\": \"u1\"}]}"), 400,
        "Invalid input for field/attribute field. Value: '{\"value\":\"u1\"}'. Mandatory field missing.");
  }
}
