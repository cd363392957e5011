package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleFilter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds a parameterised WHERE clause. Only fixed column names and {@code $n} placeholders are
 * written into the SQL; every value the user gave is bound. Not thread-safe; one per statement
 * (its {@link #part parts} share the statement's binds).
 */
final class SqlWhere {
  private final List<String> conditions = new ArrayList<>();
  private final List<Object> binds;
  private final JsonMapper json;

  SqlWhere(JsonMapper json) {
    this(json, new ArrayList<>());
  }

  private SqlWhere(JsonMapper json, List<Object> binds) {
    this.json = json;
    this.binds = binds;
  }

  /** Another condition list of the same statement (a subquery's WHERE): binds are numbered together. */
  SqlWhere part() {
    return new SqlWhere(json, binds);
  }

  /** Adds the filter's conditions; {@code false} when it can match nothing (e.g. a malformed id). */
  boolean addFilter(SampleFilter f, String sampleAlias, String metadataAlias, boolean withTime) {
    equalsOrNull("m.name", f.meter());
    addOwnerFilter(f, "r");
    if (f.messageId() != null) {
      UUID id = parseUuid(f.messageId());
      if (id == null) return false;
      conditions.add(sampleAlias + ".message_id = " + bind(id));
    }
    if (withTime) addTimeFilter(f, sampleAlias);
    addMetadataFilter(f, metadataAlias);
    return true;
  }

  /** True when the filter names a resource owner column (resource, user, project or source). */
  static boolean hasOwnerFilter(SampleFilter f) {
    return f.resourceId() != null || f.userId() != null || f.projectId() != null || f.source() != null;
  }

  /** The owner conditions (resource, user, project, source) on the resource table aliased {@code alias}. */
  void addOwnerFilter(SampleFilter f, String alias) {
    equalsOrNull(alias + ".user_id", f.userId());
    equalsOrNull(alias + ".project_id", f.projectId());
    equalsOrNull(alias + ".resource_id", f.resourceId());
    equalsOrNull(alias + ".source", f.source());
  }

  /** The timestamp bounds, keeping their strictness, on the sample table aliased {@code alias}. */
  void addTimeFilter(SampleFilter f, String alias) {
    if (f.start() != null) {
      conditions.add(alias + ".timestamp " + (f.startInclusive() ? ">= " : "> ") + bind(f.start()));
    }
    if (f.end() != null) {
      conditions.add(alias + ".timestamp " + (f.endInclusive() ? "<= " : "< ") + bind(f.end()));
    }
  }

  /** The metadata conditions on the resource_metadata table aliased {@code alias}. */
  void addMetadataFilter(SampleFilter f, String alias) {
    for (SampleFilter.MetadataCondition c : f.metadata()) {
      String[] path = c.path().split("\\.");
      conditions.add(alias + ".doc #> " + bind(path) + "::text[] = " + bind(json.writeValueAsString(c.value())) + "::jsonb");
    }
  }

  /** Adds a condition already written with {@link #bind} placeholders. */
  void condition(String sql) {
    conditions.add(sql);
  }

  void equalsOrNull(String column, String value) {
    if (value == null) return;
    if (SampleFilter.NULL.equals(value)) {
      conditions.add(column + " IS NULL");
    } else {
      conditions.add(column + " = " + bind(value));
    }
  }

  /** Binds a value and returns its placeholder. */
  String bind(Object value) {
    binds.add(value instanceof Instant i ? i.atOffset(java.time.ZoneOffset.UTC) : value);
    return "$" + binds.size();
  }

  String sql() {
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  /** The conditions AND-ed after a leading {@code " AND "}, or nothing. */
  String and() {
    return conditions.isEmpty() ? "" : " AND " + String.join(" AND ", conditions);
  }

  List<Object> binds() {
    return binds;
  }

  static UUID parseUuid(String s) {
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
