package dev.altimeter.api.v2;

import dev.altimeter.storage.SampleQuery;
import dev.altimeter.storage.SampleStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /v2/query/samples}: the complex query, body {@code {"filter", "orderby", "limit"}}, all optional. */
@RestController
class QueryController {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> KEYS = Set.of("filter", "orderby", "limit");
  private final SampleStore store;

  QueryController(SampleStore store) {
    this.store = store;
  }

  @PostMapping(path = "/v2/query/samples", produces = MediaType.APPLICATION_JSON_VALUE)
  Flux<Map<String, Object>> query(@RequestBody(required = false) Mono<byte[]> body, Caller caller, ServerWebExchange exchange) {
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    return body.defaultIfEmpty(new byte[0])
        .map(bytes -> parse(bytes, caller))
        .flatMapMany(q -> store.query(q).map(Representations::sample))
        .onErrorMap(UnsupportedOperationException.class, e -> new ApiError(HttpStatus.NOT_IMPLEMENTED, e.getMessage()));
  }

  static SampleQuery parse(byte[] bytes, Caller caller) {
    JsonNode root;
    try {
      root = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
    } catch (JacksonException e) {
      throw ApiError.badRequest("Invalid input for field/attribute body. The request body is not valid JSON: "
          + e.getOriginalMessage());
    }
    if (root == null || root.isNull() || root.isMissingNode()) root = JSON.createObjectNode();
    if (!root.isObject()) throw ApiError.invalidInput("body", root.toString(), "a JSON object is expected");
    for (String k : root.propertyNames()) {
      if (!KEYS.contains(k)) throw ApiError.badRequest("Unknown attribute for argument body: " + k);
    }
    SampleQuery.Expression filter = ComplexQuery.filter(text(root, "filter"));
    List<SampleQuery.OrderBy> orderBy = ComplexQuery.orderBy(text(root, "orderby"));
    int limit = SimpleQuery.DEFAULT_LIMIT;
    JsonNode l = root.get("limit");
    if (l != null && !l.isNull()) {
      if (!l.canConvertToInt() || !l.isIntegralNumber()) {
        limit = SimpleQuery.parseInt("limit", l.isString() ? l.asString() : l.toString());
      } else {
        limit = l.asInt();
      }
      SimpleQuery.checkLimit(limit);
    }
    return new SampleQuery(ComplexQuery.confine(filter, caller), orderBy, limit);
  }

  private static String text(JsonNode root, String key) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) return null;
    if (!n.isString()) throw ApiError.invalidInput(key, n.toString(), "a JSON document as a string is expected");
    return n.asString();
  }
}
