package dev.altimeter.api.v2;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/** {@code GET /v2/capabilities}: what this API and its store support, flattened with {@code :}. */
@RestController
class CapabilitiesController {
  static final Map<String, Object> CAPABILITIES = capabilities();

  @GetMapping(path = "/v2/capabilities", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> capabilities(Caller caller, ServerWebExchange exchange) {
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), java.util.Set.of());
    return CAPABILITIES;
  }

  private static Map<String, Object> capabilities() {
    Map<String, Boolean> api = new LinkedHashMap<>();
    for (String k : new String[] {"meters:query:simple", "meters:query:metadata", "resources:query:simple",
        "resources:query:metadata", "samples:query:simple", "samples:query:metadata", "samples:query:complex",
        "statistics:groupby", "statistics:query:simple", "statistics:query:metadata",
        "statistics:aggregation:standard"}) {
      api.put(k, true);
    }
    for (String f : new String[] {"max", "min", "sum", "avg", "count", "stddev", "cardinality"}) {
      api.put("statistics:aggregation:selectable:" + f, true);
    }
    api.put("statistics:aggregation:selectable:quartile", false);
    api.put("events:query:simple", true);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("api", api);
    out.put("storage", Map.of("storage:production_ready", true));
    out.put("event_storage", Map.of("storage:production_ready", true));
    return java.util.Collections.unmodifiableMap(out);
  }
}
