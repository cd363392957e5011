package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleFilter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds a parameterised WHERE clause. Only fixed column names and {@code $n} placeholders are
 * written into the SQL; every value the user gave is bound. Not thread-safe; one per query.
 */
final class SqlWhere {
  private final List<String> conditions = new ArrayList<>();
  private final List<Object> binds = new ArrayList<>();
  private final JsonMapper json;

  SqlWhere(JsonMapper json) {
    this.json = json;
  }

  /** Adds the filter's conditions; {@code false} when it can match nothing (e.g. a malformed id). */
  boolean addFilter(SampleFilter f, String sampleAlias, String metadataAlias, boolean withTime) {
    equalsOrNull("m.name", f.meter());
    equalsOrNull("r.user_id", f.userId());
    equalsOrNull("r.project_id", f.projectId());
    equalsOrNull("r.resource_id", f.resourceId());
    equalsOrNull("r.source", f.source());
    if (f.messageId() != null) {
      UUID id = parseUuid(f.messageId());
      if (id == null) return false;
      conditions.add(sampleAlias + ".message_id = " + bind(id));
    }
    if (withTime) {
      if (f.start() != null) {
        conditions.add(sampleAlias + ".timestamp " + (f.startInclusive() ? ">= " : "> ") + bind(f.start()));
      }
      if (f.end() != null) {
        conditions.add(sampleAlias + ".timestamp " + (f.endInclusive() ? "<= " : "< ") + bind(f.end()));
      }
    }
    for (SampleFilter.MetadataCondition c : f.metadata()) {
      String[] path = c.path().split("\\.");
      conditions.add(metadataAlias + ".doc #> " + bind(path) + "::text[] = " + bind(json.writeValueAsString(c.value())) + "::jsonb");
    }
    return true;
  }

  /** Adds a condition already written with {@link #bind} placeholders. */
  void condition(String sql) {
    conditions.add(sql);
  }

  void add(String sqlWithPlaceholder, Object value) {
    conditions.add(sqlWithPlaceholder.replace("?", bind(value)));
  }

  private void equalsOrNull(String column, String value) {
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
