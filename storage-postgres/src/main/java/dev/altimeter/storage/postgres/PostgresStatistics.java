package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.Statistics;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
    List<String> select = new ArrayList<>(List.of("m.unit AS unit", "min(s.timestamp) AS tsmin",
        "max(s.timestamp) AS tsmax", "min(s.seq) AS first_seq"));
    List<String> group = new ArrayList<>(List.of("m.unit"));
    for (int i = 0; i < q.groupBy().size(); i++) {
      String column = groupColumn(q.groupBy().get(i));
      select.add(column + " AS g" + i);
      group.add(column);
    }
    List<Statistics.Aggregate> aggregates = List.copyOf(new LinkedHashSet<>(q.aggregates()));
    if (aggregates.isEmpty()) {
      select.addAll(List.of("min(s.volume) AS min", "max(s.volume) AS max", "avg(s.volume) AS avg",
          "sum(s.volume) AS sum", "count(s.volume) AS count"));
    } else {
      for (int i = 0; i < aggregates.size(); i++) select.add(aggregateSql(aggregates.get(i)) + " AS a" + i);
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
    String sql = "SELECT " + String.join(", ", select) + FROM + where.sql() + " GROUP BY "
        + String.join(", ", group) + " ORDER BY " + (window != null ? "k, " : "") + "first_seq";
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

  /** Reads a row of {@code rows}' columns (also written by {@link RollupStatistics}). */
  static Statistics toStatistics(Readable row, Statistics.Query q, List<Statistics.Aggregate> aggregates,
      Instant lo) {
    Map<String, String> groupBy = null;
    if (!q.groupBy().isEmpty()) {
      groupBy = new LinkedHashMap<>();
      for (int i = 0; i < q.groupBy().size(); i++) groupBy.put(q.groupBy().get(i).field(), row.get("g" + i, String.class));
    }
    Instant tsmin = PostgresSampleReader.instant(row.get("tsmin", OffsetDateTime.class));
    Instant tsmax = PostgresSampleReader.instant(row.get("tsmax", OffsetDateTime.class));
    Double min = null, max = null, avg = null, sum = null;
    Long count = null;
    Map<String, Double> values = new LinkedHashMap<>();
    if (aggregates.isEmpty()) {
      min = row.get("min", Double.class);
      max = row.get("max", Double.class);
      avg = row.get("avg", Double.class);
      sum = row.get("sum", Double.class);
      count = row.get("count", Long.class);
    } else {
      for (int i = 0; i < aggregates.size(); i++) {
        Statistics.Aggregate a = aggregates.get(i);
        Number v = row.get("a" + i, Number.class);
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
    Instant periodStart = tsmin, periodEnd = tsmax;
    if (lo != null) {
      long k = row.get("k", Long.class);
      periodStart = lo.plusSeconds(k * q.period());
      periodEnd = periodStart.plusSeconds(q.period());
    }
    return new Statistics(groupBy, row.get("unit", String.class), min, max, avg, sum, count, values, tsmin, tsmax,
        q.period(), periodStart, periodEnd);
  }
}
