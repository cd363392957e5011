package dev.altimeter.api.v2;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /v2/events}, {@code /v2/events/{id}} and {@code /v2/event_types...}. */
class EventsTest extends ApiTestSupport {
  static final String[] ADMIN = {"X-User-Id", "root", "X-Project-Id", "admin-project", "X-Roles", "admin"};
  static final String[] U1 = {"X-User-Id", "u1", "X-Project-Id", "p1", "X-Roles", "member"};

  @BeforeEach
  void data() {
    storeEvents(eventStore);
  }

  /** m1 (p1, u1, typed traits), m2 (p2, u2), m3 (no project): also the fuzz test's events. */
  static void storeEvents(dev.altimeter.storage.EventStore events) {
    events.write(List.of(
        new Event("m1", "compute.instance.create.end", S0, List.of(
            new Trait("project_id", TraitType.STRING, "p1"), new Trait("user_id", TraitType.STRING, "u1"),
            new Trait("vcpus", TraitType.INTEGER, 2L), new Trait("load", TraitType.FLOAT, 1.5),
            new Trait("launched", TraitType.DATETIME, S0.plusSeconds(10))), Map.of("priority", "INFO")),
        new Event("m2", "compute.instance.delete.end", S0.plusSeconds(60), List.of(
            new Trait("project_id", TraitType.STRING, "p2"), new Trait("user_id", TraitType.STRING, "u2"),
            new Trait("vcpus", TraitType.INTEGER, 4L)), Map.of()),
        new Event("m3", "image.upload", S0.plusSeconds(120), List.of(
            new Trait("service", TraitType.STRING, "glance")), Map.of())))
        .block(Duration.ofSeconds(30));
  }

  @Test
  void eventJsonShape() {
    get("/v2/events/m1", ADMIN).expectStatus().isOk().expectBody().json("""
        {"message_id": "m1", "event_type": "compute.instance.create.end", "generated": "2024-03-01T10:00:00",
         "traits": [{"name": "launched", "type": "datetime", "value": "2024-03-01T10:00:10"},
                    {"name": "load", "type": "float", "value": "1.5"},
                    {"name": "project_id", "type": "string", "value": "p1"},
                    {"name": "user_id", "type": "string", "value": "u1"},
                    {"name": "vcpus", "type": "integer", "value": "2"}],
         "raw": {"priority": "INFO"}}""", true);
  }

  @Test
  void listsOldestFirstAndFilters() {
    get("/v2/events", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$[*].message_id").isEqualTo(List.of("m1", "m2", "m3"));
    get("/v2/events?limit=1", ADMIN).expectStatus().isOk().expectBody().jsonPath("$[*].message_id").isEqualTo(List.of("m1"));
    assertIds("q.field=event_type&q.value=image.upload", "m3");
    assertIds("q.field=message_id&q.op=eq&q.value=m2", "m2");
    assertIds("q.field=start_timestamp&q.op=ge&q.value=2024-03-01T10:01:00", "m2", "m3");
    assertIds("q.field=end_timestamp&q.op=le&q.value=2024-03-01T10:01:00", "m1", "m2");
    assertIds("q.field=vcpus&q.op=gt&q.value=2&q.type=integer", "m2");
    assertIds("q.field=load&q.op=ge&q.value=1&q.type=float", "m1");
    assertIds("q.field=launched&q.op=lt&q.value=2024-03-01T11:00:00&q.type=datetime", "m1");
    assertIds("q.field=service&q.value=glance", "m3");
    assertIds("q.field=no_such_trait&q.value=x");
  }

  private void assertIds(String query, String... ids) {
    get("/v2/events?" + query, ADMIN).expectStatus().isOk().expectBody().jsonPath("$[*].message_id").isEqualTo(List.of(ids));
  }

  @Test
  void accessControl() {
    get("/v2/events", U1).expectStatus().isOk().expectBody().jsonPath("$[*].message_id").isEqualTo(List.of("m1"));
    fault(get("/v2/events/m2", U1), 404, "Event m2 Not Found");
    fault(get("/v2/events"), 403, "RBAC Authorization Failed");
    fault(get("/v2/events/m1", "X-User-Id", "u1"), 403, "RBAC Authorization Failed");
    fault(get("/v2/event_types", U1), 401, "Not Authorized to access project p1");
    fault(get("/v2/event_types/image.upload/traits", U1), 401, "Not Authorized to access project p1");
    fault(get("/v2/event_types/image.upload/traits/service", U1), 401, "Not Authorized to access project p1");
  }

  @Test
  void eventTypesAndTraits() {
    get("/v2/event_types", ADMIN).expectStatus().isOk().expectBody().json("""
        ["compute.instance.create.end", "compute.instance.delete.end", "image.upload"]""", true);
    get("/v2/event_types/compute.instance.create.end/traits", ADMIN).expectStatus().isOk().expectBody().json("""
        [{"name": "project_id", "type": "string"}, {"name": "user_id", "type": "string"},
         {"name": "vcpus", "type": "integer"}, {"name": "load", "type": "float"},
         {"name": "launched", "type": "datetime"}]""", true);
    get("/v2/event_types/compute.instance.create.end/traits/vcpus", ADMIN).expectStatus().isOk().expectBody().json("""
        [{"name": "vcpus", "type": "integer", "value": "2"}]""", true);
    get("/v2/event_types/nothing/traits", ADMIN).expectStatus().isOk().expectBody().json("[]", true);
    fault(get("/v2/event_types/image.upload", ADMIN), 404, "The resource could not be found.");
  }

  @Test
  void errors() {
    fault(get("/v2/events?bad_Stuff_here", ADMIN), 400, "Unknown argument: \"bad_Stuff_here\"");
    fault(get("/v2/events/m1?limit=1", ADMIN), 400, "Unknown argument: \"limit\"");
    fault(get("/v2/events/nothing", ADMIN), 404, "Event nothing Not Found");
    fault(get("/v2/events?q.field=event_type&q.op=ne&q.value=x", ADMIN), 400,
        "Operator ne is not supported. Only `eq' operator is available for field event_type");
    fault(get("/v2/events?q.field=start_timestamp&q.op=gt&q.value=2024-01-01T00:00:00", ADMIN), 400,
        "Operator gt is not supported. Only `ge' operator is available for field start_timestamp");
    fault(get("/v2/events?q.field=end_timestamp&q.op=lt&q.value=2024-01-01T00:00:00", ADMIN), 400,
        "Operator lt is not supported. Only `le' operator is available for field end_timestamp");
    fault(get("/v2/events?q.field=start_timestamp&q.op=ge&q.value=soon", ADMIN), 400,
        "Invalid input for field/attribute start_timestamp. Value: 'soon'. invalid timestamp format");
    fault(get("/v2/events?q.field=vcpus&q.value=2&q.type=boolean", ADMIN), 400,
        "The data type boolean is not supported. The supported data type list is: ['integer', 'float', 'string', 'datetime']");
    fault(get("/v2/events?q.field=vcpus&q.value=two&q.type=integer", ADMIN), 400,
        "Unable to convert the value two to the expected data type integer.");
    fault(get("/v2/events?limit=0", ADMIN), 400, "Limit must be positive");
  }
}
