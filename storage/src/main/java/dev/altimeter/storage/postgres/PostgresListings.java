package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleFilter;
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

  // ---------------------------------------------------------------- samples

  static final String SAMPLE_COLUMNS = """
      SELECT s.message_id, m.name, m.type, m.unit, s.volume, r.user_id, r.project_id, r.resource_id,
             r.source, s.timestamp, s.recorded_at, md.doc::text AS doc, s.message_signature""";

  private static final String SAMPLE_JOINS = """

      JOIN meter m ON m.id = s.meter_id
      JOIN resource r ON r.id = s.resource_pk
      JOIN resource_metadata md ON md.id = s.metadata_id""";

  /**
   * Samples newest first (ties in insertion order), or null when nothing can match. With resolved
   * owners, one walk of {@code (resource_pk, timestamp DESC)} per owner; else with a meter, one
   * walk of {@code (meter_id, timestamp DESC)} per meter definition; else the {@code (timestamp
   * DESC, seq)} index. Each walk stops after {@code limit} matching rows.
   */
  static Sql samples(JsonMapper json, SampleFilter f, Resolved ids, int limit) {
    if (ids.matchesNothing()) return null;
    SqlWhere w = new SqlWhere(json);
    String driver;
    String column;
    if (f.messageId() != null || (ids.owners() == null && ids.meters() == null)) {
      // a message id is its own index (the primary key); no dictionary filter: the time index
      if (!w.addFilter(f, "s", "md", true)) return null;
      return new Sql(SAMPLE_COLUMNS + " FROM sample s" + SAMPLE_JOINS + w.sql()
          + " ORDER BY s.timestamp DESC, s.seq LIMIT " + w.bind(limit), w.binds());
    }
    SqlWhere inner = w.part();
    if (ids.owners() != null) {
      driver = "unnest(" + w.bind(ids.owners()) + "::bigint[])";
      column = "s.resource_pk";
      if (ids.meters() != null) inner.condition("s.meter_id = ANY(" + w.bind(ids.meters()) + "::int[])");
    } else {
      driver = "unnest(" + w.bind(ids.meters()) + "::int[])";
      column = "s.meter_id";
    }
    inner.condition(column + " = d.id");
    String joins = "";
    if (ids.manyOwners()) {
      joins += " JOIN resource r ON r.id = s.resource_pk";
      inner.addOwnerFilter(f, "r");
    }
    if (!f.metadata().isEmpty()) {
      joins += " JOIN resource_metadata md ON md.id = s.metadata_id";
      inner.addMetadataFilter(f, "md");
    }
    inner.addTimeFilter(f, "s");
    String n = w.bind(limit);
    return new Sql(SAMPLE_COLUMNS + " FROM " + driver + " AS d(id) CROSS JOIN LATERAL (SELECT s.* FROM sample s"
        + joins + inner.sql() + " ORDER BY s.timestamp DESC, s.seq LIMIT " + n + ") s" + SAMPLE_JOINS
        + " ORDER BY s.timestamp DESC, s.seq LIMIT " + n, w.binds());
  }

  /** One sample by message id: the primary key, one probe per partition. */
  static Sql sample(java.util.UUID messageId) {
    return new Sql(SAMPLE_COLUMNS + " FROM sample s" + SAMPLE_JOINS
        + " WHERE s.message_id = $1 ORDER BY s.seq LIMIT 1", List.of(messageId));
  }

  // ---------------------------------------------------------------- series-based listings

  /**
   * Conditions a series row {@code se} (owner {@code r}, newest metadata {@code md}) must meet to
   * match the filter; the meter is left to the caller (a group shares it, or it is the driver).
   */
  private static void seriesMatch(SqlWhere w, SampleFilter f, Resolved ids, String se, String r, String md) {
    if (ids.owners() != null) w.condition(se + ".resource_pk = ANY(" + w.bind(ids.owners()) + "::bigint[])");
    if (ids.manyOwners()) w.addOwnerFilter(f, r);
    w.addMetadataFilter(f, md);
  }

  private static String md(SampleFilter f, String alias) {
    return f.metadata().isEmpty() ? null : alias;
  }

  private static String meterMatch(SqlWhere w, Resolved ids, String se) {
    if (ids.meters() == null) return "";
    // one id keeps the (meter_id, first_seq) index in order; several (same name, other unit) cannot
    return ids.meters().length == 1 ? " AND " + se + ".meter_id = " + w.bind(ids.meters()[0])
        : " AND " + se + ".meter_id = ANY(" + w.bind(ids.meters()) + "::int[])";
  }

  /**
   * The FROM of series {@code se} with its owner {@code r} and, when {@code md} is not null, its
   * newest metadata {@code md} (joined only when read: each join is a lookup per row).
   */
  private static String series(String se, String r, String md) {
    return " series " + se + " JOIN resource " + r + " ON " + r + ".id = " + se + ".resource_pk"
        + (md == null ? "" : " JOIN resource_metadata " + md + " ON " + md + ".id = " + se + ".last_metadata_id");
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
      seriesMatch(first, f, ids, "se", "r", "md");
      String meters = ids.meters() == null ? "" : " WHERE m.id = ANY(" + w.bind(ids.meters()) + "::int[])";
      String sql = "SELECT m.name, m.type, m.unit, NULL AS resource_id, NULL AS project_id, NULL AS user_id,"
          + " NULL AS source FROM meter m CROSS JOIN LATERAL (SELECT se.first_seq FROM" + series("se", "r", md(f, "md"))
          + " WHERE se.meter_id = m.id" + first.and() + " ORDER BY se.first_seq LIMIT 1) f" + meters
          + " ORDER BY f.first_seq LIMIT " + w.bind(limit);
      return new Sql(sql, w.binds());
    }
    SqlWhere top = w.part();
    seriesMatch(top, f, ids, "se", "r", "md");
    String topMeter = meterMatch(w, ids, "se");
    SqlWhere earlier = w.part();
    seriesMatch(earlier, f, ids, "se2", "r2", "md2");
    SqlWhere newest = w.part();
    seriesMatch(newest, f, ids, "se3", "r3", "md3");
    String sql = "SELECT m.name, m.type, m.unit, r.resource_id, g.project_id, g.user_id, g.source FROM"
        + series("se", "r", md(f, "md")) + " JOIN meter m ON m.id = se.meter_id"
        + " CROSS JOIN LATERAL (SELECT r3.project_id, r3.user_id, r3.source FROM" + series("se3", "r3", md(f, "md3"))
        + " WHERE r3.resource_id = r.resource_id AND se3.meter_id = se.meter_id" + newest.and()
        + " ORDER BY se3.last_timestamp DESC LIMIT 1) g"
        + " WHERE TRUE" + topMeter + top.and()
        + " AND (SELECT TRUE FROM" + series("se2", "r2", md(f, "md2"))
        + " WHERE r2.resource_id = r.resource_id AND se2.meter_id = se.meter_id AND se2.first_seq < se.first_seq"
        + earlier.and() + " LIMIT 1) IS NULL"
        + " ORDER BY se.first_seq LIMIT " + w.bind(limit);
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
    SqlWhere top = w.part();
    seriesMatch(top, f, ids, "se", "r", "md");
    String topMeter = meterMatch(w, ids, "se");
    SqlWhere earlier = w.part();
    seriesMatch(earlier, f, ids, "se2", "r2", "md2");
    String earlierMeter = meterMatch(w, ids, "se2");
    SqlWhere group = w.part();
    seriesMatch(group, f, ids, "se3", "r3", "md3");
    String groupMeter = meterMatch(w, ids, "se3");
    String newest = " ORDER BY se3.last_timestamp DESC, se3.first_seq DESC))[1]";
    String sql = "SELECT r.resource_id, g.first_ts, g.last_ts, g.user_id, g.project_id, g.source, g.doc,"
        // every meter of the resource, whatever the filter (Ceilometer's meter_links)
        + " ARRAY(SELECT m4.name FROM series se4 JOIN resource r4 ON r4.id = se4.resource_pk"
        + " JOIN meter m4 ON m4.id = se4.meter_id WHERE r4.resource_id = r.resource_id"
        + " GROUP BY m4.name ORDER BY min(se4.first_seq)) AS meters FROM" + series("se", "r", md(f, "md"))
        + " CROSS JOIN LATERAL (SELECT min(se3.first_timestamp) AS first_ts, max(se3.last_timestamp) AS last_ts,"
        + " (array_agg(r3.user_id" + newest + " AS user_id, (array_agg(r3.project_id" + newest + " AS project_id,"
        + " (array_agg(r3.source" + newest + " AS source, (array_agg(md3.doc::text" + newest + " AS doc FROM"
        + series("se3", "r3", "md3") + " WHERE r3.resource_id = r.resource_id" + groupMeter + group.and() + ") g"
        + " WHERE TRUE" + topMeter + top.and()
        + " AND (SELECT TRUE FROM" + series("se2", "r2", md(f, "md2"))
        + " WHERE r2.resource_id = r.resource_id AND se2.first_seq < se.first_seq" + earlierMeter + earlier.and()
        + " LIMIT 1) IS NULL"
        + " ORDER BY se.first_seq LIMIT " + w.bind(limit);
    return new Sql(sql, w.binds());
  }
}
