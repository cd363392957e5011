package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleRange;
import java.util.List;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The listing statements of {@link PostgresSampleReader} (samples, meters, resources), written so
 * that their plan reads about {@code limit} rows whatever the filter matches and whatever the
 * planner's statistics say (the tables may never have been analysed).
 *
 * <p>How: the filter's dictionary values (meter name; resource, user, project, source) are first
 * resolved to their ids on the small dictionary tables ({@link #resolution}). An empty resolution
 * answers without reading a sample. Otherwise each listing reads the big tables only through an
 * index whose order is the listing's order, one index walk per resolved id ({@code LATERAL ...
 * LIMIT n}), so no plan can choose to filter a joined table row by row. Group rules ("first of its
 * group", "newest of its group") are correlated subqueries ({@code LATERAL}) per walked or returned
 * row, which PostgreSQL never turns into hash joins.
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

  static Mono<Resolved> resolve(PostgresSampleReader reader, SampleFilter f) {
    Sql sql = resolution(reader.json(), f);
    if (sql == null) return Mono.just(Resolved.NOTHING_NAMED);
    return reader.query(sql.text(), sql.binds(), row -> {
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
   * DESC, seq)} index. Each walk stops after {@code limit} matching rows. The rows carry {@code
   * seq} and {@code metadata_id} besides {@link #SAMPLE_COLUMNS}.
   */
  static Sql samples(JsonMapper json, SampleFilter f, Resolved ids, int limit) {
    if (ids.matchesNothing()) return null;
    SqlWhere w = new SqlWhere(json);
    String order = " ORDER BY s.timestamp DESC, s.seq LIMIT ";
    if (f.messageId() != null || (ids.owners() == null && ids.meters() == null)) {
      // a message id is its own index (the primary key); otherwise the time index, filtered
      if (!w.addFilter(f, "s", "md", true)) return null;
      return new Sql(LISTED_COLUMNS + " FROM sample s" + SAMPLE_JOINS + w.sql() + order + w.bind(limit), w.binds());
    }
    SqlWhere inner = w.part();
    String driver;
    if (ids.owners() != null) {
      driver = "unnest(" + w.bind(ids.owners()) + "::bigint[])";
      inner.condition("s.resource_pk = d.id");
      // + 0: the owner's (resource_pk, timestamp) walk; without it and without statistics the
      // planner may read all of the meter's samples through (meter_id, timestamp) filtered on the owner.
      // COALESCE(.., FALSE) (the same rows): PostgreSQL guesses 0.5 of the rows pass an expression it
      // has no statistics for, where it guesses 0.005 for the bare "= ANY"; with 0.005 it expects the
      // walk to read all of the owner's samples for `limit` and reads them all with a bitmap scan and
      // a sort instead (10,000 per owner at 10 M samples; docs/benchmarks.md, issue 13's listings)
      if (ids.meters() != null) {
        inner.condition("COALESCE(s.meter_id + 0 = ANY(" + w.bind(ids.meters()) + "::int[]), FALSE)");
      }
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
    return new Sql(LISTED_COLUMNS + " FROM " + driver + " AS d(id) CROSS JOIN LATERAL (SELECT s.* FROM sample s"
        + joins + inner.sql() + order + n + ") s" + SAMPLE_JOINS + order + n, w.binds());
  }

  /** {@link #SAMPLE_COLUMNS} and what a listing's reader needs besides: the order's tie-break, the document's id. */
  private static final String LISTED_COLUMNS = SAMPLE_COLUMNS + ", s.seq, s.metadata_id";

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
    String columns = LISTED_COLUMNS;
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
    return new Sql(LISTED_COLUMNS + " FROM sample s" + SAMPLE_JOINS
        + " WHERE s.message_id = $1 ORDER BY s.seq LIMIT 1", List.of(messageId));
  }

  // ---------------------------------------------------------------- series-based listings

  /**
   * The filter's owner and metadata conditions on owner {@code r} and metadata {@code md}; resolved
   * owners are matched on the column {@code owner} (the walked series' own, for its index).
   */
  private static void ownerAndMetadata(SqlWhere w, SampleFilter f, Resolved ids, String owner, String r, String md) {
    ownerConditions(w, f, ids, owner, r);
    w.addMetadataFilter(f, md);
  }

  /**
   * The meter condition on series {@code se}, AND-ed, or nothing. When the meter {@code drives} the
   * walk it is written for the {@code (meter_id, first_seq)} index; otherwise (the series are those
   * of one owner, found through {@code (resource_pk, first_seq)}) as {@code meter_id + 0}, which no
   * index serves: with statistics left by other data the planner may otherwise walk all of a
   * meter's series to find one owner's.
   */
  private static String meterMatch(SqlWhere w, Resolved ids, String se, boolean drives) {
    if (ids.meters() == null) return "";
    String column = se + ".meter_id" + (drives ? "" : " + 0");
    // one id keeps the (meter_id, first_seq) index in order; several (same name, other unit) cannot
    return ids.meters().length == 1 ? " AND " + column + " = " + w.bind(ids.meters()[0])
        : " AND " + column + " = ANY(" + w.bind(ids.meters()) + "::int[])";
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

  /** {@code AND <r>.project_id = ...} when the filter names a project (a non-admin's always does). */
  static String sameProject(SqlWhere w, SampleFilter f, String r) {
    if (f.projectId() == null) return "";
    if (SampleFilter.NULL.equals(f.projectId())) return " AND " + r + ".project_id IS NULL";
    return " AND " + r + ".project_id = " + w.bind(f.projectId());
  }

  /**
   * The series {@code se} meeting {@code seConditions} (on {@code se}, AND-ed) of every owner
   * {@code r} of the resource id {@code resourceId}, with their metadata {@code md} when not null:
   * owners through the resource_id index, then each owner's series through its index.
   */
  private static String members(String r, String se, String md, String resourceId, String seConditions) {
    return owners(r, resourceId) + " CROSS JOIN LATERAL (SELECT * FROM series " + se + " WHERE " + se
        + ".resource_pk = " + r + ".id" + seConditions + " OFFSET 0) " + se
        + (md == null ? "" : lookup("resource_metadata", md, se + ".last_metadata_id")) + " WHERE TRUE";
  }

  /**
   * The owners {@code r} of the resource id {@code resourceId}, looked up by their index whatever
   * surrounds them: fenced ({@code OFFSET 0}), so an enclosing {@code LIMIT 1} cannot make a
   * sequential scan that "finds a row early" look cheaper (it reads the whole table when there is
   * none).
   */
  private static String owners(String r, String resourceId) {
    return " (SELECT * FROM resource WHERE resource_id = " + resourceId + " OFFSET 0) " + r;
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
          // (meter_id, first_seq): the order only (meter_id, first_seq) gives, so no statistics can make
          // the planner walk all series in first_seq order filtering on the meter
          + " WHERE se.meter_id = m.id" + first.and() + " ORDER BY se.meter_id, se.first_seq LIMIT 1) f" + meters
          + " ORDER BY f.first_seq LIMIT " + w.bind(limit);
      return new Sql(sql, w.binds());
    }
    String topMeter = meterMatch(w, ids, "se", ids.owners() == null);
    SqlWhere top = w.part();
    ownerAndMetadata(top, f, ids, "se.resource_pk", "r", "md");
    SqlWhere group = w.part();
    ownerConditions(group, f, ids, "r2.id", "r2");
    SqlWhere other = w.part();
    other.condition("r2.id <> se.resource_pk"); // a one-time filter: no read for the walked series' own owner
    other.condition("se2.resource_pk = r2.id");
    // + 0: the owner's series through (resource_pk, first_seq); statistics left by other data can make
    // (meter_id, first_seq) filtered on the owner look cheaper, and that reads every series of the meter
    other.condition("se2.meter_id + 0 = se.meter_id");
    other.addMetadataFilter(f, "md2");
    // the walked series' group (its meter's matching series of every owner of its resource id; the
    // walked series itself stands for its own owner's): whether one was stored earlier, and which
    // owner has the newest sample (ties: the later first-stored)
    String groupOf = " CROSS JOIN LATERAL (SELECT bool_or(x.first_seq < se.first_seq) AS earlier, (array_agg(r2.id"
        + " ORDER BY x.last_timestamp DESC, x.first_seq DESC))[1] AS newest FROM" + owners("r2", "r.resource_id")
        + " CROSS JOIN LATERAL (SELECT se2.first_seq, se2.last_timestamp FROM series se2"
        + (md(f, "md2") == null ? "" : lookup("resource_metadata", "md2", "se2.last_metadata_id")) + other.sql()
        + " UNION ALL SELECT se.first_seq, se.last_timestamp WHERE r2.id = se.resource_pk) x WHERE TRUE" + group.and()
        + ") g";
    String n = w.bind(limit);
    // the group is read for the walked series only, the newest owner's row for the returned ones
    String sql = "SELECT m.name, m.type, m.unit, se.resource_id, o.project_id, o.user_id, o.source FROM"
        + walked(w, ids, "se.meter_id, se.first_seq, r.resource_id, g.newest", walk("se", "r", md(f, "md")) + groupOf,
            topMeter + top.and() + " AND NOT g.earlier", n)
        + lookup("meter", "m", "se.meter_id") + lookup("resource", "o", "se.newest")
        + " ORDER BY se.first_seq LIMIT " + n;
    return new Sql(sql, w.binds());
  }

  /**
   * Resources in first-stored order, or null when nothing can match: series walked in {@code
   * first_seq} order (meter and owner conditions), keeping the first of each resource id. Untimed,
   * the group's time range, newest owner and metadata come from its matching series (metadata
   * conditions on a series' newest document). With a time window, a resource is kept when one of
   * its owners has a matching sample in the window (metadata conditions on the samples'), checked
   * only for the first series of each resource id, and its time range, newest owner and metadata
   * come from its oldest and newest matching samples in the window: one index probe each per owner.
   * The order is the resources' first-stored order either way.
   */
  static Sql resources(JsonMapper json, SampleFilter f, Resolved ids, int limit) {
    if (ids.matchesNothing()) return null;
    boolean timed = f.start() != null || f.end() != null;
    if (!timed && ids.meters() == null && f.metadata().isEmpty()) return spanResources(json, f, ids, limit);
    SqlWhere w = new SqlWhere(json);
    String topMeter = meterMatch(w, ids, "se", ids.owners() == null);
    SqlWhere top = w.part();
    ownerConditions(top, f, ids, "se.resource_pk", "r");
    if (!timed) top.addMetadataFilter(f, "md");
    String earlierMeter = meterMatch(w, ids, "se2", false);
    SqlWhere earlier = w.part();
    ownerConditions(earlier, f, ids, "r2.id", "r2");
    if (!timed) earlier.addMetadataFilter(f, "md2");
    // no earlier matching series of the same resource id: a scalar subquery (never pulled up into a
    // join) that stops at the first row
    String keep = "(SELECT TRUE FROM" + members("r2", "se2", timed ? null : md(f, "md2"), "r.resource_id",
        " AND se2.first_seq < se.first_seq" + earlierMeter) + earlier.and() + " LIMIT 1) IS NULL";
    SqlWhere group = w.part();
    ownerConditions(group, f, ids, "r3.id", "r3");
    String summary;
    if (timed) {
      SqlWhere any = w.part();
      ownerConditions(any, f, ids, "r5.id", "r5");
      String inWindow = "(SELECT TRUE FROM" + owners("r5", "r.resource_id") + " WHERE TRUE" + any.and() + " AND "
          + windowed(w, f, ids, "s5", "md5", "r5.id", "TRUE", null) + " LIMIT 1) IS NOT NULL";
      keep = "CASE WHEN " + keep + " THEN " + inWindow + " ELSE FALSE END"; // in this order
      String range = "SELECT min(" + windowed(w, f, ids, "s3", "md3", "r3.id", "s3.timestamp", "s3.timestamp") + ")"
          + " FROM" + owners("r3", "se.resource_id") + " WHERE TRUE" + group.and();
      String newest = "SELECT r3.id AS owner, n.last_ts, n.metadata_id FROM" + owners("r3", "se.resource_id")
          + " CROSS JOIN LATERAL (SELECT s3.timestamp AS last_ts, s3.seq, s3.metadata_id FROM sample s3"
          + sampleMatch(w, f, ids, "s3", "md3", "r3.id") + " ORDER BY s3.timestamp DESC, s3.seq DESC LIMIT 1) n"
          + " WHERE TRUE" + group.and() + " ORDER BY n.last_ts DESC, n.seq DESC LIMIT 1";
      summary = "SELECT (" + range + ") AS first_ts, nw.last_ts, nw.owner, nw.metadata_id, ARRAY(SELECT se4.meter_id FROM"
          + members("r4", "se4", null, "se.resource_id", "") + sameProject(w, f, "r4")
          + " ORDER BY se4.first_seq) AS meters FROM (" + newest + ") nw";
    } else {
      String groupMeter = meterMatch(w, ids, "se3", false);
      group.addMetadataFilter(f, "md3");
      summary = seriesSummary(w, f, groupMeter + group.and(), md(f, "md3"));
    }
    String n = w.bind(limit);
    return new Sql(resourceRows(walked(w, ids, "se.first_seq, r.resource_id",
        walk("se", "r", timed ? null : md(f, "md")), topMeter + top.and() + " AND " + keep, n), summary, n),
        w.binds());
  }

  /**
   * The resources listing's rows: {@code walk} ({@code se}: {@code first_seq} and {@code
   * resource_id} of the first matching series or span of each resource id, at most {@code n}), then
   * for those only their {@code summary} ({@code g}: the group's time range {@code first_ts,
   * last_ts}, newest {@code owner} and {@code metadata_id}, and its {@code meters}' ids in
   * first-stored order).
   */
  private static String resourceRows(String walk, String summary, String n) {
    return "SELECT se.resource_id, g.first_ts, g.last_ts, o.user_id, o.project_id, o.source, g.metadata_id,"
        + " (SELECT md.doc::text FROM resource_metadata md WHERE md.id = g.metadata_id) AS doc,"
        // a name repeats once per definition (type, unit) and owner: the reader keeps its first
        + " ARRAY(SELECT m.name FROM unnest(g.meters) WITH ORDINALITY AS u(id, i) JOIN meter m ON m.id = u.id"
        + " ORDER BY u.i) AS meters FROM" + walk + " CROSS JOIN LATERAL (" + summary + ") g"
        + lookup("resource", "o", "g.owner") + " ORDER BY se.first_seq LIMIT " + n;
  }

  /**
   * A resource's summary for {@link #resourceRows} from the series of its owners, in one pass: every
   * series of an owner in the filter's project gives the meters (Ceilometer's meter_links: every
   * meter of the resource whatever the rest of the filter; a member must not learn the meters
   * another project records for the same resource id); those meeting {@code group} ({@code " AND
   * ..."} on {@code r3}, {@code se3} and, when not null, the newest metadata {@code md3}; empty: all)
   * give the range, the newest owner and metadata (the series with the newest sample; ties: the
   * later first-stored).
   */
  private static String seriesSummary(SqlWhere w, SampleFilter f, String group, String md3) {
    String only = group.isEmpty() ? "" : " FILTER (WHERE TRUE" + group + ")";
    String newest = " ORDER BY se3.last_timestamp DESC, se3.first_seq DESC)" + only + ")[1]";
    return "SELECT min(se3.first_timestamp)" + only + " AS first_ts, max(se3.last_timestamp)" + only + " AS last_ts,"
        + " (array_agg(se3.resource_pk" + newest + " AS owner, (array_agg(se3.last_metadata_id" + newest
        + " AS metadata_id, array_agg(se3.meter_id ORDER BY se3.first_seq) AS meters FROM"
        + members("r3", "se3", md3, "se.resource_id", "") + sameProject(w, f, "r3");
  }

  /**
   * {@link #resources} without a meter, metadata or time condition: the owners' first-stored
   * positions ({@code resource_span}, one row per owner, kept at write time; see {@link
   * ResourceSpans}) walked in {@code first_seq} order instead of every series, keeping the first
   * span of each resource id (one index probe of its owners each); the group's range, newest owner
   * and meters then from the listed resources' series only. So a page reads about {@code limit}
   * spans and the series of the resources it lists. Same answer as the series walk: a span's
   * position is its owner's first series'.
   */
  private static Sql spanResources(JsonMapper json, SampleFilter f, Resolved ids, int limit) {
    SqlWhere w = new SqlWhere(json);
    SqlWhere top = w.part();
    ownerConditions(top, f, ids, "se.resource_pk", "r");
    SqlWhere earlier = w.part();
    ownerConditions(earlier, f, ids, "r2.id", "r2");
    SqlWhere group = w.part();
    ownerConditions(group, f, ids, "r3.id", "r3");
    // an owner has one span: the walked one is its own owner's (a one-time filter skips that probe)
    String keep = "(SELECT TRUE FROM" + owners("r2", "r.resource_id") + " CROSS JOIN LATERAL (SELECT 1 FROM"
        + " resource_span sp2 WHERE r2.id <> se.resource_pk AND sp2.resource_pk = r2.id"
        + " AND sp2.first_seq < se.first_seq OFFSET 0) sp2"
        + " WHERE TRUE" + earlier.and() + " LIMIT 1) IS NULL";
    String summary = seriesSummary(w, f, group.and(), null);
    String n = w.bind(limit);
    // the span walks as "se": the series walk's alias, for walked() and resourceRows()
    String walk = walked(w, ids, "se.first_seq, r.resource_id", " resource_span se" + lookup("resource", "r",
        "se.resource_pk"), top.and() + " AND " + keep, n);
    return new Sql(resourceRows(walk, summary, n), w.binds());
  }

  /**
   * {@code (SELECT columns FROM from WHERE TRUE conditions ORDER BY se.first_seq LIMIT n) se}: the
   * series walk, in first-stored order. With resolved owners, one walk of {@code (resource_pk,
   * first_seq)} per owner, merged: reads at most {@code n} matching series of each, however many
   * series other owners have.
   */
  private static String walked(SqlWhere w, Resolved ids, String columns, String from, String conditions, String n) {
    String one = "SELECT " + columns + " FROM" + from + " WHERE TRUE" + conditions;
    if (ids.owners() == null) return " (" + one + " ORDER BY se.first_seq LIMIT " + n + ") se";
    return " (SELECT walk.* FROM unnest(" + w.bind(ids.owners()) + "::bigint[]) AS d(id) CROSS JOIN LATERAL (" + one
        + " AND se.resource_pk = d.id ORDER BY se.first_seq LIMIT " + n + ") walk ORDER BY walk.first_seq LIMIT " + n
        + ") se";
  }

  /** The owner conditions of {@link #ownerAndMetadata}, without the metadata's. */
  private static void ownerConditions(SqlWhere w, SampleFilter f, Resolved ids, String owner, String r) {
    if (ids.owners() != null) w.condition(owner + " = ANY(" + w.bind(ids.owners()) + "::bigint[])");
    if (ids.manyOwners()) w.addOwnerFilter(f, r);
  }

  /**
   * {@code [metadata lookup] WHERE ...}: the samples {@code s} of owner {@code owner} in the filter's
   * time window, of its meters, with its metadata (looked up as {@code md}).
   */
  private static String sampleMatch(SqlWhere w, SampleFilter f, Resolved ids, String s, String md, String owner) {
    SqlWhere c = w.part();
    c.condition(s + ".resource_pk = " + owner);
    // + 0: one owner's samples through (resource_pk, timestamp), never all of a meter's
    if (ids.meters() != null) c.condition(s + ".meter_id + 0 = ANY(" + w.bind(ids.meters()) + "::int[])");
    c.addTimeFilter(f, s);
    c.addMetadataFilter(f, md);
    return (f.metadata().isEmpty() ? "" : lookup("resource_metadata", md, s + ".metadata_id")) + c.sql();
  }

  /** A scalar subquery: {@code column} of the first of {@link #sampleMatch}'s samples in {@code order}. */
  private static String windowed(SqlWhere w, SampleFilter f, Resolved ids, String s, String md, String owner,
      String column, String order) {
    return "(SELECT " + column + " FROM sample " + s + sampleMatch(w, f, ids, s, md, owner)
        + (order == null ? "" : " ORDER BY " + order) + " LIMIT 1)";
  }
}
