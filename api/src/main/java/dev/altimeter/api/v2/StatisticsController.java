package dev.altimeter.api.v2;

import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.Statistics;
import dev.altimeter.wire.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v2/meters/{name}/statistics}: parses groupby, period and aggregates as Ceilometer
 * does, lets the store compute, then clamps each row's duration to the query's own timestamp bounds.
 */
@RestController
class StatisticsController {
  private static final List<String> GROUPBY_FIELDS =
      List.of("user_id", "resource_id", "project_id", "source", "resource_metadata.instance_type");
  /** The selectable functions Ceilometer's API accepts (quartile is then refused by the SQL store). */
  private static final Set<String> FUNCTIONS =
      Set.of("max", "min", "sum", "avg", "count", "stddev", "cardinality", "quartile");

  private final SampleStore store;

  StatisticsController(SampleStore store) {
    this.store = store;
  }

  @GetMapping(path = "/v2/meters/{name}/statistics", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<Map<String, Object>>> statistics(@PathVariable("name") String name, Caller caller, ServerWebExchange exchange) {
    MultiValueMap<String, String> params = exchange.getRequest().getQueryParams();
    SimpleQuery.checkArguments(params, Set.of("period"), Set.of("groupby", "aggregate.func", "aggregate.param"));
    List<Statistics.GroupBy> groupBy = groupBy(params.getOrDefault("groupby", List.of()));
    long period = 0;
    if (params.getFirst("period") != null) {
      period = SimpleQuery.parseInt("period", params.getFirst("period"));
      if (period < 0) throw ApiError.badRequest("Period must be positive.");
    }
    List<Statistics.Aggregate> aggregates = aggregates(params);
    long p = period;
    return SimpleQuery.conditions(exchange).flatMap(conditions -> {
      var filter = SimpleQuery.filter(conditions, SimpleQuery.Kind.SAMPLES, caller).toBuilder().meter(name).build();
      Instant[] bounds = queryBounds(conditions);
      return store.statistics(new Statistics.Query(filter, groupBy, p, aggregates))
          .map(s -> render(s, !aggregates.isEmpty(), bounds[0], bounds[1]))
          .collectList()
          .onErrorMap(UnsupportedOperationException.class,
              e -> new ApiError(HttpStatus.NOT_IMPLEMENTED, e.getMessage()));
    });
  }

  private static List<Statistics.GroupBy> groupBy(List<String> fields) {
    Set<String> invalid = new TreeSet<>();
    for (String f : fields) if (!GROUPBY_FIELDS.contains(f)) invalid.add(f);
    if (!invalid.isEmpty()) {
      // WSME's UnknownArgument of a Python set
      throw ApiError.badRequest("Unknown argument: \"{" + String.join(", ", invalid.stream().map(f -> "'" + f + "'").toList())
          + "}\": Invalid groupby fields");
    }
    List<Statistics.GroupBy> out = new ArrayList<>();
    for (String f : new LinkedHashSet<>(fields)) out.add(Statistics.GroupBy.ofField(f));
    return out;
  }

  /** {@code aggregate.func} and {@code aggregate.param} pair up by position, as WSME fills a list of objects. */
  private static List<Statistics.Aggregate> aggregates(MultiValueMap<String, String> params) {
    List<String> funcs = params.getOrDefault("aggregate.func", List.of());
    List<String> args = params.getOrDefault("aggregate.param", List.of());
    LinkedHashSet<Statistics.Aggregate> out = new LinkedHashSet<>();
    for (int i = 0; i < Math.max(funcs.size(), args.size()); i++) {
      String func = i < funcs.size() ? funcs.get(i) : null;
      String param = i < args.size() ? args.get(i) : null;
      if (func == null || func.isEmpty()) {
        throw ApiError.invalidInput("func", "None", "Mandatory field missing.");
      }
      if (!FUNCTIONS.contains(func) || func.equals("quartile")) {
        throw ApiError.badRequest("Invalid aggregation function: " + func);
      }
      if (func.equals("cardinality") && (param == null || !Statistics.Aggregate.CARDINALITY_PARAMS.contains(param))) {
        // Ceilometer's StorageBadAggregate, with Python's None for a missing param
        throw ApiError.badRequest("Bad aggregate: cardinality." + (param == null ? "None" : param));
      }
      out.add(new Statistics.Aggregate(Statistics.Function.valueOf(func.toUpperCase(java.util.Locale.ROOT)), param));
    }
    return List.copyOf(out);
  }

  /** The query's own timestamp bounds (not widened by search_offset): [start, end], either null. */
  private static Instant[] queryBounds(List<SimpleQuery.Condition> conditions) {
    Instant start = null, end = null;
    for (SimpleQuery.Condition c : conditions) {
      if (!c.field().equals("timestamp")) continue;
      if (c.op().equals("gt") || c.op().equals("ge")) start = Timestamps.parseLenient(c.value());
      if (c.op().equals("lt") || c.op().equals("le")) end = Timestamps.parseLenient(c.value());
    }
    return new Instant[] {start, end};
  }

  private static void putUnlessUnselected(Map<String, Object> m, String field, Object value, boolean selectable) {
    if (value != null || !selectable) m.put(field, value);
  }

  static Map<String, Object> render(Statistics s, boolean selectable, Instant start, Instant end) {
    Instant durationStart = s.durationStart(), durationEnd = s.durationEnd();
    if (start != null && durationStart.isBefore(start)) durationStart = start;
    if (end != null && durationEnd.isAfter(end)) durationEnd = end;
    Double duration = null;
    if (!durationStart.isAfter(durationEnd)) {
      // not ChronoUnit.MICROS.between: it counts nanoseconds and overflows past 292 years
      Duration d = Duration.between(durationStart, durationEnd);
      duration = (d.getSeconds() * 1_000_000L + d.getNano() / 1_000) / 1e6;
    } else {
      durationStart = durationEnd = null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("groupby", s.groupBy());
    m.put("unit", s.unit());
    // with selected aggregates, WSME left the standard fields not asked for unset, so out of the JSON
    putUnlessUnselected(m, "min", s.min(), selectable);
    putUnlessUnselected(m, "max", s.max(), selectable);
    putUnlessUnselected(m, "avg", s.avg(), selectable);
    putUnlessUnselected(m, "sum", s.sum(), selectable);
    putUnlessUnselected(m, "count", s.count(), selectable);
    if (selectable) m.put("aggregate", s.aggregates());
    m.put("duration", duration);
    m.put("duration_start", Timestamps.isoformatNaive(durationStart));
    m.put("duration_end", Timestamps.isoformatNaive(durationEnd));
    m.put("period", s.period());
    m.put("period_start", Timestamps.isoformatNaive(s.periodStart()));
    m.put("period_end", Timestamps.isoformatNaive(s.periodEnd()));
    return m;
  }
}
