package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.Statistics;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * Statistics as SQL aggregates over the raw samples: one {@code GROUP BY unit, groupby columns
 * [, window]} statement (plus one {@code min/max} statement when a period has an open bound).
 * Only fixed column names and aggregate functions are written into the SQL; values are bound.
 */
final class PostgresStatistics {
  private static final String FROM = """
       FROM sample s
      JOIN meter m ON m.id = s.meter_id
      JOIN resource r ON r.id = s.resource_pk
      JOIN resource_metadata md ON md.id = s.metadata_id""";

  private PostgresStatistics() {}

  static Flux<Statistics> compute(PostgresSampleReader reader, Statistics.Query q) {
    if (q.groupBy().contains(Statistics.GroupBy.SOURCE)) {
      // as Ceilometer's SQL driver: a NotImplementedError the API answers with 501
      return Flux.error(new UnsupportedOperationException("Unable to group by these fields"));
    }
    SampleFilter f = q.filter();
    if (q.period() == 0) return rows(reader, q, null, null);
    if (f.start() != null && f.end() != null) return windows(reader, q, f.start(), f.end());
    SqlWhere where = new SqlWhere(reader.json());
    if (!where.addFilter(f, "s", "md", true)) return Flux.empty();
    String sql = "SELECT min(s.timestamp) AS lo, max(s.timestamp) AS hi" + FROM + where.sql();
    return reader.query(sql, where.binds(), row -> new Instant[] {
            PostgresSampleReader.instant(row.get("lo", OffsetDateTime.class)),
            PostgresSampleReader.instant(row.get("hi", OffsetDateTime.class))})
        .next()
        .flatMapMany(b -> b[0] == null ? Flux.empty()
            : windows(reader, q, f.start() != null ? f.start() : b[0], f.end() != null ? f.end() : b[1]));
  }

  /** {@code ceil((end - start) / period)} windows from start; none when the range is empty. */
  private static Flux<Statistics> windows(PostgresSampleReader reader, Statistics.Query q, Instant start, Instant end) {
    long span = EpochMicros.of(end) - EpochMicros.of(start);
    if (span <= 0) return Flux.empty();
    long periodMicros = q.period() * 1_000_000L;
    long n = (span + periodMicros - 1) / periodMicros;
    return rows(reader, q, start, start.plus(n * periodMicros, ChronoUnit.MICROS));
  }

  private static Flux<Statistics> rows(PostgresSampleReader reader, Statistics.Query q, Instant lo, Instant hi) {
    SqlWhere where = new SqlWhere(reader.json());
    if (!where.addFilter(q.filter(), "s", "md", true)) return Flux.empty();
    // the columns in toStatistics' order: unit, groups, [k], times, aggregates
    List<String> select = new ArrayList<>(List.of("m.unit AS unit"));
    List<String> group = new ArrayList<>(List.of("m.unit"));
    for (int i = 0; i < q.groupBy().size(); i++) {
      String column = groupColumn(q.groupBy().get(i));
      select.add(column + " AS g" + i);
      group.add(column);
    }
    String window = null;
    if (lo != null) {
      String loParam = where.bind(lo);
      where.condition("s.timestamp >= " + loParam);
      where.condition("s.timestamp < " + where.bind(hi));
      window = "floor(extract(epoch FROM s.timestamp - " + loParam + ") / " + where.bind(q.period()) + ")::bigint";
      select.add(window + " AS k");
      group.add(window);
    }
    select.addAll(List.of("min(s.timestamp) AS tsmin", "max(s.timestamp) AS tsmax"));
    List<Statistics.Aggregate> aggregates = List.copyOf(new LinkedHashSet<>(q.aggregates()));
    if (aggregates.isEmpty()) {
      select.addAll(List.of("min(s.volume) AS min", "max(s.volume) AS max", "sum(s.volume) AS sum",
          "count(s.volume) AS count"));
    } else {
      for (int i = 0; i < aggregates.size(); i++) select.add(aggregateSql(aggregates.get(i)) + " AS a" + i);
    }
    String sql = "SELECT " + String.join(", ", select) + FROM + where.sql() + " GROUP BY "
        + String.join(", ", group) + " ORDER BY " + (window != null ? "k, " : "") + "min(s.seq)";
    return reader.query(sql, where.binds(), row -> toStatistics(row, q, aggregates, lo));
  }

  private static String groupColumn(Statistics.GroupBy g) {
    return switch (g) {
      case USER_ID -> "r.user_id";
      case RESOURCE_ID -> "r.resource_id";
      case PROJECT_ID -> "r.project_id";
      case SOURCE -> "r.source";
      case INSTANCE_TYPE -> "md.doc ->> 'instance_type'";
    };
  }

  private static String aggregateSql(Statistics.Aggregate a) {
    return switch (a.function()) {
      case MAX -> "max(s.volume)";
      case MIN -> "min(s.volume)";
      case SUM -> "sum(s.volume)";
      case AVG -> "avg(s.volume)";
      case COUNT -> "count(s.volume)";
      case STDDEV -> "stddev_pop(s.volume)";
      case CARDINALITY -> switch (a.param()) {
        case "resource_id" -> "count(DISTINCT r.resource_id)";
        case "user_id" -> "count(DISTINCT r.user_id)";
        case "project_id" -> "count(DISTINCT r.project_id)";
        default -> throw new IllegalArgumentException(a.param());
      };
    };
  }

  /**
   * Reads a row of {@code rows}' columns (also written by {@link RollupStatistics}), by position
   * (a lookup by name costs a lower-casing and a hash per column and row, a sizable share of a
   * 1,000-group answer): {@code unit}, {@code g0..g(n-1)} (one per groupby), {@code k} (the window's
   * number, only when {@code lo} is given), {@code tsmin}, {@code tsmax}, then {@code min, max, sum,
   * count} without selectable aggregates, else {@code a0..a(n-1)} in {@code aggregates}' order. The
   * rows' order (by their first sample) is the statement's alone: a column per row costs a buffer
   * slice in the driver whether read or not.
   *
   * <p>The standard avg is sum / count here, the same double as SQL's: PostgreSQL's {@code
   * avg(float8)} divides the plain running sum, which {@code sum(float8)} adds in the same order, by
   * the count as a float8, and the rollups' {@code sum(s) / sum(n)::float8} is that division.
   */
  static Statistics toStatistics(Readable row, Statistics.Query q, List<Statistics.Aggregate> aggregates,
      Instant lo) {
    List<Statistics.GroupBy> fields = q.groupBy();
    int c = 1;
    Map<String, String> groupBy = null;
    if (fields.size() == 1) {
      groupBy = Collections.singletonMap(fields.get(0).field(), row.get(c++, String.class)); // a value may be null
    } else if (!fields.isEmpty()) {
      groupBy = new LinkedHashMap<>();
      for (Statistics.GroupBy g : fields) groupBy.put(g.field(), row.get(c++, String.class));
    }
    Instant periodStart = null;
    if (lo != null) periodStart = lo.plusSeconds(row.get(c++, Long.class) * q.period());
    Instant tsmin = PostgresSampleReader.instant(row.get(c++, OffsetDateTime.class));
    Instant tsmax = PostgresSampleReader.instant(row.get(c++, OffsetDateTime.class));
    Double min = null, max = null, avg = null, sum = null;
    Long count = null;
    Map<String, Double> values = Map.of();
    if (aggregates.isEmpty()) {
      min = row.get(c++, Double.class);
      max = row.get(c++, Double.class);
      sum = row.get(c++, Double.class);
      count = row.get(c, Long.class);
      avg = sum == null || count == null || count == 0 ? null : sum / count; // SQL's avg of no value is null
    } else {
      values = new LinkedHashMap<>();
      for (Statistics.Aggregate a : aggregates) {
        Number v = row.get(c++, Number.class);
        Double d = v == null ? null : v.doubleValue();
        values.put(a.key(), d);
        switch (a.function()) {
          case MAX -> max = d;
          case MIN -> min = d;
          case SUM -> sum = d;
          case AVG -> avg = d;
          case COUNT -> count = v == null ? null : v.longValue();
          default -> { }
        }
      }
    }
    Instant periodEnd = tsmax;
    if (periodStart == null) {
      periodStart = tsmin;
    } else {
      periodEnd = periodStart.plusSeconds(q.period());
    }
    return new Statistics(groupBy, row.get(0, String.class), min, max, avg, sum, count, values, tsmin, tsmax,
        q.period(), periodStart, periodEnd);
  }
}
