package dev.altimeter.api.v2;

import dev.altimeter.storage.Resource;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.wire.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code /v2/resources}: list resources, one resource by id. */
@RestController
class ResourcesController {
  private final SampleStore store;

  ResourcesController(SampleStore store) {
    this.store = store;
  }

  @GetMapping(path = "/v2/resources", produces = MediaType.APPLICATION_JSON_VALUE)
  Flux<Map<String, Object>> resources(Caller caller, ServerWebExchange exchange) {
    var params = exchange.getRequest().getQueryParams();
    SimpleQuery.checkArguments(params, Set.of("limit", "meter_links"));
    int limit = SimpleQuery.limit(params);
    String links = params.getFirst("meter_links");
    boolean meterLinks = links == null || SimpleQuery.parseInt("meter_links", links) != 0;
    String appUrl = Links.appUrl(exchange.getRequest());
    return SimpleQuery.conditions(exchange)
        .map(conditions -> SimpleQuery.filter(conditions, SimpleQuery.Kind.RESOURCES, caller))
        .flatMapMany(filter -> store.resources(filter, limit).map(r -> render(r, appUrl, meterLinks)));
  }

  @GetMapping(path = "/v2/resources/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<Map<String, Object>> resource(@PathVariable("id") String routed, Caller caller, ServerWebExchange exchange) {
    // Ceilometer unquotes the id once more after routing, so clients send an id holding "/" as %252F;
    // that second decoding can make a NUL (%2500) the path check before routing never saw
    String id = RequestValues.checkText("resource_id", unquote(routed));
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    SampleFilter filter = SampleFilter.builder().resourceId(id).projectId(caller.confineProject(null)).build();
    String appUrl = Links.appUrl(exchange.getRequest());
    return store.resources(filter, 1).next()
        .map(r -> render(r, appUrl, true))
        .switchIfEmpty(Mono.error(() -> ApiError.notFound("Resource " + id + " Not Found")));
  }

  /**
   * Python's {@code urllib.parse.unquote}: each valid {@code %XX} run is decoded as UTF-8, and a
   * {@code %} that starts no escape is kept as it is.
   */
  static String unquote(String s) {
    if (s.indexOf('%') < 0) return s;
    StringBuilder out = new StringBuilder(s.length());
    java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < s.length(); ) {
      if (s.charAt(i) == '%' && i + 2 < s.length()
          && HexFormat.isHexDigit(s.charAt(i + 1)) && HexFormat.isHexDigit(s.charAt(i + 2))) {
        run.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
        i += 3;
        continue;
      }
      if (run.size() > 0) {
        out.append(run.toString(StandardCharsets.UTF_8));
        run.reset();
      }
      out.append(s.charAt(i++));
    }
    return out.append(run.toString(StandardCharsets.UTF_8)).toString();
  }

  /** Ceilometer's Resource; links are not URL-quoted, as Ceilometer's were not. */
  static Map<String, Object> render(Resource r, String appUrl, boolean meterLinks) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("resource_id", r.resourceId());
    m.put("project_id", r.projectId());
    m.put("user_id", r.userId());
    m.put("source", r.source());
    m.put("first_sample_timestamp", Timestamps.isoformatNaive(r.firstSampleTimestamp()));
    m.put("last_sample_timestamp", Timestamps.isoformatNaive(r.lastSampleTimestamp()));
    m.put("metadata", Representations.flatten(r.metadata()));
    List<Map<String, String>> links = new ArrayList<>();
    links.add(link(appUrl + "/v2/resources/" + r.resourceId(), "self"));
    if (meterLinks) {
      for (String meter : r.meters()) {
        links.add(link(appUrl + "/v2/meters/" + meter + "?q.field=resource_id&q.value=" + r.resourceId(), meter));
      }
    }
    m.put("links", links);
    return m;
  }

  private static Map<String, String> link(String href, String rel) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("href", href);
    l.put("rel", rel);
    return l;
  }
}
