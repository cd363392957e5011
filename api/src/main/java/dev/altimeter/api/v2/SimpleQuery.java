package dev.altimeter.api.v2;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.wire.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The v2 simple query: parallel {@code q.field / q.op / q.value / q.type} parameters, AND-ed,
 * turned into a {@link SampleFilter} with Ceilometer's rules and error messages. Also checks that the
 * request has no other arguments than the endpoint takes, and parses {@code limit}.
 */
final class SimpleQuery {
  /** Which fields an endpoint accepts. */
  enum Kind {
    SAMPLES(true, Set.of("user", "project", "resource", "meter", "source", "message_id", "timestamp", "search_offset")),
    METERS(false, Set.of("user", "project", "resource", "source")),
    RESOURCES(true, Set.of("user", "project", "resource", "source", "timestamp", "search_offset"));

    final boolean timestamps;
    final Set<String> validKeys;

    Kind(boolean timestamps, Set<String> validKeys) {
      this.timestamps = timestamps;
      this.validKeys = validKeys;
    }
  }

  static final int DEFAULT_LIMIT = 100;
  /**
   * The largest {@code limit} a listing takes (400 past it): what one request may cost is bounded,
   * whatever the store holds. Rows are streamed out as the store returns them.
   */
  static final int MAX_LIMIT = 10_000;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> OPS = Set.of("lt", "le", "eq", "ne", "ge", "gt");
  private static final List<String> TYPES = List.of("integer", "float", "string", "boolean", "datetime");
  private static final Map<String, String> ALIASES = Map.of("user_id", "user", "project_id", "project",
      "resource_id", "resource");

  record Condition(String field, String op, String value, String type) {
    @Override
    public String toString() {
      return "<Query '" + field + "' " + op + " '" + value + "' " + (type == null ? "Unset" : type) + ">";
    }
  }

  private SimpleQuery() {}

  /**
   * Rejects any parameter not in {@code allowed} (the q.* family is always allowed) and repeated
   * single-valued parameters.
   */
  static void checkArguments(MultiValueMap<String, String> params, Set<String> allowed) {
    checkArguments(params, allowed, Set.of());
  }

  /** As {@link #checkArguments(MultiValueMap, Set)}; the {@code repeatable} ones may be repeated. */
  static void checkArguments(MultiValueMap<String, String> params, Set<String> allowed, Set<String> repeatable) {
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      String name = e.getKey();
      if (name.equals("q.field") || name.equals("q.op") || name.equals("q.value") || name.equals("q.type")) continue;
      if (!allowed.contains(name) && !repeatable.contains(name)) {
        throw ApiError.badRequest("Unknown argument: \"" + name + "\"");
      }
      if (e.getValue().size() > 1 && !repeatable.contains(name)) {
        throw ApiError.badRequest("Argument \"" + name + "\" given more than once: " + e.getValue());
      }
    }
  }

  /** {@code limit}: absent ⇒ the default; must be an int from 1 to {@link #MAX_LIMIT}. */
  static int limit(MultiValueMap<String, String> params) {
    String raw = params.getFirst("limit");
    if (raw == null) return DEFAULT_LIMIT;
    return checkLimit(parseInt("limit", raw));
  }

  static int checkLimit(int limit) {
    if (limit <= 0) throw ApiError.badRequest("Limit must be positive");
    if (limit > MAX_LIMIT) throw ApiError.badRequest("Limit must be at most " + MAX_LIMIT);
    return limit;
  }

  static int parseInt(String field, String raw) {
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw ApiError.invalidInput(field, raw, "unable to convert to int");
    }
  }

  static List<Condition> conditions(MultiValueMap<String, String> params) {
    List<String> fields = params.getOrDefault("q.field", List.of());
    List<String> values = params.getOrDefault("q.value", List.of());
    List<String> ops = params.getOrDefault("q.op", List.of());
    List<String> types = params.getOrDefault("q.type", List.of());
    // q.op and q.type pair with q.field by position and may be fewer (WSME pads the list of queries);
    // a field without a value (or a value without a field) is refused
    if (fields.size() != values.size() || ops.size() > fields.size() || types.size() > fields.size()) {
      throw ApiError.badRequest("Invalid query: q.field and q.value must be given the same number of times,"
          + " q.op and q.type at most as many times");
    }
    List<Condition> out = new ArrayList<>(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      out.add(condition(fields.get(i), i < ops.size() ? ops.get(i) : null, values.get(i),
          i < types.size() ? types.get(i) : null));
    }
    return out;
  }

  private static Condition condition(String field, String op, String value, String type) {
    op = op == null || op.isEmpty() ? "eq" : op;
    if (!OPS.contains(op)) {
      throw ApiError.invalidInput("op", op, "Value should be one of: " + String.join(", ", new TreeSet<>(OPS)));
    }
    return new Condition(field, op, value, type == null || type.isEmpty() ? null : type);
  }

  /**
   * The conditions of the query string, or of a JSON body {@code {"q": [{"field", "op", "value",
   * "type"}]}}: WSME takes arguments from the body too, even on GET. Giving both is refused.
   */
  static Mono<List<Condition>> conditions(ServerWebExchange exchange) {
    MultiValueMap<String, String> params = exchange.getRequest().getQueryParams();
    return DataBufferUtils.join(exchange.getRequest().getBody())
        .map(buffer -> {
          byte[] bytes = new byte[buffer.readableByteCount()];
          buffer.read(bytes);
          DataBufferUtils.release(buffer);
          return bytes;
        })
        .defaultIfEmpty(new byte[0])
        .map(body -> new String(body, StandardCharsets.UTF_8).isBlank() ? conditions(params) : bodyConditions(params, body));
  }

  private static List<Condition> bodyConditions(MultiValueMap<String, String> params, byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw ApiError.badRequest("Invalid input for field/attribute q. The request body is not valid JSON: "
          + e.getOriginalMessage());
    }
    if (!root.isObject()) throw ApiError.invalidInput("q", root.toString(), "a JSON object {\"q\": [...]} is expected");
    RequestValues.checkDocument("q", root);
    for (String name : root.propertyNames()) {
      if (!name.equals("q")) throw ApiError.badRequest("Unknown argument: \"" + name + "\"");
    }
    if (params.containsKey("q.field") || params.containsKey("q.value")) {
      throw ApiError.badRequest("Parameter q was given several times");
    }
    JsonNode q = root.get("q");
    if (q == null || q.isNull()) return List.of();
    if (!q.isArray()) throw ApiError.invalidInput("q", q.toString(), "a list of queries is expected");
    List<Condition> out = new ArrayList<>();
    for (JsonNode item : q) {
      if (!item.isObject()) throw ApiError.invalidInput("q", item.toString(), "a query must be a JSON object");
      String field = text(item.get("field"));
      String value = text(item.get("value"));
      if (field == null) throw ApiError.invalidInput("field", item.toString(), "Mandatory field missing.");
      if (value == null) throw ApiError.invalidInput("value", item.toString(), "Mandatory field missing.");
      out.add(condition(field, text(item.get("op")), value, text(item.get("type"))));
    }
    return out;
  }

  private static String text(JsonNode node) {
    if (node == null || node.isNull()) return null;
    return node.isString() ? node.asString() : node.toString();
  }

  /** Builds the filter for {@code kind}; the caller's project confinement is applied. */
  static SampleFilter filter(List<Condition> conditions, Kind kind, Caller caller) {
    SampleFilter.Builder b = SampleFilter.builder();
    Instant start = null, end = null;
    boolean startInclusive = true, endInclusive = true;
    Integer searchOffset = null;
    String project = null;
    for (Condition c : conditions) {
      String field = c.field();
      if (field.startsWith("metadata.") || field.startsWith("resource_metadata.")) {
        if (!c.op().equals("eq")) throw unimplemented(c);
        String path = field.substring(field.indexOf('.') + 1);
        b.metadata(path, typedValue(c));
        continue;
      }
      if (field.equals("timestamp")) {
        if (!kind.timestamps) throw ApiError.badRequest("Unknown argument: \"timestamp\": not valid for this resource");
        Instant t = Timestamps.parseLenient(c.value());
        if (t == null) throw ApiError.invalidInput("timestamp", c.value(), "invalid timestamp format");
        switch (c.op()) {
          case "gt", "ge" -> { start = t; startInclusive = c.op().equals("ge"); }
          case "lt", "le" -> { end = t; endInclusive = c.op().equals("le"); }
          default -> throw unimplemented(c);
        }
        continue;
      }
      if (field.equals("search_offset") && kind.timestamps) {
        if (!c.op().equals("eq")) throw unimplemented(c);
        searchOffset = parseInt("search_offset", c.value());
        continue;
      }
      String key = ALIASES.getOrDefault(field, field);
      if (!kind.validKeys.contains(key)) {
        throw ApiError.badRequest("Unknown argument: \"" + field + "\": unrecognized field in query: "
            + conditions + ", valid keys: " + validKeys(kind));
      }
      if (!c.op().equals("eq")) throw unimplemented(c);
      String v = c.value().equals("None") ? SampleFilter.NULL : c.value();
      switch (key) {
        case "user" -> b.userId(v);
        case "project" -> project = v;
        case "resource" -> b.resourceId(v);
        case "meter" -> b.meter(v);
        case "source" -> b.source(v);
        case "message_id" -> b.messageId(v);
        default -> throw new IllegalStateException(key);
      }
    }
    if (searchOffset != null) {
      if (start == null && end == null) {
        throw ApiError.badRequest("search_offset cannot be used without timestamp");
      }
      if (start != null) start = start.minusSeconds(60L * searchOffset);
      if (end != null) end = end.plusSeconds(60L * searchOffset);
    }
    if (start != null) b.start(start, startInclusive);
    if (end != null) b.end(end, endInclusive);
    b.projectId(caller.confineProject(project));
    return b.build();
  }

  private static List<String> validKeys(Kind kind) {
    List<String> keys = new ArrayList<>(new TreeSet<>(kind.validKeys));
    return keys.stream().map(k -> "'" + k + "'").toList();
  }

  private static ApiError unimplemented(Condition c) {
    return ApiError.invalidInput("op", c.op(), "unimplemented operator for " + c.field());
  }

  /** Converts a metadata value by its {@code q.type}, or as a Python literal when untyped. */
  static Object typedValue(Condition c) {
    String v = c.value();
    if (c.type() == null) return literal(v);
    if (!TYPES.contains(c.type())) {
      throw ApiError.badRequest("The data type " + c.type() + " is not supported. The supported data type list is: "
          + TYPES.stream().map(t -> "'" + t + "'").toList());
    }
    try {
      return switch (c.type()) {
        case "integer" -> Long.parseLong(v.trim());
        case "float" -> finite(Double.parseDouble(v.trim()));
        case "boolean" -> switch (v.trim().toLowerCase()) {
          case "true", "1", "yes", "on", "y", "t" -> true;
          case "false", "0", "no", "off", "n", "f" -> false;
          default -> throw new IllegalArgumentException(v);
        };
        case "datetime" -> {
          Instant t = Timestamps.parseLenient(v);
          if (t == null) throw new IllegalArgumentException(v);
          yield Timestamps.isoformatNaive(t);
        }
        default -> v;
      };
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("Unable to convert the value " + v + " to the expected data type " + c.type() + ".");
    }
  }

  /** A float a store can compare: NaN and the infinities ({@code 1e999}) are no value (400). */
  static double finite(double d) {
    if (!Double.isFinite(d)) throw new IllegalArgumentException("not a finite number");
    return d;
  }

  /** Python's {@code ast.literal_eval} for the scalar forms a query can hold; anything else stays a string. */
  static Object literal(String v) {
    String s = v.trim();
    if (s.equals("True")) return true;
    if (s.equals("False")) return false;
    if (s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))) {
      return s.substring(1, s.length() - 1);
    }
    if (s.matches("[-+]?\\d+")) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return v;
      }
    }
    if (s.matches("[-+]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][-+]?\\d+)?")) return Double.parseDouble(s);
    return v;
  }
}
