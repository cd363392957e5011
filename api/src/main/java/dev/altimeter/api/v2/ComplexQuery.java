package dev.altimeter.api.v2;

import dev.altimeter.storage.SampleQuery.Field;
import dev.altimeter.storage.SampleQuery.Op;
import dev.altimeter.storage.SampleQuery;
import dev.altimeter.wire.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of {@code POST /v2/query/samples}: {@code filter} and {@code orderby} are JSON documents
 * given as strings, parsed here into a {@link SampleQuery}. Field names resolve through a fixed table
 * (model names plus Ceilometer's aliases, and {@code metadata.*}); anything else is refused with
 * Ceilometer's {@code Filter expression not valid} / {@code Order-by expression not valid}.
 */
final class ComplexQuery {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Map<String, Op> OPS = Map.of("=", Op.EQ, "!=", Op.NE, "<", Op.LT, ">", Op.GT, "<=", Op.LE,
      "=<", Op.LE, ">=", Op.GE, "=>", Op.GE, "=~", Op.REGEX);
  private static final Map<String, Field> FIELDS = fields();

  private ComplexQuery() {}

  private static Map<String, Field> fields() {
    Map<String, Field> m = new java.util.HashMap<>();
    for (Field f : Field.values()) m.put(f.modelName(), f);
    m.put("user", Field.USER_ID);
    m.put("project", Field.PROJECT_ID);
    m.put("resource", Field.RESOURCE_ID);
    m.put("meter", Field.METER);
    m.put("type", Field.TYPE);
    m.put("unit", Field.UNIT);
    m.put("volume", Field.VOLUME);
    return Map.copyOf(m);
  }

  /** Parses the filter document; {@code null} or blank means no filter. */
  static SampleQuery.Expression filter(String text) {
    if (text == null || text.isBlank()) return null;
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      throw invalidFilter("not JSON: " + e.getOriginalMessage());
    }
    RequestValues.checkDocument("filter", root);
    int values = countValues(root);
    if (values > MAX_VALUES) {
      throw invalidFilter("it holds " + values + " values; at most " + MAX_VALUES + " are allowed");
    }
    return expression(root);
  }

  /**
   * Values one filter may hold (the comparisons plus the members of every {@code in} list): each
   * becomes one bound parameter, and PostgreSQL takes at most 65,535 per statement.
   */
  static final int MAX_VALUES = 10_000;

  private static int countValues(JsonNode node) {
    if (!node.isContainer()) return 1;
    int n = 0;
    for (JsonNode child : node.values()) n += countValues(child);
    return n;
  }

  private static SampleQuery.Expression expression(JsonNode node) {
    if (!node.isObject() || node.size() != 1) {
      throw invalidFilter(node + " must be an object with exactly one operator");
    }
    String key = node.propertyNames().iterator().next();
    JsonNode arg = node.get(key);
    String op = key.toLowerCase(Locale.ROOT);
    switch (op) {
      case "and", "or" -> {
        if (!arg.isArray() || arg.size() < 2) throw invalidFilter("'" + key + "' needs a list of at least 2 expressions");
        List<SampleQuery.Expression> parts = new ArrayList<>();
        for (JsonNode e : arg) parts.add(expression(e));
        return op.equals("and") ? new SampleQuery.And(parts) : new SampleQuery.Or(parts);
      }
      case "not" -> {
        return new SampleQuery.Not(expression(arg));
      }
      case "in" -> {
        String name = singleField(key, arg);
        JsonNode values = arg.get(name);
        if (name.startsWith("metadata.") || name.startsWith("resource_metadata.")) {
          throw invalidFilter("'in' is not supported on metadata (" + name + ")");
        }
        Field field = field(name);
        if (!values.isArray() || values.isEmpty()) throw invalidFilter("'in' needs a non-empty list for " + name);
        List<Object> list = new ArrayList<>();
        for (JsonNode v : values) {
          if (v.isNull()) throw invalidFilter("'in' takes no null (" + name + ")");
          list.add(value(field, v));
        }
        return new SampleQuery.In(field, list);
      }
      default -> {
        Op o = OPS.get(op);
        if (o == null) throw invalidFilter("unknown operator '" + key + "'");
        String name = singleField(key, arg);
        JsonNode v = arg.get(name);
        if (name.startsWith("metadata.") || name.startsWith("resource_metadata.")) {
          String path = name.substring(name.indexOf('.') + 1);
          if (path.isEmpty()) throw invalidFilter("empty metadata path");
          return new SampleQuery.CompareMetadata(path, o, metadataValue(name, v));
        }
        Field field = field(name);
        if (o == Op.REGEX) {
          if (!v.isString()) throw invalidFilter("'=~' needs a string pattern for " + name);
          return new SampleQuery.Compare(field, o, v.asString());
        }
        return new SampleQuery.Compare(field, o, value(field, v));
      }
    }
  }

  private static String singleField(String op, JsonNode arg) {
    if (!arg.isObject() || arg.size() != 1) throw invalidFilter("'" + op + "' needs an object with exactly one field");
    return arg.propertyNames().iterator().next();
  }

  private static Field field(String name) {
    Field f = FIELDS.get(name);
    if (f == null) throw invalidFilter("unknown field '" + name + "'");
    return f;
  }

  private static Object value(Field field, JsonNode v) {
    if (v.isNull()) return null;
    if (field.numeric()) {
      if (!v.isNumber()) throw invalidFilter(v + " is not a number for " + field.modelName());
      return v.asDouble();
    }
    if (field.temporal()) {
      if (!v.isString()) throw invalidFilter(v + " is not a timestamp for " + field.modelName());
      Instant t = Timestamps.parseLenient(v.asString());
      if (t == null) throw ApiError.badRequest("Failed to parse the timestamp value " + v.asString());
      return t;
    }
    if (v.isString()) return v.asString();
    if (v.isNumber() || v.isBoolean()) return v.toString();
    throw invalidFilter(v + " is not a valid value for " + field.modelName());
  }

  private static Object metadataValue(String name, JsonNode v) {
    if (v.isString()) return v.asString();
    if (v.isBoolean()) return v.asBoolean();
    // past a long, the exact integer: jsonb compares numbers of any size
    if (v.isIntegralNumber()) return v.canConvertToLong() ? v.asLong() : v.bigIntegerValue();
    if (v.isNumber()) return v.asDouble();
    throw invalidFilter(v + " is not a valid value for " + name);
  }

  /** Parses the orderby document: {@code [{"field": "asc"|"desc"}, ...]}. */
  static List<SampleQuery.OrderBy> orderBy(String text) {
    if (text == null || text.isBlank()) return List.of();
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      throw invalidOrderBy("not JSON: " + e.getOriginalMessage());
    }
    if (!root.isArray()) throw invalidOrderBy(root + " is not a list");
    List<SampleQuery.OrderBy> out = new ArrayList<>();
    for (JsonNode item : root) {
      if (!item.isObject() || item.size() != 1) throw invalidOrderBy(item + " must have exactly one field");
      String name = item.propertyNames().iterator().next();
      Field f = FIELDS.get(name);
      if (f == null) throw invalidOrderBy("unknown field '" + name + "'");
      JsonNode dir = item.get(name);
      String d = dir.isString() ? dir.asString().toLowerCase(Locale.ROOT) : "";
      if (!d.equals("asc") && !d.equals("desc")) throw invalidOrderBy(dir + " is not asc or desc");
      out.add(new SampleQuery.OrderBy(f, d.equals("asc")));
    }
    return out;
  }

  /**
   * Confines a non-admin caller to its project: refuses a filter naming another project, and ANDs
   * {@code project_id = own} to it.
   */
  static SampleQuery.Expression confine(SampleQuery.Expression filter, Caller caller) {
    if (caller.admin()) return filter;
    caller.confineProject(null);
    checkProjects(filter, caller.projectId());
    var own = new SampleQuery.Compare(Field.PROJECT_ID, Op.EQ, caller.projectId());
    return filter == null ? own : new SampleQuery.And(List.of(own, filter));
  }

  private static void checkProjects(SampleQuery.Expression e, String own) {
    if (e instanceof SampleQuery.Compare c && c.field() == Field.PROJECT_ID && c.value() != null
        && !c.value().equals(own)) {
      throw ApiError.projectNotAuthorized(String.valueOf(c.value()));
    } else if (e instanceof SampleQuery.In in && in.field() == Field.PROJECT_ID) {
      for (Object v : in.values()) if (v != null && !v.equals(own)) throw ApiError.projectNotAuthorized(String.valueOf(v));
    } else if (e instanceof SampleQuery.And and) {
      and.all().forEach(x -> checkProjects(x, own));
    } else if (e instanceof SampleQuery.Or or) {
      or.any().forEach(x -> checkProjects(x, own));
    } else if (e instanceof SampleQuery.Not not) {
      checkProjects(not.expression(), own);
    }
  }

  private static ApiError invalidFilter(String why) {
    return ApiError.badRequest("Filter expression not valid: " + why);
  }

  private static ApiError invalidOrderBy(String why) {
    return ApiError.badRequest("Order-by expression not valid: " + why);
  }
}
