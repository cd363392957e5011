package dev.altimeter.api.prometheus;

import dev.altimeter.api.v2.Caller;
import dev.altimeter.promql.LabelMatcher;
import dev.altimeter.promql.Labels;
import dev.altimeter.promql.PromQlEngine;
import dev.altimeter.promql.QueryException;
import dev.altimeter.promql.QueryLimits;
import dev.altimeter.promql.QueryResult;
import dev.altimeter.promql.Series;
import dev.altimeter.storage.Meter;
import dev.altimeter.storage.MetricNames;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Prometheus's HTTP API v1 over the stored samples (docs/promql.md): the query endpoints evaluate
 * PromQL with the engine over a {@link StoreSeriesSource} for the caller, the others list series,
 * labels and metric metadata. Paths, parameters (query string or form body), envelopes and error
 * types as Prometheus 2.42. Every handler authorises its {@link Caller} as the /v2 handlers do: a
 * non-admin sees its own project only, whatever the query says; failed authentication answers as
 * on /v2 (Ceilometer's fault document, 401/403), every other error in Prometheus's envelope.
 */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
class PrometheusController {
  /** A series or label query without {@code start} looks this far back from its end (not all time). */
  static final Duration DEFAULT_LISTING_WINDOW = Duration.ofDays(1);
  /** The Prometheus version whose API this one follows, as /status/buildinfo reports it (clients gate features on it). */
  static final String PROMETHEUS_VERSION = "2.42.0";

  private final SampleStore store;
  private final PrometheusSettings settings;
  private final QueryGate gate;
  private final Clock clock = Clock.systemUTC();

  PrometheusController(SampleStore store, PrometheusSettings settings) {
    this.store = store;
    this.settings = settings;
    this.gate = new QueryGate(settings.maxConcurrency);
  }

  @RequestMapping(path = "/api/v1/query", method = {RequestMethod.GET, RequestMethod.POST})
  Mono<Map<String, Object>> query(Caller caller, ServerWebExchange exchange) {
    return params(exchange).flatMap(p -> {
      long time = p.time("time", clock.millis());
      QueryLimits limits = settings.limits.withTimeout(p.timeout());
      return run(engine(caller).instant(query(p), time, limits), limits);
    });
  }

  @RequestMapping(path = "/api/v1/query_range", method = {RequestMethod.GET, RequestMethod.POST})
  Mono<Map<String, Object>> queryRange(Caller caller, ServerWebExchange exchange) {
    return params(exchange).flatMap(p -> {
      long start = required(p, "start");
      long end = required(p, "end");
      if (end < start) throw PrometheusError.invalidParameter("end", "end timestamp must not be before start time");
      if (p.get("step") == null || p.get("step").isEmpty()) throw PrometheusError.invalidParameter("step", "cannot parse \"\" to a valid duration");
      long step = p.duration("step");
      if (step <= 0) {
        throw PrometheusError.invalidParameter("step",
            "zero or negative query resolution step widths are not accepted. Try a positive integer");
      }
      PromQlEngine.checkResolution(start, end, step); // before the query is parsed, as Prometheus
      QueryLimits limits = settings.limits.withTimeout(p.timeout());
      return run(engine(caller).range(query(p), start, end, step, limits), limits);
    });
  }

  @RequestMapping(path = "/api/v1/series", method = {RequestMethod.GET, RequestMethod.POST})
  Mono<Map<String, Object>> series(Caller caller, ServerWebExchange exchange) {
    return params(exchange).flatMap(p -> {
      if (p.all("match[]").isEmpty()) throw PrometheusError.badData("no match[] parameter provided");
      int limit = p.limit();
      return select(caller, p, p.all("match[]")).map(series -> {
        List<Map<String, String>> out = new ArrayList<>();
        for (Labels l : series) {
          if (limit > 0 && out.size() >= limit) break;
          out.add(l.asMap());
        }
        return success(out);
      });
    });
  }

  @RequestMapping(path = "/api/v1/labels", method = {RequestMethod.GET, RequestMethod.POST})
  Mono<Map<String, Object>> labels(Caller caller, ServerWebExchange exchange) {
    return params(exchange).flatMap(p -> {
      int limit = p.limit();
      return select(caller, p, p.all("match[]")).map(series -> {
        TreeSet<String> names = new TreeSet<>();
        for (Labels l : series) names.addAll(l.names());
        return success(limited(names, limit));
      });
    });
  }

  @RequestMapping(path = "/api/v1/label/{name}/values", method = RequestMethod.GET)
  Mono<Map<String, Object>> labelValues(@PathVariable("name") String name, Caller caller, ServerWebExchange exchange) {
    return params(exchange).flatMap(p -> {
      if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) throw PrometheusError.badData("invalid label name: \"" + name + "\"");
      int limit = p.limit();
      return select(caller, p, p.all("match[]")).map(series -> {
        TreeSet<String> values = new TreeSet<>();
        for (Labels l : series) {
          String v = l.get(name);
          if (v != null) values.add(v);
        }
        return success(limited(values, limit));
      });
    });
  }

  /**
   * One entry per metric name: {@code counter} when every meter behind it is cumulative, else
   * {@code gauge} (as the exposition types them); {@code unit} the meters' unit when they share one.
   */
  @RequestMapping(path = "/api/v1/metadata", method = RequestMethod.GET)
  Mono<Map<String, Object>> metadata(Caller caller, ServerWebExchange exchange) {
    return params(exchange).flatMap(p -> {
      int limit = p.limit();
      String only = p.get("metric");
      SampleFilter filter = SampleFilter.builder().projectId(project(caller)).build();
      return store.meters(filter, true, StoreSeriesSource.MAX_METERS).collectList().map(meters -> {
        Map<String, List<Meter>> byMetric = new TreeMap<>();
        for (Meter m : meters) byMetric.computeIfAbsent(MetricNames.of(m.name()), k -> new ArrayList<>()).add(m);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Meter>> e : byMetric.entrySet()) {
          if (only != null && !only.isEmpty() && !only.equals(e.getKey())) continue;
          if (limit > 0 && out.size() >= limit) break;
          boolean counter = e.getValue().stream().allMatch(m -> m.type() == SampleType.CUMULATIVE);
          Set<String> units = new LinkedHashSet<>();
          Set<String> names = new TreeSet<>();
          for (Meter m : e.getValue()) {
            units.add(m.unit());
            names.add(m.name());
          }
          Map<String, String> entry = new LinkedHashMap<>();
          entry.put("type", counter ? "counter" : "gauge");
          entry.put("help", "Ceilometer meter " + String.join(", ", names));
          entry.put("unit", units.size() == 1 ? units.iterator().next() : "");
          out.put(e.getKey(), List.of(entry));
        }
        return success(out);
      });
    });
  }

  @RequestMapping(path = "/api/v1/status/buildinfo", method = RequestMethod.GET)
  Mono<Map<String, Object>> buildinfo(Caller caller) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("version", PROMETHEUS_VERSION);
    info.put("revision", "altimeter");
    info.put("branch", "");
    info.put("buildUser", "");
    info.put("buildDate", "");
    info.put("goVersion", "");
    return Mono.just(success(info));
  }

  // ---------------------------------------------------------------- errors

  @ExceptionHandler(PrometheusError.class)
  ResponseEntity<Map<String, Object>> error(PrometheusError e) {
    return e.response();
  }

  @ExceptionHandler(QueryException.class)
  ResponseEntity<Map<String, Object>> error(QueryException e) {
    return error(PrometheusError.of(e));
  }

  @ExceptionHandler({StoreException.Unavailable.class, TimeoutException.class})
  ResponseEntity<Map<String, Object>> unavailable(Exception e) {
    return error(e instanceof TimeoutException ? PrometheusError.of(timeout())
        : PrometheusError.unavailable(e.getMessage()));
  }

  // ---------------------------------------------------------------- helpers

  private PromQlEngine engine(Caller caller) {
    return new PromQlEngine(new StoreSeriesSource(store, project(caller)), settings.limits, settings.lookbackDelta);
  }

  /** The caller's only project, or null for an admin (403 for a non-admin without one). */
  private static String project(Caller caller) {
    return caller.admin() ? null : caller.confineProject(null);
  }

  private Mono<Map<String, Object>> run(Mono<QueryResult> result, QueryLimits limits) {
    return gate.admit(result).timeout(limits.timeout(), Mono.error(StoreSeriesSource::timeoutError))
        .map(r -> success(ResultJson.data(r)));
  }

  static QueryException timeout() {
    return StoreSeriesSource.timeoutError();
  }

  /** The label sets of the series any selector matches in [start, end]. */
  private Mono<List<Labels>> select(Caller caller, Params p, List<String> selectors) {
    long end = p.time("end", clock.millis());
    long start = p.time("start", end - DEFAULT_LISTING_WINDOW.toMillis());
    if (end < start) throw PrometheusError.invalidParameter("end", "end timestamp must not be before start time");
    List<List<LabelMatcher>> sets = new ArrayList<>();
    for (String s : selectors) sets.add(PromQlEngine.parseSelector(s));
    // no match[]: every series; a non-empty matcher the source needs none of
    if (sets.isEmpty()) sets.add(List.of(new LabelMatcher(Labels.METRIC_NAME, LabelMatcher.Type.RE, ".+")));
    StoreSeriesSource source = new StoreSeriesSource(store, project(caller));
    QueryLimits limits = settings.limits.withTimeout(p.timeout());
    return gate.admit(Flux.fromIterable(sets)
        .concatMap(m -> source.select(m, start, end, limits))
        .collect(TreeSet<Labels>::new, (all, series) -> {
          for (Series s : series) all.add(s.labels());
        })
        .<List<Labels>>map(ArrayList::new))
        .timeout(limits.timeout(), Mono.error(StoreSeriesSource::timeoutError));
  }

  private static long required(Params p, String name) {
    String v = p.get(name);
    if (v == null || v.isEmpty()) throw PrometheusError.invalidParameter(name, "cannot parse \"\" to a valid timestamp");
    return p.time(name, 0);
  }

  /** The query parameter; the engine parses it once and answers a bad one with bad_data itself. */
  private static String query(Params p) {
    String q = p.get("query");
    return q == null ? "" : q;
  }

  private static List<String> limited(Set<String> values, int limit) {
    List<String> out = new ArrayList<>(values);
    return limit > 0 && out.size() > limit ? out.subList(0, limit) : out;
  }

  static Map<String, Object> success(Object data) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "success");
    body.put("data", data);
    return body;
  }

  /** The query string and, for a form POST, the form body; values of both, query string first. */
  private static Mono<Params> params(ServerWebExchange exchange) {
    MultiValueMap<String, String> query = exchange.getRequest().getQueryParams();
    return exchange.getFormData().defaultIfEmpty(new LinkedMultiValueMap<>()).map(form -> {
      MultiValueMap<String, String> all = new LinkedMultiValueMap<>();
      query.forEach(all::addAll);
      form.forEach(all::addAll);
      return new Params(all);
    });
  }
}
