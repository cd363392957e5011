package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleRange;
import java.util.List;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The listing statements of {@link PostgresSampleStore} (samples, meters, resources), written so
 * that their plan reads about {@code limit} rows whatever the filter matches and whatever the
 * planner's statistics say (the tables may never have been analysed).
 *
 * <p>How: the filter's dictionary values (meter name; resource, user, project, source) are first
 * resolved to their ids on the small dictionary tables ({@link #resolution}). An empty resolution
 * answers without reading a sample. Otherwise each listing reads the big tables only through an
 * index whose order is the listing's order, one index walk per resolved id ({@code LATERAL ...
 * LIMIT n}), so no plan can choose to filter a joined table row by row. Group rules ("first of its
 * group", "newest of its group") are correlated subqueries per returned row, which PostgreSQL
 * never turns into hash joins.
 */
final class PostgresListings {
  /**
   * Up to this many resolved resource owners, samples are read per owner (at most {@code limit}
   * each); past it, by walking the time index filtered on the owner (the filter then matches many).
   */
  static final int OWNER_WALKS = 32;

  private PostgresListings() {}

  /** A statement and its bound values. */
  record Sql(String text, List<Object> binds) {}

  /**
   * The ids a filter's dictionary values resolve to. {@code meters} / {@code owners} are null when
   * the filter does not name that dictionary; {@code owners} is null too when more than {@link
   * #OWNER_WALKS} owners match ({@code manyOwners}).
   */
  record Resolved(Integer[] meters, Long[] owners, boolean manyOwners) {
    static final Resolved NOTHING_NAMED = new Resolved(null, null, false);

    /** True when a named dictionary value exists nowhere: nothing can match. */
    boolean matchesNothing() {
      return (meters != null && meters.length == 0) || (owners != null && owners.length == 0);
    }
  }

  /** The statement resolving the filter's dictionary values, or null when it names none. */
  static Sql resolution(JsonMapper json, SampleFilter f) {
    boolean owners = SqlWhere.hasOwnerFilter(f);
    if (f.meter() == null && !owners) return null;
    SqlWhere w = new SqlWhere(json);
    String meters = "NULL::int[]";
    if (f.meter() != null) {
      SqlWhere m = w.part();
      m.equalsOrNull("m.name", f.meter());
      meters = "ARRAY(SELECT m.id FROM meter m" + m.sql() + ")";
    }
    String ownerIds = "NULL::bigint[]";
    if (owners) {
      SqlWhere r = w.part();
      r.addOwnerFilter(f, "r");
      // one more than OWNER_WALKS tells "many"; no ORDER BY, so the plan stays a plain index lookup
      ownerIds = "ARRAY(SELECT r.id FROM resource r" + r.sql() + " LIMIT " + (OWNER_WALKS + 1) + ")";
    }
    return new Sql("SELECT " + meters + " AS meters, " + ownerIds + " AS owners", w.binds());
  }

  static Mono<Resolved> resolve(PostgresSampleStore store, SampleFilter f) {
    Sql sql = resolution(store.json(), f);
    if (sql == null) return Mono.just(Resolved.NOTHING_NAMED);
    return store.query(sql.text(), sql.binds(), row -> {
      Integer[] meters = row.get("meters", Integer[].class);
      Long[] owners = row.get("owners", Long[].class);
      boolean many = owners != null && owners.length > OWNER_WALKS;
      return new Resolved(meters, many ? null : owners, many);
    }).single();
  }

  /**
   * Joins the dictionary row {@code alias} of {@code table} whose id is {@code key}. The LIMIT keeps
   * PostgreSQL from flattening it into a join it could plan as a hash join over the whole table
   * (which it does without statistics): it stays one index lookup per row.
   */
  private static String lookup(String table, String alias, String key) {
    return " CROSS JOIN LATERAL (SELECT * FROM " + table + " WHERE id = " + key + " LIMIT 1) " + alias;
  }

  // ---------------------------------------------------------------- samples

  static final String SAMPLE_COLUMNS = """
      SELECT s.message_id, m.name, m.type, m.unit, s.volume, r.user_id, r.project_id, r.resource_id,
             r.source, s.timestamp, s.recorded_at, md.doc::text AS doc, s.message_signature""";

  private static final String SAMPLE_JOINS = lookup("meter", "m", "s.meter_id")
      + lookup("resource", "r", "s.resource_pk") + lookup("resource_metadata", "md", "s.metadata_id");

  /**
   * Samples newest first (ties in insertion order), or null when nothing can match. With resolved
   * owners, one walk of {@code (resource_pk, timestamp DESC)} per owner; else with a meter, one
   * walk of {@code (meter_id, timestamp DESC)} per meter definition; else the {@code (timestamp
   * DESC, seq)} index. Each walk stops after {@code limit} matching rows.
   */
  static Sql samples(JsonMapper json, SampleFilter f, Resolved ids, int limit) {
    if (ids.matchesNothing()) return null;
    SqlWhere w = new SqlWhere(json);
    if (f.messageId() != null || (ids.owners() == null && ids.meters() == null)) {
      // a message id is its own index (the primary key); otherwise the time index, filtered
      if (!w.addFilter(f, "s", "md", true)) return null;
      return new Sql(SAMPLE_COLUMNS + " FROM sample s" + SAMPLE_JOINS + w.sql()
          + " ORDER BY s.timestamp DESC, s.seq LIMIT " + w.bind(limit), w.binds());
    }
    SqlWhere inner = w.part();
    String driver;
    if (ids.owners() != null) {
      driver = "unnest(" + w.bind(ids.owners()) + "::bigint[])";
      inner.condition("s.resource_pk = d.id");
      if (ids.meters() != null) inner.condition("s.meter_id = ANY(" + w.bind(ids.meters()) + "::int[])");
    } else {
      driver = "unnest(" + w.bind(ids.meters()) + "::int[])";
      inner.condition("s.meter_id = d.id");
    }
    String joins = "";
    if (ids.manyOwners()) {
      joins += lookup("resource", "r", "s.resource_pk");
      inner.addOwnerFilter(f, "r");
    }
    if (!f.metadata().isEmpty()) {
      joins += lookup("resource_metadata", "md", "s.metadata_id");
      inner.addMetadataFilter(f, "md");
    }
    inner.addTimeFilter(f, "s");
    String n = w.bind(limit);
    return new Sql(SAMPLE_COLUMNS + " FROM " + driver + " AS d(id) CROSS JOIN LATERAL (SELECT s.* FROM sample s"
        + joins + inner.sql() + " ORDER BY s.timestamp DESC, s.seq LIMIT " + n + ") s" + SAMPLE_JOINS
        + " ORDER BY s.timestamp DESC, s.seq LIMIT " + n, w.binds());
  }

  /**
   * The statement resolving a range's meter names and owner values to ids, or null when it names
   * neither. Owners are all resolved (no cap): the range read needs each of them.
   */
  static Sql rangeResolution(SampleRange r) {
    if (r.meters() == null && !r.namesOwners()) return null;
    SqlWhere w = new SqlWhere(null);
    String meters = r.meters() == null ? "NULL::int[]"
        : "ARRAY(SELECT m.id FROM meter m WHERE m.name = ANY(" + w.bind(r.meters().toArray(String[]::new)) + "::text[]))";
    String owners = "NULL::bigint[]";
    if (r.namesOwners()) {
      SqlWhere o = w.part();
      anyOf(o, "r.resource_id", r.resourceIds());
      anyOf(o, "r.project_id", r.projectIds());
      anyOf(o, "r.user_id", r.userIds());
      anyOf(o, "r.source", r.sources());
      owners = "ARRAY(SELECT r.id FROM resource r" + o.sql() + ")";
    }
    return new Sql("SELECT " + meters + " AS meters, " + owners + " AS owners", w.binds());
  }

  private static void anyOf(SqlWhere w, String column, java.util.Set<String> values) {
    if (values != null) w.condition(column + " = ANY(" + w.bind(values.toArray(String[]::new)) + "::text[])");
  }

  /**
   * A range's samples, each series in ascending time (ties in insertion order), at most {@code
   * limit}, or null when nothing can match. With few owners, one walk of {@code (resource_pk,
   * timestamp)} per owner; else with meters, one walk of {@code (meter_id, timestamp)} per meter
   * definition, filtered on the owners; else the time index. Each walk stops after {@code limit} rows.
   */
  static Sql range(SampleRange r, Integer[] meters, Long[] owners, int limit) {
    if ((meters != null && meters.length == 0) || (owners != null && owners.length == 0)) return null;
    SqlWhere w = new SqlWhere(null);
    SqlWhere inner = w.part();
    String columns = SAMPLE_COLUMNS + ", s.metadata_id";
    String order = " ORDER BY s.timestamp, s.seq LIMIT " + w.bind(limit);
    String driver;
    if (owners != null && (meters == null || owners.length <= OWNER_WALKS)) {
      driver = "unnest(" + w.bind(owners) + "::bigint[])";
      inner.condition("s.resource_pk = d.id");
      if (meters != null) inner.condition("s.meter_id = ANY(" + w.bind(meters) + "::int[])");
    } else if (meters != null) {
      driver = "unnest(" + w.bind(meters) + "::int[])";
      inner.condition("s.meter_id = d.id");
      if (owners != null) inner.condition("s.resource_pk = ANY(" + w.bind(owners) + "::bigint[])");
    } else {
      inner.condition("s.timestamp >= " + w.bind(r.start()));
      inner.condition("s.timestamp <= " + w.bind(r.end()));
      return new Sql(columns + " FROM sample s" + SAMPLE_JOINS + inner.sql() + order, w.binds());
    }
    inner.condition("s.timestamp >= " + w.bind(r.start()));
    inner.condition("s.timestamp <= " + w.bind(r.end()));
    String n = "$" + 1; // the limit is the statement's first bind
    return new Sql(columns + " FROM " + driver + " AS d(id) CROSS JOIN LATERAL (SELECT s.* FROM sample s"
        + inner.sql() + order + ") s" + SAMPLE_JOINS + " LIMIT " + n, w.binds());
  }

  /** One sample by message id: the primary key, one probe per partition. */
  static Sql sample(java.util.UUID messageId) {
    return new Sql(SAMPLE_COLUMNS + " FROM sample s" + SAMPLE_JOINS
        + " WHERE s.message_id = $1 ORDER BY s.seq LIMIT 1", List.of(messageId));
  }

  // ---------------------------------------------------------------- series-based listings

  /**
   * The filter's owner and metadata conditions on owner {@code r} and metadata {@code md}; resolved
   * owners are matched on the column {@code owner} (the walked series' own, for its index).
   */
  private static void ownerAndMetadata(SqlWhere w, SampleFilter f, Resolved ids, String owner, String r, String md) {
    if (ids.owners() != null) w.condition(owner + " = ANY(" + w.bind(ids.owners()) + "::bigint[])");
    if (ids.manyOwners()) w.addOwnerFilter(f, r);
    w.addMetadataFilter(f, md);
  }

  /** The meter condition on series {@code se}, AND-ed, or nothing. */
  private static String meterMatch(SqlWhere w, Resolved ids, String se) {
    if (ids.meters() == null) return "";
    // one id keeps the (meter_id, first_seq) index in order; several (same name, other unit) cannot
    return ids.meters().length == 1 ? " AND " + se + ".meter_id = " + w.bind(ids.meters()[0])
        : " AND " + se + ".meter_id = ANY(" + w.bind(ids.meters()) + "::int[])";
  }

  private static String md(SampleFilter f, String alias) {
    return f.metadata().isEmpty() ? null : alias;
  }

  /**
   * The series {@code se} walked in {@code first_seq} order, with its owner {@code r} and, when
   * {@code md} is not null, its newest metadata {@code md}.
   */
  private static String walk(String se, String r, String md) {
    return " series " + se + lookup("resource", r, se + ".resource_pk")
        + (md == null ? "" : lookup("resource_metadata", md, se + ".last_metadata_id"));
  }

  /**
   * The series {@code se} meeting {@code seConditions} (on {@code se}, AND-ed) of every owner
   * {@code r} of the resource id {@code resourceId}, with their metadata {@code md} when not null:
   * owners through the resource_id index, then each owner's series through its index.
   */
  /** {@code AND <r>.project_id = ...} when the filter names a project (a non-admin's always does). */
  static String sameProject(SqlWhere w, SampleFilter f, String r) {
    if (f.projectId() == null) return "";
    if (SampleFilter.NULL.equals(f.projectId())) return " AND " + r + ".project_id IS NULL";
    return " AND " + r + ".project_id = " + w.bind(f.projectId());
  }

  private static String members(String r, String se, String md, String resourceId, String seConditions) {
    return " resource " + r + " CROSS JOIN LATERAL (SELECT * FROM series " + se + " WHERE " + se + ".resource_pk = "
        + r + ".id" + seConditions + " OFFSET 0) " + se
        + (md == null ? "" : lookup("resource_metadata", md, se + ".last_metadata_id"))
        + " WHERE " + r + ".resource_id = " + resourceId;
  }

  /**
   * Meters in first-stored order, or null when nothing can match. Unique: per meter definition,
   * its first matching series through {@code (meter_id, first_seq)}. Otherwise one per (meter,
   * resource id): series walked in {@code first_seq} order, keeping those no earlier matching
   * series of the same meter and resource id precedes; owner columns from the newest of them.
   */
  static Sql meters(JsonMapper json, SampleFilter f, Resolved ids, boolean unique, int limit) {
    if (ids.matchesNothing()) return null;
    SqlWhere w = new SqlWhere(json);
    if (unique) {
      SqlWhere first = w.part();
      ownerAndMetadata(first, f, ids, "se.resource_pk", "r", "md");
      String meters = ids.meters() == null ? "" : " WHERE m.id = ANY(" + w.bind(ids.meters()) + "::int[])";
      String sql = "SELECT m.name, m.type, m.unit, NULL AS resource_id, NULL AS project_id, NULL AS user_id,"
          + " NULL AS source FROM meter m CROSS JOIN LATERAL (SELECT se.first_seq FROM" + walk("se", "r", md(f, "md"))
          + " WHERE se.meter_id = m.id" + first.and() + " ORDER BY se.first_seq LIMIT 1) f" + meters
          + " ORDER BY f.first_seq LIMIT " + w.bind(limit);
      return new Sql(sql, w.binds());
    }
    String topMeter = meterMatch(w, ids, "se");
    SqlWhere top = w.part();
    ownerAndMetadata(top, f, ids, "se.resource_pk", "r", "md");
    SqlWhere earlier = w.part();
    ownerAndMetadata(earlier, f, ids, "r2.id", "r2", "md2");
    SqlWhere newest = w.part();
    ownerAndMetadata(newest, f, ids, "r3.id", "r3", "md3");
    String n = w.bind(limit);
    // the walk and its group check first, limited; the newest owner only for the rows returned
    String sql = "SELECT m.name, m.type, m.unit, se.resource_id, g.project_id, g.user_id, g.source FROM"
        + " (SELECT se.meter_id, se.first_seq, r.resource_id FROM" + walk("se", "r", md(f, "md"))
        + " WHERE TRUE" + topMeter + top.and()
        + " AND (SELECT bool_or(TRUE) FROM" + members("r2", "se2", md(f, "md2"), "r.resource_id",
            " AND se2.meter_id = se.meter_id AND se2.first_seq < se.first_seq") + earlier.and() + ") IS NULL"
        + " ORDER BY se.first_seq LIMIT " + n + ") se" + lookup("meter", "m", "se.meter_id")
        + " CROSS JOIN LATERAL (SELECT r3.project_id, r3.user_id, r3.source FROM"
        + members("r3", "se3", md(f, "md3"), "se.resource_id", " AND se3.meter_id = se.meter_id") + newest.and()
        + " ORDER BY se3.last_timestamp DESC LIMIT 1) g"
        + " ORDER BY se.first_seq LIMIT " + n;
    return new Sql(sql, w.binds());
  }

  /**
   * Resources (untimed filter) in first-stored order, or null when nothing can match: series
   * walked in {@code first_seq} order, keeping those no earlier matching series of the same
   * resource id precedes; time range, owner and metadata from all its matching series.
   */
  static Sql resources(JsonMapper json, SampleFilter f, Resolved ids, int limit) {
    if (ids.matchesNothing()) return null;
    SqlWhere w = new SqlWhere(json);
    String topMeter = meterMatch(w, ids, "se");
    SqlWhere top = w.part();
    ownerAndMetadata(top, f, ids, "se.resource_pk", "r", "md");
    String earlierMeter = meterMatch(w, ids, "se2");
    SqlWhere earlier = w.part();
    ownerAndMetadata(earlier, f, ids, "r2.id", "r2", "md2");
    String groupMeter = meterMatch(w, ids, "se3");
    SqlWhere group = w.part();
    ownerAndMetadata(group, f, ids, "r3.id", "r3", "md3");
    String newest = " ORDER BY se3.last_timestamp DESC, se3.first_seq DESC))[1]";
    String n = w.bind(limit);
    // the walk and its group check first, limited; the group's columns only for the rows returned
    String sql = "SELECT se.resource_id, g.first_ts, g.last_ts, g.user_id, g.project_id, g.source, g.doc,"
        // every meter of the resource, whatever the filter but its project (Ceilometer's meter_links;
        // a member must not learn the meters another project records for the same resource id)
        + " ARRAY(SELECT name FROM (SELECT (SELECT m4.name FROM meter m4 WHERE m4.id = se4.meter_id) AS name,"
        + " se4.first_seq FROM" + members("r4", "se4", null, "se.resource_id", "") + sameProject(w, f, "r4")
        + ") links GROUP BY name ORDER BY min(first_seq)) AS meters FROM"
        + " (SELECT se.first_seq, r.resource_id FROM" + walk("se", "r", md(f, "md"))
        + " WHERE TRUE" + topMeter + top.and()
        + " AND (SELECT bool_or(TRUE) FROM" + members("r2", "se2", md(f, "md2"), "r.resource_id",
            " AND se2.first_seq < se.first_seq" + earlierMeter) + earlier.and() + ") IS NULL"
        + " ORDER BY se.first_seq LIMIT " + n + ") se"
        + " CROSS JOIN LATERAL (SELECT min(se3.first_timestamp) AS first_ts, max(se3.last_timestamp) AS last_ts,"
        + " (array_agg(r3.user_id" + newest + " AS user_id, (array_agg(r3.project_id" + newest + " AS project_id,"
        + " (array_agg(r3.source" + newest + " AS source, (array_agg(md3.doc::text" + newest + " AS doc FROM"
        + members("r3", "se3", "md3", "se.resource_id", groupMeter) + group.and() + ") g"
        + " ORDER BY se.first_seq LIMIT " + n;
    return new Sql(sql, w.binds());
  }
}
