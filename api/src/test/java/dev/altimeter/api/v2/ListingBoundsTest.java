package dev.altimeter.api.v2;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The PostgreSQL listings and statistics at their bounds, through the API: limits, odd resource ids
 * on {@code /v2/resources/{id}}, samples at years 1 and 9999, volumes of ±1e100. Answers are the raw
 * samples' figures or a 4xx fault, never a 500.
 */
class ListingBoundsTest extends PostgresApiTestSupport {
  private static Sample sample(String meter, double volume, String resource, String project, Instant at,
      Map<String, Object> metadata) {
    return Sample.builder().meter(meter).type(SampleType.GAUGE).unit("u").volume(volume).resourceId(resource)
        .userId("u1").projectId(project).source("openstack").timestamp(at).resourceMetadata(metadata).build();
  }

  private void write(Sample... samples) {
    store.write(List.of(samples)).block(Duration.ofSeconds(60));
  }

  private WebTestClient.ResponseSpec raw(String pathAndQuery) {
    return http.get().uri(URI.create("http://localhost:" + port + pathAndQuery)).exchange();
  }

  /** A Ceilometer fault with this 4xx status, whatever its text. */
  private static void clientFault(WebTestClient.ResponseSpec response, int status) {
    response.expectStatus().isEqualTo(status).expectHeader().contentType(MediaType.APPLICATION_JSON).expectBody()
        .jsonPath("$.error_message.faultcode").isEqualTo("Client")
        .jsonPath("$.error_message.faultstring").isNotEmpty();
  }

  @Test
  void limitsOfTheListings() {
    seed();
    for (String listing : List.of("/v2/resources", "/v2/meters")) {
      fault(get(listing + "?limit=0"), 400, "Limit must be positive");
      fault(get(listing + "?limit=-1"), 400, "Limit must be positive");
      fault(get(listing + "?limit=10001"), 400, "Limit must be at most 10000");
      clientFault(get(listing + "?limit=99999999999999999999"), 400);
      clientFault(get(listing + "?limit=abc"), 400);
      clientFault(get(listing + "?limit=1.5"), 400);
      get(listing + "?limit=10000").expectStatus().isOk();
    }
    get("/v2/resources?limit=2").expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("r1", "r2"));
    // meters: (cpu, r1), (memory, r1) by first-stored series, then (cpu, r2)
    get("/v2/meters?limit=2").expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(2);
    get("/v2/meters?limit=1&q.field=resource_id&q.value=r2").expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("r2"));
  }

  @Test
  void oddResourceIds() {
    String longId = "x".repeat(2000);
    write(sample("cpu", 1, "a/b", "p1", S0, Map.of()), sample("cpu", 1, "..", "p1", S0, Map.of()),
        sample("cpu", 1, "end/", "p1", S0, Map.of()), sample("cpu", 1, "été ☃ 😀", "p1", S0, Map.of()),
        sample("cpu", 1, longId, "p1", S0, Map.of()), sample("cpu", 1, "%00", "p1", S0, Map.of()));
    raw("/v2/resources/a%2Fb").expectStatus().isOk().expectBody().jsonPath("$.resource_id").isEqualTo("a/b");
    raw("/v2/resources/end%2F").expectStatus().isOk().expectBody().jsonPath("$.resource_id").isEqualTo("end/");
    raw("/v2/resources/%2E%2E").expectStatus().isOk().expectBody().jsonPath("$.resource_id").isEqualTo("..");
    raw("/v2/resources/%C3%A9t%C3%A9%20%E2%98%83%20%F0%9F%98%80").expectStatus().isOk().expectBody()
        .jsonPath("$.resource_id").isEqualTo("été ☃ 😀");
    raw("/v2/resources/" + longId).expectStatus().isOk().expectBody().jsonPath("$.resource_id").isEqualTo(longId);
    // the id is unquoted once more after routing (Ceilometer): "%2500" is a NUL, refused before the store
    fault(raw("/v2/resources/%2500"), 400,
        "Invalid input for field/attribute resource_id. Value: '\\u0000'. must be Unicode text without NUL characters");
    fault(raw("/v2/resources/x%2500"), 400,
        "Invalid input for field/attribute resource_id. Value: 'x\\u0000'. must be Unicode text without NUL characters");
    // and "%252500" the id "%00"
    raw("/v2/resources/%252500").expectStatus().isOk().expectBody().jsonPath("$.resource_id").isEqualTo("%00");
    // a surrogate spelt as UTF-8 under the second unquoting is U+FFFD as well
    fault(raw("/v2/resources/%25ED%25A0%2580"), 404, "Resource \ufffd Not Found");
    clientFault(raw("/v2/resources/%00"), 400);
    clientFault(raw("/v2/resources/a%00b"), 400);
    // a surrogate spelt as UTF-8 decodes to U+FFFD: no such resource
    clientFault(raw("/v2/resources/%ED%A0%80"), 404);
    clientFault(raw("/v2/resources/a"), 404);
    clientFault(raw("/v2/resources/end"), 404);
    clientFault(raw("/v2/resources/" + "y".repeat(3000)), 404);
    // the same ids as filters of the listings
    http.get().uri("/v2/resources?q.field=resource_id&q.value={id}", "a/b").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[*].resource_id").isEqualTo(List.of("a/b"));
    getWithBody("/v2/resources", "{\"q\": [{\"field\": \"resource_id\", \"value\": \"" + longId + "\"}]}")
        .expectStatus().isOk().expectBody().jsonPath("$[*].resource_id").isEqualTo(List.of(longId));
    getWithBody("/v2/meters", "{\"q\": [{\"field\": \"resource_id\", \"value\": \"..\"}]}")
        .expectStatus().isOk().expectBody().jsonPath("$[*].resource_id").isEqualTo(List.of(".."));
    clientFault(getWithBody("/v2/meters", "{\"q\": [{\"field\": \"resource_id\", \"value\": \"a\\u0000b\"}]}"), 400);
    clientFault(getWithBody("/v2/resources", "{\"q\": [{\"field\": \"resource_id\", \"value\": \"\\ud800\"}]}"), 400);
  }

  @Test
  void metadataFiltersWithOddJson() {
    write(sample("cpu", 1, "r1", "p1", S0, Map.of("a", Map.of("b", List.of(1, 2), "c", "x"), "n", 5, "s", "5",
        "f", 1.5, "t", true, "long", "v".repeat(3000))));
    for (String listing : List.of("/v2/resources", "/v2/meters")) {
      for (String match : List.of(
          "{\"field\": \"metadata.a.c\", \"value\": \"x\"}",
          "{\"field\": \"metadata.n\", \"value\": \"5\", \"type\": \"integer\"}",
          "{\"field\": \"metadata.s\", \"value\": \"5\", \"type\": \"string\"}",
          "{\"field\": \"metadata.n\", \"value\": \"5\"}",
          "{\"field\": \"metadata.f\", \"value\": \"1.5\", \"type\": \"float\"}",
          "{\"field\": \"metadata.t\", \"value\": \"true\", \"type\": \"boolean\"}",
          "{\"field\": \"metadata.long\", \"value\": \"" + "v".repeat(3000) + "\"}")) {
        try {
          getWithBody(listing, "{\"q\": [" + match + "]}").expectStatus().isOk().expectBody()
              .jsonPath("$[*].resource_id").isEqualTo(List.of("r1"));
        } catch (AssertionError e) {
          throw new AssertionError(listing + " " + match, e);
        }
      }
      for (String miss : List.of(
          "{\"field\": \"metadata.a.c\", \"value\": \"y\"}",
          // an untyped value is read as Python's literal_eval does (Ceilometer): 5 is no "5"
          "{\"field\": \"metadata.s\", \"value\": \"5\"}",
          "{\"field\": \"metadata.n\", \"value\": \"5\", \"type\": \"string\"}",
          "{\"field\": \"metadata.a\", \"value\": \"x\"}",
          "{\"field\": \"metadata.a.b\", \"value\": \"1\"}",
          "{\"field\": \"metadata.nothing.deeper\", \"value\": \"1\"}",
          "{\"field\": \"metadata.long\", \"value\": \"" + "v".repeat(2999) + "\"}")) {
        try {
          getWithBody(listing, "{\"q\": [" + miss + "]}").expectStatus().isOk().expectBody().json("[]");
        } catch (AssertionError e) {
          throw new AssertionError(listing + " " + miss, e);
        }
      }
      clientFault(getWithBody(listing, "{\"q\": [{\"field\": \"metadata.s\", \"value\": \"5\\u0000\"}]}"), 400);
      clientFault(getWithBody(listing, "{\"q\": [{\"field\": \"metadata.s\\u0000\", \"value\": \"5\"}]}"), 400);
      clientFault(getWithBody(listing, "{\"q\": [{\"field\": \"metadata.s\", \"value\": \"\\udc00\"}]}"), 400);
      clientFault(getWithBody(listing, "{\"q\": [{\"field\": \"metadata.n\", \"value\": \"five\", \"type\": \"integer\"}]}"),
          400);
    }
  }

  @Test
  void yearsOneAndNineThousandNineHundredNinetyNine() {
    Instant first = Instant.parse("0001-01-01T00:00:00Z");
    Instant last = Instant.parse("9999-12-31T23:59:59.999999Z");
    write(sample("cpu", 1, "r1", "p1", first, Map.of("at", "first")), sample("cpu", 2, "r1", "p1", last,
        Map.of("at", "last")));
    get("/v2/resources/r1").expectStatus().isOk().expectBody()
        .jsonPath("$.first_sample_timestamp").isEqualTo("0001-01-01T00:00:00")
        .jsonPath("$.last_sample_timestamp").isEqualTo("9999-12-31T23:59:59.999999")
        .jsonPath("$.metadata.at").isEqualTo("last");
    get("/v2/resources?q.field=timestamp&q.op=ge&q.value=0001-01-01T00:00:00&q.field=timestamp&q.op=le"
        + "&q.value=9999-12-31T23:59:59.999999").expectStatus().isOk().expectBody()
        .jsonPath("$[0].first_sample_timestamp").isEqualTo("0001-01-01T00:00:00")
        .jsonPath("$[0].last_sample_timestamp").isEqualTo("9999-12-31T23:59:59.999999");
    // exclusive bounds leave each end out
    get("/v2/resources?q.field=timestamp&q.op=gt&q.value=0001-01-01T00:00:00").expectStatus().isOk().expectBody()
        .jsonPath("$[0].first_sample_timestamp").isEqualTo("9999-12-31T23:59:59.999999")
        .jsonPath("$[0].metadata.at").isEqualTo("last");
    get("/v2/resources?q.field=timestamp&q.op=lt&q.value=9999-12-31T23:59:59.999999").expectStatus().isOk().expectBody()
        .jsonPath("$[0].last_sample_timestamp").isEqualTo("0001-01-01T00:00:00")
        .jsonPath("$[0].metadata.at").isEqualTo("first");
    // start after end: nothing
    get("/v2/resources?q.field=timestamp&q.op=ge&q.value=2024-01-02T00:00:00&q.field=timestamp&q.op=lt"
        + "&q.value=2024-01-01T00:00:00").expectStatus().isOk().expectBody().json("[]");
    get("/v2/meters/cpu/statistics?q.field=timestamp&q.op=ge&q.value=2024-01-02T00:00:00&q.field=timestamp&q.op=lt"
        + "&q.value=2024-01-01T00:00:00").expectStatus().isOk().expectBody().json("[]");
    clientFault(get("/v2/resources?q.field=timestamp&q.op=ge&q.value=0000-12-31T23:59:59"), 400);
    clientFault(get("/v2/resources?q.field=timestamp&q.op=ge&q.value=10000-01-01T00:00:00"), 400);
    get("/v2/meters/cpu/statistics").expectStatus().isOk().expectBody()
        .jsonPath("$[0].duration_start").isEqualTo("0001-01-01T00:00:00")
        .jsonPath("$[0].duration_end").isEqualTo("9999-12-31T23:59:59.999999")
        .jsonPath("$[0].count").isEqualTo(2).jsonPath("$[0].avg").isEqualTo(1.5);
    // a period of a century over both ends: two windows, the last clipped at year 9999
    get("/v2/meters/cpu/statistics?period=2000000000&groupby=resource_id").expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(2)
        .jsonPath("$[0].period_start").isEqualTo("0001-01-01T00:00:00")
        .jsonPath("$[0].groupby").isEqualTo(Map.of("resource_id", "r1"))
        .jsonPath("$[1].min").isEqualTo(2.0)
        .jsonPath("$[1].duration_end").isEqualTo("9999-12-31T23:59:59.999999");
  }

  @Test
  void volumesOfPlusMinusOneE100() {
    // 1e100 + 1e100 - 1e100 is 1e100 in any order of addition
    write(sample("big", 1e100, "r1", "p1", S0, Map.of()), sample("big", 1e100, "r1", "p2", S0.plusSeconds(60), Map.of()),
        sample("big", -1e100, "r2", "p2", S0.plusSeconds(120), Map.of()));
    get("/v2/meters/big/statistics").expectStatus().isOk().expectBody()
        .jsonPath("$[0].sum").isEqualTo(1e100).jsonPath("$[0].count").isEqualTo(3)
        .jsonPath("$[0].avg").isEqualTo(1e100 / 3).jsonPath("$[0].min").isEqualTo(-1e100)
        .jsonPath("$[0].max").isEqualTo(1e100);
    get("/v2/meters/big/statistics?groupby=project_id&groupby=resource_id&aggregate.func=cardinality&aggregate.param=user_id"
        + "&aggregate.func=avg&aggregate.func=stddev").expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(3)
        .jsonPath("$[0].groupby").isEqualTo(Map.of("project_id", "p1", "resource_id", "r1"))
        .jsonPath("$[0].aggregate.avg").isEqualTo(1e100)
        .jsonPath("$[0].aggregate.stddev").isEqualTo(0.0)
        .jsonPath("$[0].aggregate['cardinality/user_id']").isEqualTo(1.0)
        .jsonPath("$[2].aggregate.avg").isEqualTo(-1e100);
    // windows of 50 s: a range of 120 s is no multiple, the newest sample counts
    get("/v2/meters/big/statistics?groupby=project_id&period=50").expectStatus().isOk().expectBody()
        .jsonPath("$[*].groupby.project_id").isEqualTo(List.of("p1", "p2", "p2"))
        .jsonPath("$[*].sum").isEqualTo(List.of(1e100, 1e100, -1e100))
        .jsonPath("$[*].avg").isEqualTo(List.of(1e100, 1e100, -1e100));
    get("/v2/meters/big/statistics?groupby=project_id&aggregate.func=stddev").expectStatus().isOk().expectBody()
        .jsonPath("$[1].aggregate.stddev").isEqualTo(1e100);
    // a groupby or an aggregate given twice counts once (the rows are read by column position)
    get("/v2/meters/big/statistics?groupby=resource_id&groupby=resource_id&aggregate.func=sum&aggregate.func=sum"
        + "&aggregate.func=count").expectStatus().isOk().expectBody()
        .jsonPath("$[*].groupby").isEqualTo(List.of(Map.of("resource_id", "r1"), Map.of("resource_id", "r2")))
        .jsonPath("$[*].aggregate").isEqualTo(List.of(Map.of("sum", 2e100, "count", 2.0), Map.of("sum", -1e100, "count", 1.0)))
        .jsonPath("$[*].sum").isEqualTo(List.of(2e100, -1e100));
    // an empty answer, grouped or not
    get("/v2/meters/big/statistics?q.field=project_id&q.value=p9&groupby=user_id&aggregate.func=avg").expectStatus()
        .isOk().expectBody().json("[]");
    post("/v2/meters/big", "[{\"counter_name\": \"big\", \"counter_type\": \"gauge\", \"counter_unit\": \"u\","
        + " \"counter_volume\": 1.0000000001e100, \"resource_id\": \"r3\"}]").expectStatus().isBadRequest();
  }
}
