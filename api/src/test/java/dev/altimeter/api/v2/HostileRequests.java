package dev.altimeter.api.v2;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates requests over every route of the v2 API from a {@link Random}: hostile path variables,
 * query parameters, identities, Content-Types and bodies, mixed with values that hit the rows {@link
 * ApiFuzzTest} stores first. The same seed gives the same requests, so a failure replays.
 */
final class HostileRequests {
  /** Strings no store should choke on, or that must be refused with a clear 4xx. */
  static final List<String> TEXTS = List.of("", " ", "r1", "r2", "p1", "u1", "cpu", "memory", "openstack", "m1.small",
      "a\0b", "\0", "..", "../..", ".", "/", "a/b", "%", "%2F", "%00", "\\", "'", "\"", "' OR '1'='1",
      "'; DROP TABLE sample; --", "None", "null", "True", "false", "ü", "日本語", "😀", "\uD800", "\uDFFF", "a\uDBFFb",
      "\u202E", "\uFFFF", "\uFEFF", "\t", "\u0001", "a\nb", "a\rb", "\u007f", "*", "(", ")", "[", "a{99999}", "(?<x>",
      ".*", "\\", "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-999", "9223372036854775808",
      "-9223372036854775809", "2147483648", "-1", "0", "1", "1.5", "0x10", "+5", " 5 ", "instance_type",
      "metadata.instance_type", "a..b", "a.", ".a", "$1", "?", "#", "&", "=", ";x=1", "a b");

  /** Timestamps around every edge: PostgreSQL's, the partitioning's, Python's, java.time's. */
  static final List<String> TIMESTAMPS = List.of("0000-01-01T00:00:00", "0001-01-01T00:00:00",
      "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00-01:00", "0001-01-01", "9999-12-31T23:59:59",
      "9999-12-31T23:59:59.999999999", "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59+01:00", "10000-01-01T00:00:00",
      "+10000-01-01T00:00:00", "-0001-01-01T00:00:00", "+999999999-12-31T23:59:59", "-999999999-01-01T00:00:00",
      "2024-02-30T00:00:00", "2024-03-01T10:00:00", "2024-03-01T10:01:00Z", "2024-03-01 10:02:00+14:00",
      "2024-03-01T10:00:00.1234567891", "2024-03-01T25:00:00", "2024-03-01T10:00", "2024-03-01", "1970-01-01T00:00:00",
      "2038-01-19T03:14:08", "1900-01-01T00:00:00", "4714-11-24T00:00:00BC", "T", "2024-13-01", "2024-03-01T10:00:00+18:00",
      "2024-03-01T10:00:00+25:00", "1582-10-10T00:00:00", "2024-03-01t10:00:00z");

  static final List<String> METERS = List.of("cpu", "memory", "disk.read", "fuzz");
  static final List<String> FIELDS = List.of("resource_id", "resource", "user_id", "user", "project_id", "project",
      "meter", "source", "message_id", "timestamp", "search_offset", "metadata.instance_type", "metadata.x",
      "resource_metadata.a.b", "metadata.", "metadata..x", "event_type", "start_timestamp", "end_timestamp", "vcpus",
      "load", "launched", "service", "counter_name", "q");
  static final List<String> OPS = List.of("eq", "lt", "le", "gt", "ge", "ne", "", "EQ", "like", "in");
  static final List<String> TYPES = List.of("integer", "float", "string", "boolean", "datetime", "", "int", "None");
  static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
      "application/json; charset=latin-1", "application/json;charset=\"", "text/plain", "application/xml", "", " ", "/",
      "application/", ";", "application/json;;", "a/b/c", "*/*", "application/*", "application/merge-patch+json",
      "application/json; q=abc", "ü/ü", "application/json, text/plain", "multipart/form-data; boundary=",
      "application/x-www-form-urlencoded");
  static final List<String> ACCEPTS = List.of("application/json", "text/plain", "*/*", "garbage", "application/json;q=abc",
      "text/html;q=0.5, */*;q=0.1", "", "/", "application/yaml", "application/json; charset=utf-8", "*/*;q=0");

  private final Random r;
  /** Identifiers of stored rows (sample ids, token ids), so some path variables find something. */
  private final List<String> knownIds;

  HostileRequests(Random r, List<String> knownIds) {
    this.r = r;
    this.knownIds = knownIds;
  }

  RawHttp.Request next() {
    RawHttp.Request request = switch (r.nextInt(20)) {
      case 0, 1 -> listing("/v2/samples", this::simpleQuery);
      case 2 -> get("/v2/samples/" + segment(this::id), this::noiseParams);
      case 3, 4 -> listing("/v2/meters", () -> { simpleQuery(); if (r.nextBoolean()) param("unique", pick(TEXTS, "true", "false", "1", "yes")); });
      case 5 -> listing("/v2/meters/" + segment(this::meter), this::simpleQuery);
      case 6, 7 -> postSamples();
      case 8, 9 -> listing("/v2/meters/" + segment(this::meter) + "/statistics", this::statisticsQuery);
      case 10 -> listing("/v2/resources", () -> { simpleQuery(); if (r.nextBoolean()) param("meter_links", pick(TEXTS, "0", "1")); });
      case 11 -> get("/v2/resources/" + segment(this::resource), this::noiseParams);
      case 12, 13 -> complexQuery();
      case 14 -> listing("/v2/events", this::simpleQuery);
      case 15 -> get("/v2/events/" + segment(() -> pick(TEXTS, "m1", "m2", "m3")), this::noiseParams);
      case 16 -> eventTypes();
      case 17 -> tokens();
      case 18 -> fixed();
      default -> oddMethod();
    };
    return finish(request);
  }

  // ---- routes

  private final List<String[]> params = new ArrayList<>();

  private RawHttp.Request listing(String path, Runnable query) {
    params.clear();
    query.run();
    if (r.nextInt(3) == 0) param("limit", pick(TEXTS, "1", "2", "10000", "10001", "-1", "0", "1e3", "99999999999"));
    noiseParams();
    if (r.nextInt(8) == 0) {
      // WSME takes q from a JSON body, even on GET
      RawHttp.Request get = RawHttp.Request.of("GET", path(path) + queryString());
      return get.withBody(contentType(), bodyQ());
    }
    return RawHttp.Request.of(r.nextInt(10) == 0 ? "HEAD" : "GET", path(path) + queryString());
  }

  private RawHttp.Request get(String path, Runnable query) {
    params.clear();
    query.run();
    return RawHttp.Request.of(r.nextInt(10) == 0 ? "HEAD" : "GET", path(path) + queryString());
  }

  private RawHttp.Request postSamples() {
    params.clear();
    String name = meter();
    if (r.nextInt(4) == 0) param("direct", pick(TEXTS, "true", "false", "1"));
    noiseParams();
    String body = switch (r.nextInt(10)) {
      case 0 -> json(3);
      case 1 -> garbage();
      default -> {
        StringBuilder b = new StringBuilder("[");
        int n = r.nextInt(4) == 0 ? r.nextInt(20) : 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) b.append(i > 0 ? "," : "").append(sample(r.nextInt(3) == 0 ? pick(TEXTS) : name));
        yield b.append(']').toString();
      }
    };
    return RawHttp.Request.of("POST", path("/v2/meters/" + encode(name)) + queryString()).withBody(contentType(), body);
  }

  private RawHttp.Request complexQuery() {
    params.clear();
    noiseParams();
    String body = switch (r.nextInt(10)) {
      case 0 -> json(3);
      case 1 -> garbage();
      default -> {
        List<String> members = new ArrayList<>();
        if (r.nextInt(4) > 0) members.add("\"filter\":" + (r.nextInt(6) == 0 ? json(2) : jsonString(filter(3))));
        if (r.nextInt(3) == 0) members.add("\"orderby\":" + (r.nextInt(6) == 0 ? json(2) : jsonString(orderBy())));
        if (r.nextInt(3) == 0) members.add("\"limit\":" + pick(List.of("1", "10000", "10001", "0", "-1", "1.5", "1e999",
            "\"5\"", "\"x\"", "null", "[]", "99999999999999999999")));
        if (r.nextInt(10) == 0) members.add(jsonString(pick(TEXTS)) + ":1");
        yield "{" + String.join(",", members) + "}";
      }
    };
    return RawHttp.Request.of("POST", path("/v2/query/samples") + queryString()).withBody(contentType(), body);
  }

  private RawHttp.Request eventTypes() {
    Supplier<String> type = () -> pick(TEXTS, "compute.instance.create.end", "image.upload");
    Supplier<String> trait = () -> pick(TEXTS, "vcpus", "project_id", "load", "launched");
    String path = switch (r.nextInt(4)) {
      case 0 -> "/v2/event_types";
      case 1 -> "/v2/event_types/" + segment(type);
      case 2 -> "/v2/event_types/" + segment(type) + "/traits";
      default -> "/v2/event_types/" + segment(type) + "/traits/" + segment(trait);
    };
    return get(path, this::noiseParams);
  }

  private RawHttp.Request tokens() {
    params.clear();
    noiseParams();
    return switch (r.nextInt(3)) {
      case 0 -> RawHttp.Request.of("GET", path("/v2/admin/tokens") + queryString());
      case 1 -> RawHttp.Request.of("DELETE", path("/v2/admin/tokens/" + segment(this::id)) + queryString());
      default -> {
        List<String> members = new ArrayList<>();
        if (r.nextInt(5) > 0) members.add("\"project_id\":" + jsonValue());
        if (r.nextBoolean()) members.add("\"user_id\":" + jsonValue());
        if (r.nextBoolean()) members.add("\"roles\":" + (r.nextBoolean() ? "[" + jsonValue() + "]" : jsonValue()));
        if (r.nextInt(3) == 0) members.add("\"expires_at\":" + (r.nextBoolean() ? jsonString(pick(TIMESTAMPS)) : jsonValue()));
        if (r.nextInt(10) == 0) members.add(jsonString(pick(TEXTS)) + ":1");
        String body = r.nextInt(8) == 0 ? garbage() : "{" + String.join(",", members) + "}";
        yield RawHttp.Request.of("POST", path("/v2/admin/tokens") + queryString()).withBody(contentType(), body);
      }
    };
  }

  /** The routes without parameters, unknown paths, and request targets no client library would send. */
  private RawHttp.Request fixed() {
    params.clear();
    if (r.nextBoolean()) noiseParams();
    String path = pick(List.of("/", "/v2", "/v2/", "/v2/capabilities", "/v2/openapi.yaml", "/v2/nothing", "/v3/meters",
        "/v2/meters/cpu/statistics/more", "/v2/query", "/v2/admin", "//v2//meters", "/v2;x/samples", "/%76%32/resources",
        "/v2/meters/", "/v2/./meters", "/v2/../v2/meters", "/v2/meters/%zz", "/v2/meters/%", "/v2/meters/%E0%80",
        "/v2/meters/%FF%FE", "/v2/samples?q.field=resource_id&q.value=%zz", "/v2/meters?%=1", "/v2/meters?&&&=&",
        "/v2/meters?q.field", "/v2/meters?q.field=&q.value=", "/v2/samples?limit=%2B5", "*", "/v2/meters#frag"));
    String target = path.contains("?") ? path : path + queryString();
    return RawHttp.Request.of(r.nextInt(6) == 0 ? "HEAD" : "GET", target);
  }

  private RawHttp.Request oddMethod() {
    params.clear();
    String path = pick(List.of("/v2/meters", "/v2/meters/cpu", "/v2/samples", "/v2/resources/r1", "/v2/query/samples",
        "/v2/admin/tokens", "/v2/capabilities", "/v2/events", "/"));
    String method = pick(List.of("PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "POST", "FOO"));
    RawHttp.Request req = RawHttp.Request.of(method, path(path) + queryString());
    return r.nextBoolean() ? req.withBody(contentType(), json(2)) : req;
  }

  // ---- the parts of a request

  /** Identity, Accept, Content-Type oddities and, rarely, a body claimed larger than the limit. */
  private RawHttp.Request finish(RawHttp.Request request) {
    List<Map.Entry<String, String>> headers = new ArrayList<>(request.headers());
    switch (r.nextInt(10)) {
      case 0, 1, 2 -> { } // no identity: an admin in mode none
      case 3 -> add(headers, "X-User-Id", "root", "X-Project-Id", "admin-project", "X-Roles", "admin");
      case 4 -> add(headers, "X-User-Id", "u1", "X-Project-Id", "p1", "X-Roles", "member");
      case 5 -> add(headers, "X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member");
      case 6 -> add(headers, "X-User-Id", "u1", "X-Roles", "member");
      case 7 -> add(headers, "X-User-Id", headerText(), "X-Project-Id", headerText(), "X-Roles", headerText());
      case 8 -> add(headers, "X-Roles", pick(List.of("admin,,member, ", ",", " admin ", "ADMIN", "admin\tmember")),
          "X-Identity-Status", pick(List.of("Invalid", "Confirmed", "", "x")));
      default -> add(headers, "Authorization", pick(List.of("Bearer ", "Bearer x", "Basic Zm9vOmJhcg==", "Bearer " + headerText())),
          "X-Auth-Token", headerText());
    }
    if (r.nextInt(5) == 0) add(headers, "Accept", pick(ACCEPTS));
    if (r.nextInt(10) == 0) add(headers, "X-Openstack-Request-Id", headerText());
    byte[] body = request.body();
    Long claimed = null;
    if (r.nextInt(60) == 0) {
      // past altimeter.api.max-request-size: refused by its Content-Length before anything is read
      claimed = 1L << 30;
      if (body == null) headers.add(Map.entry("Content-Type", "application/json"));
      body = new byte[0];
    } else if (body == null && r.nextInt(40) == 0) {
      String type = contentType();
      if (type != null) headers.add(Map.entry("Content-Type", type));
      body = json(2).getBytes(StandardCharsets.UTF_8);
    }
    return new RawHttp.Request(request.method(), request.target(), headers, body, claimed);
  }

  private static void add(List<Map.Entry<String, String>> headers, String... pairs) {
    for (int i = 0; i < pairs.length; i += 2) headers.add(Map.entry(pairs[i], pairs[i + 1]));
  }

  /** A header value: any text but the control characters that end or break a header line. */
  private String headerText() {
    String s = pick(TEXTS);
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) if ((c >= 0x20 && c != 0x7f && !Character.isSurrogate(c)) || c == '\t') b.append(c);
    return b.toString();
  }

  private String contentType() {
    return r.nextInt(3) > 0 ? "application/json" : r.nextInt(8) == 0 ? null : pick(CONTENT_TYPES);
  }

  private void simpleQuery() {
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      String field = r.nextInt(8) == 0 ? pick(TEXTS) : pick(FIELDS);
      param("q.field", field);
      if (r.nextInt(30) > 0) param("q.value", value(field));
      if (r.nextBoolean()) param("q.op", r.nextInt(8) == 0 ? pick(TEXTS) : pick(OPS));
      if (r.nextInt(3) == 0) param("q.type", r.nextInt(8) == 0 ? pick(TEXTS) : pick(TYPES));
    }
  }

  private void statisticsQuery() {
    simpleQuery();
    if (r.nextBoolean()) param("period", pick(TEXTS, "0", "1", "60", "3600", "2147483647", "-1", "86400"));
    int g = r.nextInt(3);
    for (int i = 0; i < g; i++) {
      param("groupby", pick(TEXTS, "user_id", "resource_id", "project_id", "source", "resource_metadata.instance_type"));
    }
    int a = r.nextInt(3);
    for (int i = 0; i < a; i++) {
      param("aggregate.func", pick(TEXTS, "max", "min", "sum", "avg", "count", "stddev", "cardinality", "quartile"));
      if (r.nextBoolean()) param("aggregate.param", pick(TEXTS, "resource_id", "user_id", "project_id"));
    }
  }

  private void noiseParams() {
    if (r.nextInt(10) == 0) param(pick(TEXTS, "limit", "q.field", "unknown"), pick(TEXTS));
  }

  /** A value for a field of a simple query: the field's own kind mostly, anything sometimes. */
  private String value(String field) {
    if (r.nextInt(4) == 0) return pick(TEXTS);
    return switch (field) {
      case "timestamp", "start_timestamp", "end_timestamp", "launched" -> pick(TIMESTAMPS);
      case "search_offset", "vcpus", "load" -> pick(List.of("0", "1", "-1", "60", "2147483647", "-2147483648",
          "9223372036854775807", "1e999", "1.5", "NaN", "x"));
      case "message_id" -> id();
      case "metadata.instance_type", "metadata.x", "resource_metadata.a.b" -> pick(List.of("m1.small", "'m1.small'",
          "True", "1", "1.5", "1e999", "-1e999", "NaN", "99999999999999999999", "\"x\"", "'"));
      default -> pick(TEXTS, "r1", "p1", "u1", "cpu", "openstack", "compute.instance.create.end", "image.upload");
    };
  }

  private String bodyQ() {
    if (r.nextInt(5) == 0) return r.nextBoolean() ? json(3) : garbage();
    StringBuilder b = new StringBuilder("{\"q\":[");
    int n = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      String field = pick(FIELDS);
      b.append(i > 0 ? "," : "").append("{\"field\":").append(r.nextInt(6) == 0 ? jsonValue() : jsonString(field))
          .append(",\"value\":").append(r.nextInt(4) == 0 ? jsonValue() : jsonString(value(field)));
      if (r.nextBoolean()) b.append(",\"op\":").append(jsonString(pick(OPS)));
      if (r.nextInt(3) == 0) b.append(",\"type\":").append(r.nextInt(4) == 0 ? jsonValue() : jsonString(pick(TYPES)));
      b.append('}');
    }
    return b.append("]}").toString();
  }

  private String sample(String name) {
    List<String> members = new ArrayList<>();
    member(members, "counter_name", () -> jsonString(name));
    member(members, "counter_type", () -> jsonString(pick(TEXTS, "gauge", "delta", "cumulative")));
    member(members, "counter_unit", () -> jsonString(pick(TEXTS, "ns", "MB", "%")));
    member(members, "counter_volume", () -> pick(List.of("1", "0", "-0", "1.5", "1e308", "1e999", "-1e999", "1e-999",
        "123456789012345678901234567890", "\"2.5\"", "\"NaN\"", "\"Infinity\"", "\"x\"", "true", "[]", "{}", "null")));
    member(members, "resource_id", () -> jsonString(pick(TEXTS, "r1", "r2", "fuzz")));
    if (r.nextBoolean()) member(members, "user_id", () -> jsonString(pick(TEXTS, "u1", "u2")));
    if (r.nextBoolean()) member(members, "project_id", () -> jsonString(pick(TEXTS, "p1", "p2")));
    if (r.nextInt(3) == 0) member(members, "source", () -> jsonString(pick(TEXTS)));
    if (r.nextBoolean()) member(members, "timestamp", () -> jsonString(pick(TIMESTAMPS)));
    if (r.nextBoolean()) member(members, "resource_metadata", () -> r.nextInt(4) == 0 ? json(2) : metadata(3));
    if (r.nextInt(20) == 0) member(members, "message_id", this::jsonValue);
    if (r.nextInt(20) == 0) member(members, pick(TEXTS), this::jsonValue);
    java.util.Collections.shuffle(members, r);
    return "{" + String.join(",", members) + "}";
  }

  /** Usually the field's own value; sometimes missing, null or any JSON value instead. */
  private void member(List<String> members, String name, Supplier<String> value) {
    int roll = r.nextInt(25);
    if (roll == 0) return;
    members.add(jsonString(name) + ":" + (roll == 1 ? "null" : roll == 2 ? jsonValue() : value.get()));
  }

  private String metadata(int depth) {
    if (r.nextInt(30) == 0) {
      int n = 1 + r.nextInt(1200);
      return "{\"a\":".repeat(n) + "1" + "}".repeat(n);
    }
    StringBuilder b = new StringBuilder("{");
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      String key = pick(TEXTS, "instance_type", "a.b", "a", "x", "a.b.c");
      b.append(i > 0 ? "," : "").append(jsonString(key)).append(':')
          .append(depth > 0 && r.nextInt(3) == 0 ? metadata(depth - 1) : jsonValue());
    }
    return b.append('}').toString();
  }

  private String filter(int depth) {
    String op = pick(List.of("=", "!=", "<", ">", "<=", ">=", "=<", "=>", "=~", "in", "and", "or", "not", "AND", "In",
        "bogus", "=", "=", "in", "=~"));
    String field = r.nextInt(6) == 0 ? pick(TEXTS) : pick(List.of("resource_id", "resource", "user_id", "project_id",
        "project", "meter", "source", "type", "unit", "volume", "counter_volume", "timestamp", "recorded_at",
        "message_id", "message_signature", "metadata.instance_type", "metadata.x", "resource_metadata.a.b",
        "metadata.", "metadata..", "metadata.a.", "bogus"));
    return switch (op.toLowerCase()) {
      case "and", "or" -> {
        if (depth == 0 || r.nextInt(5) == 0) yield "{\"" + op + "\":" + json(1) + "}";
        int n = r.nextInt(4);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) parts.add(filter(depth - 1));
        yield "{\"" + op + "\":[" + String.join(",", parts) + "]}";
      }
      case "not" -> depth == 0 ? "{\"not\":" + json(1) + "}" : "{\"not\":" + filter(depth - 1) + "}";
      case "in" -> {
        if (r.nextInt(40) == 0) {
          // more values than a statement may bind
          StringBuilder b = new StringBuilder("{\"in\":{\"resource_id\":[");
          for (int i = 0; i < 70_000; i++) b.append(i > 0 ? "," : "").append('"').append(i).append('"');
          yield b.append("]}}").toString();
        }
        StringBuilder b = new StringBuilder("{\"" + op + "\":{" + jsonString(field) + ":");
        if (r.nextInt(5) == 0) yield b.append(jsonValue()).append("}}").toString();
        b.append('[');
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) b.append(i > 0 ? "," : "").append(filterValue(field));
        yield b.append("]}}").toString();
      }
      default -> {
        if (r.nextInt(15) == 0) yield json(2);
        yield "{" + jsonString(op) + ":{" + jsonString(field) + ":" + filterValue(field) + "}}";
      }
    };
  }

  private String filterValue(String field) {
    if (r.nextInt(3) == 0) return jsonValue();
    return switch (field) {
      case "timestamp", "recorded_at" -> jsonString(pick(TIMESTAMPS));
      case "volume", "counter_volume" -> pick(List.of("1", "1.5", "1e999", "-1e999", "1e308", "123456789012345678901234567890"));
      default -> jsonString(pick(TEXTS, "r1", "p1", "u1", "cpu", "m1.small", "(", "[", "a{99999}", "\\", ".*"));
    };
  }

  private String orderBy() {
    if (r.nextInt(5) == 0) return json(2);
    StringBuilder b = new StringBuilder("[");
    int n = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      b.append(i > 0 ? "," : "").append("{").append(jsonString(pick(TEXTS, "timestamp", "volume", "resource_id",
          "metadata.x", "project_id"))).append(':').append(r.nextInt(4) == 0 ? jsonValue() : jsonString(pick(TEXTS,
          "asc", "desc", "ASC", "Desc"))).append('}');
    }
    return b.append(']').toString();
  }

  // ---- JSON text, written by hand so it can hold what a JSON library will not write

  private String jsonValue() {
    return switch (r.nextInt(4)) {
      case 0 -> pick(List.of("null", "true", "false", "0", "-0", "1", "-1", "1.5", "1e308", "1e999", "-1e999", "1e-999",
          "123456789012345678901234567890", "-123456789012345678901234567890.5", "9223372036854775807",
          "9223372036854775808", "1" + "0".repeat(1200)));
      case 1 -> r.nextBoolean() ? "[]" : "{}";
      case 2 -> jsonString(pick(TIMESTAMPS));
      default -> jsonString(pick(TEXTS));
    };
  }

  /** Any JSON document up to {@code depth}, sometimes nested past what a parser allows. */
  String json(int depth) {
    if (r.nextInt(40) == 0) {
      int n = pick(List.of(100, 600, 1200, 5000));
      return r.nextBoolean() ? "[".repeat(n) + "]".repeat(n) : "{\"a\":".repeat(n) + "1" + "}".repeat(n);
    }
    if (depth == 0 || r.nextBoolean()) return jsonValue();
    int n = r.nextInt(4);
    StringBuilder b = new StringBuilder();
    if (r.nextBoolean()) {
      b.append('[');
      for (int i = 0; i < n; i++) b.append(i > 0 ? "," : "").append(json(depth - 1));
      return b.append(']').toString();
    }
    b.append('{');
    for (int i = 0; i < n; i++) b.append(i > 0 ? "," : "").append(jsonString(pick(TEXTS))).append(':').append(json(depth - 1));
    return b.append('}').toString();
  }

  /** Bodies that are not JSON, or not only JSON. */
  private String garbage() {
    return pick(List.of("", " ", "{", "[1,]", "{'a':1}", "NaN", "\u0000", "{\"a\":1}garbage", "null", "[]", "{}", "[null]",
        "\"x\"", "<q/>", "q.field=x&q.value=y", "\uFEFF[]", "[" + "1,".repeat(1000) + "1]", "ÿþ", "[\"\\ud800\"]",
        "[\"\\u0000\"]", "{\"a\":\"\\x\"}"));
  }

  static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      // surrogates escaped one by one, so a lone one can be written at all
      else if (c < 0x20 || Character.isSurrogate(c)) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  // ---- paths and query strings

  private String meter() {
    return pick(TEXTS, METERS.toArray(String[]::new));
  }

  private String resource() {
    return pick(TEXTS, "r1", "r2", "r3", "fuzz");
  }

  private String id() {
    if (!knownIds.isEmpty() && r.nextInt(3) == 0) return pick(knownIds);
    return pick(TEXTS, "00000000-0000-0000-0000-000000000000", "1-1-1-1-1", "ffffffff-ffff-ffff-ffff-ffffffffffffff",
        "0-0-0-0-0", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF");
  }

  /** A path segment: the value percent-encoded, or one of the forms the router may treat specially. */
  private String segment(Supplier<String> value) {
    return switch (r.nextInt(12)) {
      case 0 -> pick(List.of("..", ".", "%2e%2e", "%2F", "a%2Fb", "a;x=1", "%zz", "%", "%FF", "x".repeat(1500), "%C3%BC",
          "%ED%A0%80", "+", "%20"));
      case 1 -> encode("x".repeat(1 + r.nextInt(1000)));
      default -> encode(value.get());
    };
  }

  private String path(String path) {
    if (!path.startsWith("/v2/") || r.nextInt(30) > 0) return path;
    return pick(List.of("/v2;x", "/%76%32", "/v2/", "//v2")) + path.substring(3);
  }

  private void param(String name, String value) {
    params.add(new String[] {name, value});
  }

  private String queryString() {
    if (params.isEmpty()) return "";
    StringBuilder b = new StringBuilder();
    for (String[] p : params) b.append(b.length() == 0 ? "?" : "&").append(encode(p[0])).append('=').append(encode(p[1]));
    // a request line longer than the server takes is the HTTP decoder's to refuse, not the API's
    return b.length() > 2000 ? b.substring(0, 2000).replaceAll("%[0-9A-F]?$", "") : b.toString();
  }

  static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c));
      }
    }
    return b.toString();
  }

  // ---- picking

  private <T> T pick(List<T> values) {
    return values.get(r.nextInt(values.size()));
  }

  /** From {@code hostile} one time in three, else from {@code usual}. */
  private String pick(List<String> hostile, String... usual) {
    return usual.length == 0 || r.nextInt(3) == 0 ? pick(hostile) : usual[r.nextInt(usual.length)];
  }
}
