package dev.altimeter.api.v2;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import dev.altimeter.wire.Timestamps;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code /v2/events} and {@code /v2/event_types}. Events need a caller with both a user and a
 * project (403 otherwise); a non-admin sees only events whose {@code project_id} and {@code user_id}
 * traits are its own. Event types and traits are for admins only (401 otherwise).
 */
@RestController
class EventsController {
  private static final List<String> TYPES = List.of("integer", "float", "string", "datetime");
  private final EventStore store;

  EventsController(ObjectProvider<EventStore> store) {
    this.store = store.getIfAvailable();
  }

  @GetMapping(path = "/v2/events", produces = MediaType.APPLICATION_JSON_VALUE)
  Flux<Map<String, Object>> events(Caller caller, ServerWebExchange exchange) {
    var params = exchange.getRequest().getQueryParams();
    SimpleQuery.checkArguments(params, Set.of("limit"));
    int limit = SimpleQuery.limit(params);
    requireContext(caller);
    EventStore events = store();
    return SimpleQuery.conditions(exchange)
        .map(conditions -> filter(conditions, caller))
        .flatMapMany(filter -> events.events(filter, limit).map(EventsController::render));
  }

  @GetMapping(path = "/v2/events/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<Map<String, Object>> event(@PathVariable("id") String id, Caller caller, ServerWebExchange exchange) {
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    requireContext(caller);
    EventFilter.Builder b = EventFilter.builder().messageId(id);
    confine(b, caller);
    return store().events(b.build(), 1).next().map(EventsController::render)
        .switchIfEmpty(Mono.error(() -> ApiError.notFound("Event " + id + " Not Found")));
  }

  @GetMapping(path = "/v2/event_types", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<String>> eventTypes(Caller caller, ServerWebExchange exchange) {
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    requireAdmin(caller);
    return store().eventTypes().collectList();
  }

  /** Ceilometer answers 404 here whatever the type. */
  @GetMapping(path = "/v2/event_types/{type}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<Object> eventType(@PathVariable("type") String type, Caller caller) {
    return Mono.error(ApiError.notFound("The resource could not be found."));
  }

  @GetMapping(path = "/v2/event_types/{type}/traits", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<Map<String, Object>>> traitDescriptions(@PathVariable("type") String type, Caller caller,
      ServerWebExchange exchange) {
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    requireAdmin(caller);
    return store().traitDescriptions(type).map(d -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", d.name());
      m.put("type", d.type().wireName());
      return m;
    }).collectList();
  }

  @GetMapping(path = "/v2/event_types/{type}/traits/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<Map<String, Object>>> traits(@PathVariable("type") String type, @PathVariable("name") String name,
      Caller caller, ServerWebExchange exchange) {
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    requireAdmin(caller);
    return store().traits(type, name).map(EventsController::render).collectList();
  }

  private EventStore store() {
    if (store == null) throw new ApiError(HttpStatus.NOT_IMPLEMENTED, "Events are not stored by this service");
    return store;
  }

  /** Ceilometer's events need a user and a project, admin or not. */
  private static void requireContext(Caller caller) {
    if (caller.userId() == null || caller.projectId() == null) {
      throw new ApiError(HttpStatus.FORBIDDEN, "RBAC Authorization Failed");
    }
  }

  /** Ceilometer answers a non-admin here with ProjectNotAuthorized (401). */
  private static void requireAdmin(Caller caller) {
    if (!caller.admin()) throw ApiError.projectNotAuthorized(caller.projectId());
  }

  /** A non-admin sees the events of its own project and user only. */
  private static void confine(EventFilter.Builder b, Caller caller) {
    if (caller.admin()) return;
    b.trait("project_id", EventFilter.Op.EQ, TraitType.STRING, caller.projectId());
    b.trait("user_id", EventFilter.Op.EQ, TraitType.STRING, caller.userId());
  }

  static EventFilter filter(List<SimpleQuery.Condition> conditions, Caller caller) {
    EventFilter.Builder b = EventFilter.builder();
    for (SimpleQuery.Condition c : conditions) {
      switch (c.field()) {
        case "event_type", "message_id" -> {
          if (!c.op().equals("eq")) throw onlyOperator(c, "eq");
          if (c.field().equals("event_type")) b.eventType(c.value()); else b.messageId(c.value());
        }
        case "start_timestamp" -> {
          if (!c.op().equals("ge")) throw onlyOperator(c, "ge");
          b.start(timestamp(c));
        }
        case "end_timestamp" -> {
          if (!c.op().equals("le")) throw onlyOperator(c, "le");
          b.end(timestamp(c));
        }
        default -> {
          String type = c.type() == null ? "string" : c.type();
          if (!TYPES.contains(type)) {
            throw ApiError.badRequest("The data type " + type + " is not supported. The supported data type list is: "
                + TYPES.stream().map(t -> "'" + t + "'").toList());
          }
          b.trait(c.field(), EventFilter.Op.valueOf(c.op().toUpperCase(java.util.Locale.ROOT)),
              TraitType.valueOf(type.toUpperCase(java.util.Locale.ROOT)), typed(c.value(), type));
        }
      }
    }
    confine(b, caller);
    return b.build();
  }

  private static Object typed(String v, String type) {
    try {
      return switch (type) {
        case "integer" -> Long.parseLong(v.trim());
        case "float" -> SimpleQuery.finite(Double.parseDouble(v.trim()));
        case "datetime" -> {
          Instant t = Timestamps.parseLenient(v);
          if (t == null) throw new IllegalArgumentException(v);
          yield t;
        }
        default -> v;
      };
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("Unable to convert the value " + v + " to the expected data type " + type + ".");
    }
  }

  private static Instant timestamp(SimpleQuery.Condition c) {
    Instant t = Timestamps.parseLenient(c.value());
    if (t == null) throw ApiError.invalidInput(c.field(), c.value(), "invalid timestamp format");
    return t;
  }

  private static ApiError onlyOperator(SimpleQuery.Condition c, String op) {
    return ApiError.badRequest("Operator " + c.op() + " is not supported. Only `" + op
        + "' operator is available for field " + c.field());
  }

  static Map<String, Object> render(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message_id", e.messageId());
    m.put("event_type", e.eventType());
    m.put("generated", Timestamps.isoformatNaive(e.generated()));
    // sorted by name, as Ceilometer's SQL store returned them (stable: same-named traits keep their order)
    m.put("traits", e.traits().stream().sorted(java.util.Comparator.comparing(Trait::name))
        .map(EventsController::render).toList());
    m.put("raw", e.raw());
    return m;
  }

  /** A trait's value is always a string, as Python's str() of the typed value. */
  static Map<String, Object> render(Trait t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("type", t.type().wireName());
    Object v = t.value();
    String value;
    if (v instanceof Instant i) {
      value = Timestamps.isoformatNaive(i);
    } else if (v instanceof Double d && Double.isFinite(d) && Math.abs(d) < 1e16 && (d == 0 || Math.abs(d) >= 1e-4)) {
      String plain = BigDecimal.valueOf(d).toPlainString();
      value = plain.contains(".") ? plain : plain + ".0";
    } else {
      value = String.valueOf(v);
    }
    m.put("value", value);
    return m;
  }
}
