package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.Statistics;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Statistics from the rollups where they are exact, with the same answers as {@link
 * PostgresStatistics} (which serves everything else): the pieces {@link RollupPlanner} chose are
 * read as one {@code UNION ALL} of partial aggregates (a raw sample is a partial of one) and merged
 * in one {@code GROUP BY}. Count, sum, min, max and the first and last times merge directly; avg is
 * sum / count; the population stddev merges the pieces' squared deviations around the group's mean
 * (Chan et al.), so it does not cancel as {@code sumsq/n - mean^2} would.
 */
final class RollupStatistics {
  private RollupStatistics() {}

  static Flux<Statistics> compute(PostgresSampleReader reader, RollupPlanner planner, Statistics.Query q) {
    if (!RollupPlanner.eligible(q)) return PostgresStatistics.compute(reader, q);
    SampleFilter f = q.filter();
    // the filter's bounds as a half-open range of microseconds (PostgreSQL's precision)
    Long from = f.start() == null ? null : EpochMicros.of(f.start()) + (f.startInclusive() ? 0 : 1);
    Long to = f.end() == null ? null : EpochMicros.of(f.end()) + (f.endInclusive() ? 1 : 0);
    // what retention removed is read afresh for every query (the expirer is another process)
    if (q.period() == 0 || (f.start() != null && f.end() != null)) {
      return reader.horizons().flatMapMany(horizons -> closed(reader, planner, q, from, to, horizons));
    }
    // an open bound: windows start at the oldest matching sample / end at the newest. While every raw
    // sample is kept, each series' first and last timestamps are exact: one row per (meter, resource)
    // instead of every piece, read in the horizons' round trip. A series that ends before the range
    // has no sample in it; one that ends inside has its newest sample there (the same for the start).
    SqlWhere where = new SqlWhere(reader.json());
    String sql = "SELECT h.granularity, h.horizon, NULL::timestamptz AS lo, NULL::timestamptz AS hi"
        + " FROM retention_horizon h UNION ALL"
        + " SELECT NULL, NULL, min(x.first_timestamp), max(x.last_timestamp) FROM series x WHERE true"
        + (from == null ? "" : " AND x.last_timestamp >= " + where.bind(micros(from)))
        + (to == null ? "" : " AND x.first_timestamp < " + where.bind(micros(to)))
        + seriesConditions(f, where);
    return reader.query(sql, where.binds(), row -> new Object[] {row.get("granularity", Integer.class),
            row.get("horizon", OffsetDateTime.class), row.get("lo", OffsetDateTime.class),
            row.get("hi", OffsetDateTime.class)})
        .collectList()
        .flatMapMany(rows -> {
          Map<Long, Long> horizons = new HashMap<>();
          Instant[] series = {null, null};
          for (Object[] r : rows) {
            if (r[0] != null) {
              horizons.put(((Integer) r[0]).longValue(), EpochMicros.of(((OffsetDateTime) r[1]).toInstant()));
            } else {
              series = new Instant[] {PostgresSampleReader.instant((OffsetDateTime) r[2]),
                  PostgresSampleReader.instant((OffsetDateTime) r[3])};
            }
          }
          return open(reader, planner, q, from, to, horizons, series);
        });
  }

  /** No period, or both bounds given: the pieces follow from the range alone. */
  private static Flux<Statistics> closed(PostgresSampleReader reader, RollupPlanner planner, Statistics.Query q,
      Long from, Long to, Map<Long, Long> horizons) {
    if (q.period() == 0) {
      // no bounds and every raw sample still stored (rollup levels may have expired: the totals do not
      // depend on them): one row per series (its totals), not every bucket
      if (from == null && to == null && !horizons.containsKey(0L)) {
        return rows(reader, q, List.of(RollupPlanner.Piece.WHOLE_SERIES), null);
      }
      List<RollupPlanner.Piece> pieces = planner.cover(from, to, 0, 0, horizons);
      if (!RollupPlanner.usesRollups(pieces)) return PostgresStatistics.compute(reader, q);
      return rows(reader, q, pieces, null);
    }
    return windows(reader, planner, q, q.filter().start(), q.filter().end(), from, to, horizons);
  }

  /**
   * A period with an open bound, given the series' oldest and newest matching samples; where raw
   * samples have expired those are stale, and the pieces themselves are read for them instead.
   */
  private static Flux<Statistics> open(PostgresSampleReader reader, RollupPlanner planner, Statistics.Query q,
      Long from, Long to, Map<Long, Long> horizons, Instant[] series) {
    SampleFilter f = q.filter();
    List<RollupPlanner.Piece> all = planner.cover(from, to, 0, 0, horizons);
    if (!RollupPlanner.usesRollups(all)) return PostgresStatistics.compute(reader, q);
    Mono<Instant[]> bounds = Mono.just(series);
    if (horizons.containsKey(0L)) {
      SqlWhere where = new SqlWhere(reader.json());
      bounds = reader.query("SELECT min(p.tsmin) AS lo, max(p.tsmax) AS hi FROM ("
                  + union(f, all, RollupPlanner.allOwners(q), where) + ") p",
              where.binds(), row -> new Instant[] {
                  PostgresSampleReader.instant(row.get("lo", OffsetDateTime.class)),
                  PostgresSampleReader.instant(row.get("hi", OffsetDateTime.class))})
          .next();
    }
    return bounds.flatMapMany(b -> b[0] == null ? Flux.empty()
        : windows(reader, planner, q, f.start() != null ? f.start() : b[0], f.end() != null ? f.end() : b[1],
            from, to, horizons));
  }

  /** As {@link PostgresStatistics}: {@code ceil((last - origin) / period)} windows from origin. */
  private static Flux<Statistics> windows(PostgresSampleReader reader, RollupPlanner planner, Statistics.Query q,
      Instant origin, Instant last, Long from, Long to, Map<Long, Long> horizons) {
    long o = EpochMicros.of(origin);
    long span = EpochMicros.of(last) - o;
    if (span <= 0) return Flux.empty();
    long periodMicros = q.period() * 1_000_000L;
    long end = o + (span + periodMicros - 1) / periodMicros * periodMicros;
    List<RollupPlanner.Piece> pieces = planner.cover(from == null ? o : from, to == null ? end : Math.min(to, end),
        q.period(), o, horizons);
    if (!RollupPlanner.usesRollups(pieces)) return PostgresStatistics.compute(reader, q);
    return rows(reader, q, pieces, origin);
  }

  private static Flux<Statistics> rows(PostgresSampleReader reader, Statistics.Query q, List<RollupPlanner.Piece> pieces,
      Instant origin) {
    SqlWhere where = new SqlWhere(reader.json());
    String partials = union(q.filter(), pieces, RollupPlanner.allOwners(q), where);
    List<Statistics.Aggregate> aggregates = List.copyOf(new LinkedHashSet<>(q.aggregates()));
    boolean stddev = aggregates.stream().anyMatch(a -> a.function() == Statistics.Function.STDDEV);

    // q: one row per partial with its group's keys; the resource is joined only for the owner
    // columns a groupby or a cardinality needs (the owner filter is already inside the partials)
    List<String> keys = new ArrayList<>(List.of("unit"));
    List<String> inner = new ArrayList<>(List.of("m.unit AS unit", "p.n", "p.s", "p.mn", "p.mx",
        "p.tsmin", "p.tsmax", "p.first_seq"));
    if (stddev) inner.add("p.m2");
    for (Statistics.Aggregate a : aggregates) {
      // resource_id, user_id or project_id (Aggregate checks the param)
      if (a.function() == Statistics.Function.CARDINALITY && !inner.contains("r." + a.param())) {
        inner.add("r." + a.param());
      }
    }
    for (int i = 0; i < q.groupBy().size(); i++) {
      inner.add("r." + q.groupBy().get(i).field() + " AS g" + i); // resource_id, user_id or project_id
      keys.add("g" + i);
    }
    boolean owner = inner.stream().anyMatch(c -> c.startsWith("r."));
    String o = null;
    String window = null;
    if (origin != null) {
      // a bucket read where the raw samples are gone may start before the windows' origin (the oldest
      // sample, inside it): it belongs to the first window. Rows are grouped by their window's start
      // (date_bin: integer arithmetic on the timestamp); its number k is computed once per group.
      o = where.bind(origin);
      window = "date_bin(" + where.bind(q.period()) + " * interval '1 second', greatest(p.t, " + o + "), " + o + ")";
      keys.add("ws");
    }
    if (window != null) inner.add(window + " AS ws");
    String grouped = "SELECT " + String.join(", ", inner) + " FROM (" + partials + ") p"
        + " JOIN meter m ON m.id = p.meter_id" + (owner ? " JOIN resource r ON r.id = p.resource_pk" : "");
    if (stddev) {
      grouped = "SELECT q.*, sum(q.s) OVER w / sum(q.n::float8) OVER w AS mean FROM (" + grouped + ") q"
          + " WINDOW w AS (PARTITION BY " + String.join(", ", keys) + ")";
    }
    // toStatistics' columns: unit, groups, [k], times, aggregates (ws, grouped on, is read as k)
    List<String> select = new ArrayList<>(keys.subList(0, 1 + q.groupBy().size()));
    if (o != null) {
      select.add("floor(extract(epoch FROM ws - " + o + ") / " + where.bind(q.period()) + ")::bigint AS k");
    }
    select.addAll(List.of("min(tsmin) AS tsmin", "max(tsmax) AS tsmax"));
    if (aggregates.isEmpty()) {
      select.addAll(List.of("min(mn) AS min", "max(mx) AS max", "sum(s) AS sum", "sum(n)::bigint AS count"));
    } else {
      for (int i = 0; i < aggregates.size(); i++) select.add(aggregateSql(aggregates.get(i)) + " AS a" + i);
    }
    String sql = "SELECT " + String.join(", ", select) + " FROM (" + grouped + ") q GROUP BY "
        + String.join(", ", keys) + " ORDER BY " + (origin != null ? "k, " : "") + "min(first_seq)";
    Function<Readable, Statistics> row = r -> PostgresStatistics.toStatistics(r, q, aggregates, origin);
    // time bounds are what a generic plan cannot see (see statisticsQuery); without them it is the same plan
    boolean bounded = pieces.stream().anyMatch(p -> p.from() != null || p.to() != null);
    return bounded ? reader.statisticsQuery(sql, where.binds(), row) : reader.query(sql, where.binds(), row);
  }

  private static String aggregateSql(Statistics.Aggregate a) {
    return switch (a.function()) {
      case MAX -> "max(mx)";
      case MIN -> "min(mn)";
      case SUM -> "sum(s)";
      case AVG -> "sum(s) / sum(n)::float8";
      case COUNT -> "sum(n)::bigint";
      case STDDEV -> "sqrt(greatest(0, sum(m2 + n * (s / n - mean) ^ 2) / sum(n)::float8))";
      // resource_id, user_id or project_id: the owner's fields, kept by every partial
      case CARDINALITY -> "count(DISTINCT " + a.param() + ")";
    };
  }

  /**
   * The pieces as one relation of partial aggregates: meter_id, resource_pk, t (the time that picks
   * the window: the sample's, or the bucket's start), n, s, mn, mx, m2, tsmin, tsmax, first_seq.
   * The filter's owner and meter conditions are pushed into every branch. Rollup pieces read the
   * meters' all-owners rows when {@code allOwners} ({@link RollupPlanner#allOwners}: resource_pk is
   * then a shard, not a resource), else the series' rows; never both (see {@link
   * PostgresRollups#upsert}).
   */
  private static String union(SampleFilter f, List<RollupPlanner.Piece> pieces, boolean allOwners, SqlWhere where) {
    String series = seriesConditions(f, where);
    List<String> branches = new ArrayList<>();
    for (RollupPlanner.Piece piece : pieces) {
      if (piece.wholeSeries()) {
        branches.add(SeriesTotals.PARTIALS + series);
        continue;
      }
      String time = piece.raw() ? "x.timestamp" : "x.bucket";
      StringBuilder b = new StringBuilder(piece.raw()
          ? "SELECT x.meter_id, x.resource_pk, x.timestamp AS t, 1::bigint AS n, x.volume AS s, x.volume AS mn,"
              + " x.volume AS mx, 0::float8 AS m2, x.timestamp AS tsmin, x.timestamp AS tsmax, x.seq AS first_seq"
              + " FROM sample x WHERE true"
          : "SELECT x.meter_id, x.resource_pk, x.bucket AS t, x.count AS n, x.sum AS s, x.min AS mn, x.max AS mx,"
              + " x.m2, x.first_timestamp AS tsmin, x.last_timestamp AS tsmax, x.first_seq"
              + " FROM rollup x WHERE x.granularity = " + piece.granularity() + " AND "
              + (allOwners ? PostgresRollups.ALL_OWNERS : PostgresRollups.PER_SERIES));
      if (piece.from() != null) b.append(" AND ").append(time).append(" >= ").append(where.bind(micros(piece.from())));
      if (piece.to() != null) b.append(" AND ").append(time).append(" < ").append(where.bind(micros(piece.to())));
      branches.add(b.append(series).toString());
    }
    return String.join(" UNION ALL ", branches);
  }

  /**
   * The filter's meter and owner conditions on a relation aliased {@code x} with meter_id and
   * resource_pk, as {@code " AND ..."} sub-selects (empty when the filter names neither).
   */
  private static String seriesConditions(SampleFilter f, SqlWhere where) {
    List<String> meter = new ArrayList<>();
    equalsOrNull(where, meter, "m.name", f.meter());
    List<String> owner = new ArrayList<>();
    equalsOrNull(where, owner, "r.user_id", f.userId());
    equalsOrNull(where, owner, "r.project_id", f.projectId());
    equalsOrNull(where, owner, "r.resource_id", f.resourceId());
    equalsOrNull(where, owner, "r.source", f.source());
    return (meter.isEmpty() ? "" : " AND x.meter_id IN (SELECT m.id FROM meter m WHERE "
        + String.join(" AND ", meter) + ")")
        + (owner.isEmpty() ? "" : " AND x.resource_pk IN (SELECT r.id FROM resource r WHERE "
        + String.join(" AND ", owner) + ")");
  }

  private static void equalsOrNull(SqlWhere where, List<String> conditions, String column, String value) {
    if (value == null) return;
    conditions.add(SampleFilter.NULL.equals(value) ? column + " IS NULL" : column + " = " + where.bind(value));
  }

  private static Instant micros(long epochMicros) {
    return Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS);
  }
}
