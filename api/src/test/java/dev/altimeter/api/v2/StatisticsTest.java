package dev.altimeter.api.v2;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v2/meters/{name}/statistics} against hand-computed numbers of {@link #seed()}. */
class StatisticsTest extends ApiTestSupport {
  static final String P1 = "X-User-Id";

  @BeforeEach
  void data() {
    seed();
  }

  @Test
  void standardAggregates() {
    // volumes 1, 3, 8, 4, 4: sum 20, avg 4, over 240 s
    get("/v2/meters/cpu/statistics").expectStatus().isOk().expectHeader().contentType("application/json")
        .expectBody().json("""
        [{"groupby": null, "unit": "ns", "min": 1.0, "max": 8.0, "avg": 4.0, "sum": 20.0, "count": 5,
          "duration": 240.0, "duration_start": "2024-03-01T10:00:00", "duration_end": "2024-03-01T10:04:00",
          "period": 0, "period_start": "2024-03-01T10:00:00", "period_end": "2024-03-01T10:04:00"}]""", true);
  }

  @Test
  void selectableAggregates() {
    // stddev_pop: mean 4, squared deviations 9 + 1 + 16 + 0 + 0 = 26, sqrt(26 / 5)
    get("/v2/meters/cpu/statistics?aggregate.func=cardinality&aggregate.param=resource_id"
        + "&aggregate.func=stddev&aggregate.func=max&aggregate.func=max&aggregate.func=count")
        .expectStatus().isOk().expectBody().json("""
        [{"groupby": null, "unit": "ns", "max": 8.0, "count": 5,
          "aggregate": {"cardinality/resource_id": 3.0, "stddev": 2.280350850198276, "max": 8.0, "count": 5.0},
          "duration": 240.0, "duration_start": "2024-03-01T10:00:00", "duration_end": "2024-03-01T10:04:00",
          "period": 0, "period_start": "2024-03-01T10:00:00", "period_end": "2024-03-01T10:04:00"}]""", true);
    get("/v2/meters/cpu/statistics?aggregate.func=cardinality&aggregate.param=project_id"
        + "&aggregate.func=cardinality&aggregate.param=user_id&aggregate.func=avg&aggregate.func=min&aggregate.func=sum")
        .expectStatus().isOk().expectBody()
        .jsonPath("$[0].aggregate").isEqualTo(java.util.Map.of("cardinality/project_id", 2.0, "cardinality/user_id", 2.0,
            "avg", 4.0, "min", 1.0, "sum", 20.0))
        .jsonPath("$[0].avg").isEqualTo(4.0).jsonPath("$[0].count").doesNotExist().jsonPath("$[0].max").doesNotExist();
  }

  @Test
  void groupBy() {
    get("/v2/meters/cpu/statistics?groupby=resource_id").expectStatus().isOk().expectBody()
        .jsonPath("$[*].groupby.resource_id").isEqualTo(List.of("r1", "r2", "r3"))
        .jsonPath("$[*].count").isEqualTo(List.of(3, 1, 1))
        .jsonPath("$[*].sum").isEqualTo(List.of(8.0, 8.0, 4.0))
        .jsonPath("$[*].duration").isEqualTo(List.of(180.0, 0.0, 0.0))
        .jsonPath("$[0].avg").isEqualTo(8.0 / 3);
    // duplicates removed
    get("/v2/meters/cpu/statistics?groupby=project_id&groupby=user_id&groupby=project_id").expectStatus().isOk()
        .expectBody().json("""
        [{"groupby": {"project_id": "p1", "user_id": "u1"}, "count": 3, "sum": 8.0},
         {"groupby": {"project_id": "p2", "user_id": "u2"}, "count": 1, "sum": 8.0},
         {"groupby": {"project_id": "p1", "user_id": "u2"}, "count": 1, "sum": 4.0}]""")
        .jsonPath("$[0].groupby.length()").isEqualTo(2);
    get("/v2/meters/cpu/statistics?groupby=resource_metadata.instance_type").expectStatus().isOk().expectBody()
        .json("""
        [{"groupby": {"resource_metadata.instance_type": "m1.small"}, "count": 3, "avg": 2.6666666666666665},
         {"groupby": {"resource_metadata.instance_type": "m1.large"}, "count": 2, "avg": 6.0}]""");
  }

  @Test
  void periods() {
    // 240 s / 100 s: 3 windows from the oldest sample
    get("/v2/meters/cpu/statistics?period=100").expectStatus().isOk().expectBody().json("""
        [{"groupby": null, "unit": "ns", "min": 1.0, "max": 3.0, "avg": 2.0, "sum": 4.0, "count": 2,
          "duration": 60.0, "duration_start": "2024-03-01T10:00:00", "duration_end": "2024-03-01T10:01:00",
          "period": 100, "period_start": "2024-03-01T10:00:00", "period_end": "2024-03-01T10:01:40"},
         {"groupby": null, "unit": "ns", "min": 4.0, "max": 8.0, "avg": 6.0, "sum": 12.0, "count": 2,
          "duration": 60.0, "duration_start": "2024-03-01T10:02:00", "duration_end": "2024-03-01T10:03:00",
          "period": 100, "period_start": "2024-03-01T10:01:40", "period_end": "2024-03-01T10:03:20"},
         {"groupby": null, "unit": "ns", "min": 4.0, "max": 4.0, "avg": 4.0, "sum": 4.0, "count": 1,
          "duration": 0.0, "duration_start": "2024-03-01T10:04:00", "duration_end": "2024-03-01T10:04:00",
          "period": 100, "period_start": "2024-03-01T10:03:20", "period_end": "2024-03-01T10:05:00"}]""", true);
    // an exact multiple loses the sample on the final edge (Ceilometer's quirk)
    get("/v2/meters/cpu/statistics?period=120").expectStatus().isOk().expectBody()
        .jsonPath("$[*].count").isEqualTo(List.of(2, 2))
        .jsonPath("$[*].period_start").isEqualTo(List.of("2024-03-01T10:00:00", "2024-03-01T10:02:00"));
    // windows start at the query's start
    get("/v2/meters/cpu/statistics?period=60&q.field=timestamp&q.op=ge&q.value=2024-03-01T10:01:00"
        + "&q.field=timestamp&q.op=le&q.value=2024-03-01T10:03:20").expectStatus().isOk().expectBody()
        .jsonPath("$[*].period_start").isEqualTo(List.of("2024-03-01T10:01:00", "2024-03-01T10:02:00", "2024-03-01T10:03:00"))
        .jsonPath("$[*].sum").isEqualTo(List.of(3.0, 8.0, 4.0));
    // one timestamp: an empty range, no window
    get("/v2/meters/cpu/statistics?period=60&q.field=resource_id&q.value=r2").expectStatus().isOk().expectBody()
        .json("[]");
  }

  @Test
  void windowsEndWithinTheYearsAClientCanRead() {
    // a day's window from 9999-12-31 would end in year 10000, which Python's datetime cannot parse
    store.write(List.of(dev.altimeter.storage.Sample.builder().meter("late").type(dev.altimeter.storage.SampleType.GAUGE)
        .unit("u").volume(1).resourceId("r9").timestamp(java.time.Instant.parse("9999-12-31T12:00:00Z")).build()))
        .block(java.time.Duration.ofSeconds(30));
    get("/v2/meters/late/statistics?period=86400&q.field=timestamp&q.op=ge&q.value=9999-12-31T00:00:00")
        .expectStatus().isOk().expectBody()
        .jsonPath("$[0].count").isEqualTo(1)
        .jsonPath("$[0].period_start").isEqualTo("9999-12-31T00:00:00")
        .jsonPath("$[0].period_end").isEqualTo("9999-12-31T23:59:59.999999");
  }

  @Test
  void durationIsClampedToTheQueryBounds() {
    // search_offset widens the filter by a minute on each side; the duration stays within the query's bounds
    String bounds = "q.field=timestamp&q.op=ge&q.value=2024-03-01T10:00:30&q.field=timestamp&q.op=le"
        + "&q.value=2024-03-01T10:03:30&q.field=search_offset&q.value=1";
    get("/v2/meters/cpu/statistics?" + bounds).expectStatus().isOk().expectBody()
        .jsonPath("$[0].count").isEqualTo(5)
        .jsonPath("$[0].duration_start").isEqualTo("2024-03-01T10:00:30")
        .jsonPath("$[0].duration_end").isEqualTo("2024-03-01T10:03:30")
        .jsonPath("$[0].duration").isEqualTo(180.0)
        .jsonPath("$[0].period_start").isEqualTo("2024-03-01T10:00:00");
    // r3's only sample (10:04) is after the end bound: start > end, so the duration is null
    get("/v2/meters/cpu/statistics?groupby=resource_id&" + bounds).expectStatus().isOk().expectBody()
        .jsonPath("$[2].groupby.resource_id").isEqualTo("r3")
        .jsonPath("$[2].duration").isEmpty()
        .jsonPath("$[2].duration_start").isEmpty()
        .jsonPath("$[2].duration_end").isEmpty()
        .jsonPath("$[1].duration").isEqualTo(0.0);
  }

  @Test
  void emptyFilteredConfinedAndBodyQueries() {
    get("/v2/meters/nothing/statistics").expectStatus().isOk().expectBody().json("[]", true);
    get("/v2/meters/cpu/statistics?q.field=metadata.instance_type&q.value=m1.large").expectStatus().isOk()
        .expectBody().jsonPath("$[0].sum").isEqualTo(12.0);
    getWithBody("/v2/meters/cpu/statistics", "{\"q\": [{\"field\": \"resource_id\", \"value\": \"r1\"}]}")
        .expectStatus().isOk().expectBody().jsonPath("$[0].count").isEqualTo(3);
    String[] p2 = {"X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member"};
    get("/v2/meters/cpu/statistics", p2).expectStatus().isOk().expectBody()
        .jsonPath("$[0].count").isEqualTo(1).jsonPath("$[0].sum").isEqualTo(8.0);
    fault(get("/v2/meters/cpu/statistics?q.field=project_id&q.value=p1", p2), 401, "Not Authorized to access project p1");
  }

  @Test
  void errors() {
    fault(get("/v2/meters/cpu/statistics?groupby=foo"), 400, "Unknown argument: \"{'foo'}\": Invalid groupby fields");
    fault(get("/v2/meters/cpu/statistics?groupby=source"), 501, "Unable to group by these fields");
    fault(get("/v2/meters/cpu/statistics?period=-1"), 400, "Period must be positive.");
    fault(get("/v2/meters/cpu/statistics?period=day"), 400,
        "Invalid input for field/attribute period. Value: 'day'. unable to convert to int");
    fault(get("/v2/meters/cpu/statistics?period=1&period=2"), 400, "Argument \"period\" given more than once: [1, 2]");
    fault(get("/v2/meters/cpu/statistics?aggregate.func=mmm"), 400, "Invalid aggregation function: mmm");
    fault(get("/v2/meters/cpu/statistics?aggregate.func=quartile"), 400, "Invalid aggregation function: quartile");
    fault(get("/v2/meters/cpu/statistics?aggregate=max"), 400, "Unknown argument: \"aggregate\"");
    fault(get("/v2/meters/cpu/statistics?aggregate.func=cardinality&aggregate.param=foo"), 400,
        "Bad aggregate: cardinality.foo");
    fault(get("/v2/meters/cpu/statistics?aggregate.func=cardinality"), 400, "Bad aggregate: cardinality.None");
    fault(get("/v2/meters/cpu/statistics?q.field=limit&q.value=1"), 400,
        "Unknown argument: \"limit\": unrecognized field in query: [<Query 'limit' eq '1' Unset>], valid keys: "
            + "['message_id', 'meter', 'project', 'resource', 'search_offset', 'source', 'timestamp', 'user']");
    fault(get("/v2/meters/cpu/statistics?limit=1"), 400, "Unknown argument: \"limit\"");
  }
}
