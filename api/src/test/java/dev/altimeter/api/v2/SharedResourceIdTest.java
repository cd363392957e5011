package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The PostgreSQL listings and statistics attacked through the API (headers mode): one resource id
 * recorded in several projects must show a member its own project's owner, metadata, timestamps and
 * meters only, through every filter, the newest-owner rule and the meter links; an admin sees the
 * newest owner of all. Also the bounds (limits, odd ids, years 1 and 9999, volumes of ±1e100) that
 * must answer a 4xx fault or the raw samples' figures, never a 500.
 */
@TestPropertySource(properties = "altimeter.api.auth=headers")
class SharedResourceIdTest extends PostgresApiTestSupport {
  private static final String[] ADMIN = {"X-User-Id", "admin", "X-Project-Id", "p0", "X-Roles", "admin"};
  private static final String[] P1 = {"X-User-Id", "u1", "X-Project-Id", "p1", "X-Roles", "member"};
  private static final String[] P2 = {"X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member"};

  private static Sample sample(String meter, String unit, double volume, String resource, String user,
      String project, Instant at, Map<String, Object> metadata) {
    return Sample.builder().meter(meter).type(SampleType.GAUGE).unit(unit).volume(volume).resourceId(resource)
        .userId(user).projectId(project).source("openstack").timestamp(at).resourceMetadata(metadata).build();
  }

  private void write(List<Sample> samples) {
    store.write(samples).block(Duration.ofSeconds(60));
  }

  /**
   * "shared" in p1 (cpu at +0 and +50 s, metadata owner=a) and in p2 (secret.meter at +100, cpu at
   * +200, metadata owner=b): p2 holds the newest sample and a meter p1 never recorded.
   */
  private void shared() {
    write(List.of(
        sample("cpu", "ns", 1, "shared", "u1", "p1", S0, Map.of("owner", "a", "n", 1)),
        sample("secret.meter", "B", 2, "shared", "u2", "p2", S0.plusSeconds(100), Map.of("owner", "b")),
        sample("cpu", "ns", 5, "shared", "u2", "p2", S0.plusSeconds(200), Map.of("owner", "b")),
        sample("cpu", "ns", 3, "shared", "u1", "p1", S0.plusSeconds(50), Map.of("owner", "a"))));
  }

  private String links(String resource, String... meters) {
    StringBuilder b = new StringBuilder("[{\"href\": \"%1$s/v2/resources/" + resource + "\", \"rel\": \"self\"}");
    for (String m : meters) {
      b.append(", {\"href\": \"%1$s/v2/meters/").append(m).append("?q.field=resource_id&q.value=").append(resource)
          .append("\", \"rel\": \"").append(m).append("\"}");
    }
    return b.append("]").toString().formatted("http://localhost:" + port);
  }

  @Test
  void aMemberSeesOnlyItsOwnProjectsSideOfASharedResourceId() {
    shared();
    String p1 = """
        {"resource_id": "shared", "project_id": "p1", "user_id": "u1", "source": "openstack",
         "first_sample_timestamp": "2024-03-01T10:00:00", "last_sample_timestamp": "2024-03-01T10:00:50",
         "metadata": {"owner": "a"}, "links": %s}""".formatted(links("shared", "cpu"));
    get("/v2/resources", P1).expectStatus().isOk().expectBody().json("[" + p1 + "]", true);
    get("/v2/resources/shared", P1).expectStatus().isOk().expectBody().json(p1, true);
    get("/v2/resources?q.field=resource_id&q.value=shared", P1).expectStatus().isOk().expectBody()
        .json("[" + p1 + "]", true);
    // bounds around p1's samples only: the window of p2's samples finds nothing of p1
    get("/v2/resources?q.field=timestamp&q.op=ge&q.value=2024-03-01T10:00:10", P1).expectStatus().isOk().expectBody()
        .jsonPath("$[0].first_sample_timestamp").isEqualTo("2024-03-01T10:00:50")
        .jsonPath("$[0].last_sample_timestamp").isEqualTo("2024-03-01T10:00:50")
        .jsonPath("$[0].links.length()").isEqualTo(2);
    get("/v2/resources?q.field=timestamp&q.op=ge&q.value=2024-03-01T10:01:00", P1).expectStatus().isOk().expectBody()
        .json("[]");
    // another project's metadata, user or meter finds nothing
    for (String q : List.of("q.field=metadata.owner&q.value=b", "q.field=user_id&q.value=u2",
        "q.field=metadata.owner&q.value=b&q.field=resource_id&q.value=shared")) {
      get("/v2/resources?" + q, P1).expectStatus().isOk().expectBody().json("[]");
      get("/v2/meters?" + q, P1).expectStatus().isOk().expectBody().json("[]");
    }
    get("/v2/resources?q.field=metadata.owner&q.op=eq&q.value=b&q.field=timestamp&q.op=ge&q.value=2024-03-01T09:00:00", P1)
        .expectStatus().isOk().expectBody().json("[]");
    String cpuP1 = """
        [{"name": "cpu", "type": "gauge", "unit": "ns", "resource_id": "shared", "project_id": "p1",
          "user_id": "u1", "source": "openstack"}]""";
    get("/v2/meters", P1).expectStatus().isOk().expectBody().json(cpuP1);
    get("/v2/meters?q.field=resource_id&q.value=shared", P1).expectStatus().isOk().expectBody().json(cpuP1);
    get("/v2/meters?q.field=metadata.owner&q.value=a", P1).expectStatus().isOk().expectBody().json(cpuP1);
    get("/v2/meters?unique=True", P1).expectStatus().isOk().expectBody().jsonPath("$[*].name").isEqualTo(List.of("cpu"));
    get("/v2/meters/secret.meter", P1).expectStatus().isOk().expectBody().json("[]");
    get("/v2/meters/cpu/statistics?groupby=project_id&groupby=resource_id", P1).expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(1)
        .jsonPath("$[0].groupby").isEqualTo(Map.of("project_id", "p1", "resource_id", "shared"))
        .jsonPath("$[0].count").isEqualTo(2).jsonPath("$[0].sum").isEqualTo(4.0).jsonPath("$[0].avg").isEqualTo(2.0);
    get("/v2/meters/cpu/statistics?groupby=user_id&period=60", P1).expectStatus().isOk().expectBody()
        .jsonPath("$[*].groupby.user_id").isEqualTo(List.of("u1"))
        .jsonPath("$[0].count").isEqualTo(2);
    fault(get("/v2/resources?q.field=project_id&q.value=p2", P1), 401, "Not Authorized to access project p2");
    fault(get("/v2/meters?q.field=project_id&q.value=p2", P1), 401, "Not Authorized to access project p2");

    // p2 sees its own side: its meters in first-stored order
    get("/v2/resources/shared", P2).expectStatus().isOk().expectBody().json("""
        {"resource_id": "shared", "project_id": "p2", "user_id": "u2", "source": "openstack",
         "first_sample_timestamp": "2024-03-01T10:01:40", "last_sample_timestamp": "2024-03-01T10:03:20",
         "metadata": {"owner": "b"}, "links": %s}""".formatted(links("shared", "secret.meter", "cpu")), true);
    get("/v2/meters", P2).expectStatus().isOk().expectBody()
        .jsonPath("$[*].name").isEqualTo(List.of("secret.meter", "cpu"))
        .jsonPath("$[*].project_id").isEqualTo(List.of("p2", "p2"));
  }

  @Test
  void anAdminSeesTheNewestOwnerAndEveryMeter() {
    shared();
    String all = """
        {"resource_id": "shared", "project_id": "p2", "user_id": "u2", "source": "openstack",
         "first_sample_timestamp": "2024-03-01T10:00:00", "last_sample_timestamp": "2024-03-01T10:03:20",
         "metadata": {"owner": "b"}, "links": %s}""".formatted(links("shared", "cpu", "secret.meter"));
    get("/v2/resources", ADMIN).expectStatus().isOk().expectBody().json("[" + all + "]", true);
    get("/v2/resources/shared", ADMIN).expectStatus().isOk().expectBody().json(all, true);
    // (cpu, shared) once, from its newest sample (p2's); the group is every owner of the id
    get("/v2/meters", ADMIN).expectStatus().isOk().expectBody().json("""
        [{"name": "cpu", "resource_id": "shared", "project_id": "p2", "user_id": "u2"},
         {"name": "secret.meter", "resource_id": "shared", "project_id": "p2", "user_id": "u2"}]""", false)
        .jsonPath("$[*].name").isEqualTo(List.of("cpu", "secret.meter"));
    // an owner filter picks that owner's side
    get("/v2/meters?q.field=user_id&q.value=u1", ADMIN).expectStatus().isOk().expectBody().json("""
        [{"name": "cpu", "resource_id": "shared", "project_id": "p1", "user_id": "u1"}]""");
    get("/v2/resources?q.field=project_id&q.value=p1", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$[0].project_id").isEqualTo("p1")
        .jsonPath("$[0].last_sample_timestamp").isEqualTo("2024-03-01T10:00:50")
        .jsonPath("$[0].links.length()").isEqualTo(2);
    get("/v2/resources?q.field=metadata.owner&q.value=a", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$[*].project_id").isEqualTo(List.of("p1"));
  }

  /** An owner without project and user (a poller's) recorded last: "None" selects it, a member never sees it. */
  @Test
  void anOwnerWithoutProjectOrUser() {
    shared();
    write(List.of(Sample.builder().meter("hw").type(SampleType.GAUGE).unit("%").volume(7).resourceId("shared")
        .source("hardware").timestamp(S0.plusSeconds(300)).resourceMetadata(Map.of("host", "h")).build()));
    get("/v2/resources/shared", P1).expectStatus().isOk().expectBody()
        .jsonPath("$.project_id").isEqualTo("p1").jsonPath("$.links.length()").isEqualTo(2)
        .jsonPath("$.last_sample_timestamp").isEqualTo("2024-03-01T10:00:50");
    get("/v2/meters?q.field=source&q.value=hardware", P1).expectStatus().isOk().expectBody().json("[]");
    fault(get("/v2/resources?q.field=project_id&q.value=None", P1), 401, "Not Authorized to access project None");
    get("/v2/resources?q.field=user_id&q.value=None", P1).expectStatus().isOk().expectBody().json("[]");
    // an admin: the newest owner is the one without project; "None" picks it and its meters alone
    get("/v2/resources/shared", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$.project_id").doesNotExist().jsonPath("$.user_id").doesNotExist()
        .jsonPath("$.source").isEqualTo("hardware")
        .jsonPath("$.links[*].rel").isEqualTo(List.of("self", "cpu", "secret.meter", "hw"));
    for (String q : List.of("q.field=project_id&q.value=None", "q.field=user_id&q.value=None",
        "q.field=source&q.value=hardware")) {
      get("/v2/resources?" + q, ADMIN).expectStatus().isOk().expectBody()
          .jsonPath("$[*].resource_id").isEqualTo(List.of("shared"))
          .jsonPath("$[0].first_sample_timestamp").isEqualTo("2024-03-01T10:05:00")
          .jsonPath("$[0].metadata").isEqualTo(Map.of("host", "h"));
      get("/v2/meters?" + q, ADMIN).expectStatus().isOk().expectBody().jsonPath("$[*].name").isEqualTo(List.of("hw"));
    }
    get("/v2/resources?q.field=project_id&q.value=None", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$[0].links[*].rel").isEqualTo(List.of("self", "hw"));
    get("/v2/meters/hw/statistics?groupby=project_id&groupby=user_id", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(1)
        .jsonPath("$[0].groupby.project_id").isEmpty()
        .jsonPath("$[0].sum").isEqualTo(7.0);
    get("/v2/meters/hw/statistics?groupby=project_id&aggregate.func=cardinality&aggregate.param=user_id", ADMIN)
        .expectStatus().isOk().expectBody()
        .jsonPath("$[0].aggregate['cardinality/user_id']").isEqualTo(0.0);
  }

  /** More owners of one id than a small fixed array or a 32-bit mask could hold. */
  @Test
  void fortyOwnersOfOneResourceId() {
    List<Sample> samples = new ArrayList<>();
    // stored newest first: first-stored and newest owners differ
    for (int i = 39; i >= 0; i--) {
      samples.add(sample("cpu", "ns", i, "many", "u" + i, "p" + i, S0.plusSeconds(i), Map.of("i", i)));
    }
    write(samples);
    get("/v2/resources", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(1)
        .jsonPath("$[0].project_id").isEqualTo("p39")
        .jsonPath("$[0].first_sample_timestamp").isEqualTo("2024-03-01T10:00:00")
        .jsonPath("$[0].last_sample_timestamp").isEqualTo("2024-03-01T10:00:39")
        .jsonPath("$[0].metadata.i").isEqualTo("39")
        .jsonPath("$[0].links.length()").isEqualTo(2);
    get("/v2/meters", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(1).jsonPath("$[0].project_id").isEqualTo("p39");
    String[] p7 = {"X-User-Id", "u7", "X-Project-Id", "p7", "X-Roles", "member"};
    get("/v2/resources/many", p7).expectStatus().isOk().expectBody()
        .jsonPath("$.project_id").isEqualTo("p7")
        .jsonPath("$.first_sample_timestamp").isEqualTo("2024-03-01T10:00:07")
        .jsonPath("$.last_sample_timestamp").isEqualTo("2024-03-01T10:00:07");
    get("/v2/meters", p7).expectStatus().isOk().expectBody().jsonPath("$[*].project_id").isEqualTo(List.of("p7"));
    get("/v2/meters/cpu/statistics?groupby=project_id", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(40)
        .jsonPath("$[0].groupby.project_id").isEqualTo("p39");
    get("/v2/meters/cpu/statistics", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$[0].count").isEqualTo(40).jsonPath("$[0].sum").isEqualTo(780.0).jsonPath("$[0].avg").isEqualTo(19.5);
  }
}
