package dev.altimeter.collector.polling.dynamic;

import dev.altimeter.collector.polling.PollCycle;
import dev.altimeter.collector.polling.Pollster;
import dev.altimeter.collector.python.Values;
import dev.altimeter.storage.Sample;
import dev.altimeter.wire.PythonText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Ceilometer dynamic pollster (spec §5): GETs a JSON API and turns the entries of the response
 * into samples as its {@link DynamicPollsterDefinition} says, following
 * {@code next_sample_url_attribute} pages (at most {@value #MAX_PAGES} per cycle, a guard Ceilometer
 * lacks).
 *
 * <p>Resources are endpoint URLs: the catalog URL of {@code endpoint_type} (OpenStack style, from
 * the static catalog given to the constructor) or the full {@code url_path}; a polling.yaml source's
 * {@code resources} replace them. Workload partitioning splits them across agents.
 *
 * <p>Errors that end the cycle: a non-2xx answer, an unparseable body, a missing key in an
 * attribute (except the next-page attribute, where it means "no more pages"), a failing operation.
 * Samples whose volume is not numeric, or that have no resource id, are dropped and counted in
 * {@code altimeter.polling.dynamic.dropped}. HTTP runs on the WebClient's event loop; parsing and
 * extraction on {@link Schedulers#parallel()}. Thread-safe.
 */
public final class DynamicPollster implements Pollster {
  /** Sample source of dynamic pollsters, Ceilometer's default {@code sample_source}. */
  public static final String SAMPLE_SOURCE = "openstack";
  static final int MAX_PAGES = 1000;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final DynamicPollsterDefinition def;
  private final WebClient http;
  private final Map<String, URI> catalog;
  private final Counter dropped;

  /**
   * @param catalog endpoint type → base URL, standing in for the Keystone catalog; may be empty when
   *     the definition has no {@code endpoint_type}
   */
  public DynamicPollster(DynamicPollsterDefinition def, WebClient http, Map<String, URI> catalog, MeterRegistry registry) {
    this.def = Objects.requireNonNull(def);
    this.http = Objects.requireNonNull(http);
    this.catalog = Map.copyOf(catalog);
    this.dropped = registry.counter("altimeter.polling.dynamic.dropped", "pollster", def.name);
  }

  @Override
  public String name() {
    return def.name;
  }

  @Override
  public List<String> defaultResources() {
    if (def.endpointType == null) return List.of(def.urlPath);
    URI base = catalog.get(def.endpointType);
    return base == null ? List.of() : List.of(base.toString());
  }

  @Override
  public Flux<Sample> poll(PollCycle cycle) {
    if (cycle.resources().isEmpty()) {
      return Flux.error(new IllegalStateException("no endpoint for endpoint_type '" + def.endpointType + "' of " + def.name));
    }
    return Flux.fromIterable(cycle.resources()).concatMap(resource -> {
      URI first = def.endpointType == null ? URI.create(resource) : join(resource, def.urlPath);
      int[] ordinal = {0};
      return page(first, first, 1, cycle, ordinal);
    });
  }

  /** Joins like Python's urljoin(base + '/', path): absolute wins, a leading '/' replaces the path, else appended. */
  static URI join(String base, String path) {
    if (URI.create(path).isAbsolute()) return URI.create(path);
    String b = base.endsWith("/") ? base : base + "/";
    return URI.create(b).resolve(path);
  }

  private Flux<Sample> page(URI url, URI base, int number, PollCycle cycle, int[] ordinal) {
    return get(url)
        .publishOn(Schedulers.parallel())
        .flatMapMany(response -> {
          List<Sample> samples = samples(response, cycle, ordinal);
          String next = nextPage(response);
          if (next == null) return Flux.fromIterable(samples);
          if (number >= MAX_PAGES) {
            return Flux.concat(Flux.fromIterable(samples), Flux.error(new IllegalStateException(
                def.name + ": more than " + MAX_PAGES + " pages, stopping")));
          }
          return Flux.concat(Flux.fromIterable(samples), page(base.resolve(next), base, number + 1, cycle, ordinal));
        });
  }

  private Mono<Object> get(URI url) {
    return http.get().uri(url)
        .headers(h -> def.headers.forEach(h::set))
        .exchangeToMono(response -> {
          if (!response.statusCode().is2xxSuccessful()) {
            return response.releaseBody().then(Mono.error(new IllegalStateException(
                def.name + ": GET " + url + " answered " + response.statusCode().value())));
          }
          return response.bodyToMono(String.class).defaultIfEmpty("");
        })
        .timeout(def.timeout)
        .map(this::handle);
  }

  /** The response handlers in order; the first that succeeds wins. */
  private Object handle(String body) {
    RuntimeException last = null;
    for (String h : def.responseHandlers) {
      if (h.equals("json")) {
        try {
          return JSON.readValue(body, Object.class);
        } catch (RuntimeException e) {
          last = e;
        }
      } else if (h.equals("text")) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("out", body);
        return List.of(out);
      }
    }
    throw new IllegalStateException(def.name + ": no response handler could read the response", last);
  }

  private String nextPage(Object response) {
    if (def.nextSampleUrlAttribute == null) return null;
    Object next;
    try {
      next = def.nextSampleUrlAttribute.extract(response);
    } catch (Attribute.MissingKey e) {
      return null;
    }
    return Values.truthy(next) ? PythonText.str(next) : null;
  }

  List<Sample> samples(Object response, PollCycle cycle, int[] ordinal) {
    List<Sample> out = new ArrayList<>();
    for (Object entry : entries(response)) {
      if (def.multiListKey == null) single(entry, cycle, ordinal, out);
      else multi(entry, cycle, ordinal, out);
    }
    return out;
  }

  private List<?> entries(Object response) {
    response = Values.normalise(response);
    if (response instanceof List<?> l) return l;
    Object entries;
    if (def.responseEntriesKey != null) {
      entries = def.responseEntriesKey.extract(response);
    } else if (response instanceof Map<?, ?> m && !m.isEmpty()) {
      entries = m.values().iterator().next();
    } else {
      return List.of();
    }
    if (entries instanceof List<?> l) return l;
    if (entries instanceof Map<?, ?>) return List.of(entries);
    if (entries == null) return List.of();
    throw new IllegalStateException(def.name + ": the entries are a " + Values.typeName(entries) + ", not a list");
  }

  private void single(Object entry, PollCycle cycle, int[] ordinal, List<Sample> out) {
    Object raw = def.valueAttribute.extract(entry);
    if (skipped(raw)) return;
    Object volume = raw;
    if (!def.valueMapping.isEmpty()) {
      Object mapped = def.valueMapping.get(PythonText.str(raw));
      volume = mapped != null ? mapped : def.defaultValue;
    }
    add(def.name, volume, entry, cycle, ordinal, out);
  }

  private void multi(Object entry, PollCycle cycle, int[] ordinal, List<Sample> out) {
    if (!(entry instanceof Map<?, ?> m) || !m.containsKey(def.multiListKey)) {
      throw new Attribute.MissingKey("key '" + def.multiListKey + "' of " + def.name + " is missing");
    }
    Object list = Values.normalise(m.get(def.multiListKey));
    if (!(list instanceof List<?> items)) {
      throw new IllegalStateException(def.name + ": '" + def.multiListKey + "' is not a list");
    }
    for (Object item : items) {
      if (!(item instanceof Map<?, ?> element) || !element.containsKey(def.multiNameAttribute)) {
        throw new Attribute.MissingKey("key '" + def.multiNameAttribute + "' of " + def.name + " is missing");
      }
      String subName = PythonText.str(Values.normalise(element.get(def.multiNameAttribute)));
      Object value = element;
      for (String key : def.multiValuePath) {
        if (!(value instanceof Map<?, ?> vm) || !vm.containsKey(key)) {
          throw new Attribute.MissingKey("key '" + key + "' of " + def.name + " is missing");
        }
        value = Values.normalise(vm.get(key));
      }
      if (skipped(subName) || skipped(value)) continue;
      String meter = def.name.replace("{" + def.multiNameAttribute + "}", subName);
      add(meter, value, entry, cycle, ordinal, out);
    }
  }

  private boolean skipped(Object raw) {
    for (Object s : def.skipSampleValues) {
      if (Values.equal(s, raw) || PythonText.str(s).equals(PythonText.str(raw))) return true;
    }
    return false;
  }

  private void add(String meter, Object volume, Object entry, PollCycle cycle, int[] ordinal, List<Sample> out) {
    Double v = numeric(volume);
    String resource = id(def.resourceIdAttribute, def.resourceIdDefault, entry);
    if (v == null || resource == null || resource.isEmpty()) {
      dropped.increment();
      return;
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    def.metadataFields.forEach((key, attribute) -> metadata.put(key, attribute.extract(entry)));
    def.metadataMapping.forEach((from, to) -> {
      if (metadata.containsKey(from)) {
        Object value = metadata.get(from);
        if (!def.preserveMappedMetadata) metadata.remove(from);
        metadata.put(to, value);
      }
    });
    int n = ordinal[0]++;
    out.add(Sample.builder().meter(meter).type(def.sampleType).unit(def.unit).volume(v)
        .userId(id(def.userIdAttribute, def.userIdDefault, entry))
        .projectId(id(def.projectIdAttribute, def.projectIdDefault, entry))
        .resourceId(resource).timestamp(cycle.timestamp()).source(SAMPLE_SOURCE)
        .resourceMetadata(metadata).messageId(cycle.messageId(meter, resource, Integer.toString(n)))
        .build());
  }

  /**
   * An id attribute. OpenStack-style definitions read an absent default key as None; non-OpenStack
   * ones always look it up, so a missing key fails the cycle (spec §5.2).
   */
  private String id(Attribute attribute, boolean isDefault, Object entry) {
    if (isDefault && def.endpointType != null && !attribute.presentIn(entry)) return null;
    Object v = attribute.extract(entry);
    return v == null ? null : PythonText.str(v);
  }

  /** A finite double from a number, a boolean or a numeric string; {@code null} otherwise. */
  static Double numeric(Object o) {
    o = Values.normalise(o);
    double d;
    if (o instanceof Boolean b) d = b ? 1 : 0;
    else if (o instanceof Number n) d = n.doubleValue();
    else if (o instanceof String s) {
      try {
        d = Double.parseDouble(s.strip());
      } catch (NumberFormatException e) {
        return null;
      }
    } else return null;
    return Double.isFinite(d) ? d : null;
  }
}
