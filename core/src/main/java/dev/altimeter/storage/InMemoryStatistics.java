package dev.altimeter.storage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link SampleStore#statistics} computed from the matching samples, with the PostgreSQL store's
 * rules: rows per unit, group and window; groups in first-stored order (within each window, windows
 * in time order); Ceilometer's {@code ceil(range / period)} half-open windows from the filter's
 * start, or from the oldest matching sample when it has none.
 */
final class InMemoryStatistics {
  private InMemoryStatistics() {}

  /** @param matching the samples matching the query's filter, in insertion order */
  static List<Statistics> compute(Statistics.Query q, List<Sample> matching) {
    if (matching.isEmpty()) return List.of();
    Instant lo = null;
    long periodMicros = q.period() * 1_000_000L;
    List<Sample> used = matching;
    if (q.period() > 0) {
      SampleFilter f = q.filter();
      lo = f.start() != null ? f.start() : matching.stream().map(Sample::timestamp).min(Comparator.naturalOrder()).orElseThrow();
      Instant end = f.end() != null ? f.end() : matching.stream().map(Sample::timestamp).max(Comparator.naturalOrder()).orElseThrow();
      long span = micros(end) - micros(lo);
      if (span <= 0) return List.of();
      long n = (span + periodMicros - 1) / periodMicros;
      Instant from = lo, to = lo.plus(n * periodMicros, ChronoUnit.MICROS);
      used = matching.stream().filter(s -> !s.timestamp().isBefore(from) && s.timestamp().isBefore(to)).toList();
    }
    // LinkedHashMap: groups in the order of their first sample, which is insertion order
    Map<List<Object>, Row> rows = new LinkedHashMap<>();
    for (Sample s : used) {
      long k = lo == null ? 0 : Math.floorDiv(micros(s.timestamp()) - micros(lo), periodMicros);
      List<Object> key = new ArrayList<>();
      key.add(k);
      key.add(s.unit());
      for (Statistics.GroupBy g : q.groupBy()) key.add(groupValue(g, s));
      rows.computeIfAbsent(key, x -> new Row(s.unit(), k)).add(s);
    }
    List<Row> ordered = new ArrayList<>(rows.values());
    ordered.sort(Comparator.comparingLong(r -> r.window)); // stable: first-stored order within a window
    List<Statistics.Aggregate> aggregates = List.copyOf(new LinkedHashSet<>(q.aggregates()));
    List<Statistics> out = new ArrayList<>();
    for (Row r : ordered) out.add(r.toStatistics(q, aggregates, lo));
    return out;
  }

  private static String groupValue(Statistics.GroupBy g, Sample s) {
    return switch (g) {
      case USER_ID -> s.userId();
      case RESOURCE_ID -> s.resourceId();
      case PROJECT_ID -> s.projectId();
      case SOURCE -> s.source();
      case INSTANCE_TYPE -> JsonValues.text(s.resourceMetadata().get("instance_type"));
    };
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  /** The samples of one row. */
  private static final class Row {
    final String unit;
    final long window;
    final List<Sample> samples = new ArrayList<>();

    Row(String unit, long window) {
      this.unit = unit;
      this.window = window;
    }

    void add(Sample s) {
      samples.add(s);
    }

    Statistics toStatistics(Statistics.Query q, List<Statistics.Aggregate> aggregates, Instant lo) {
      Map<String, String> groupBy = null;
      Sample first = samples.get(0);
      if (!q.groupBy().isEmpty()) {
        groupBy = new LinkedHashMap<>();
        for (Statistics.GroupBy g : q.groupBy()) groupBy.put(g.field(), groupValue(g, first));
      }
      double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
      Instant tsmin = first.timestamp(), tsmax = first.timestamp();
      for (Sample s : samples) {
        min = Math.min(min, s.volume());
        max = Math.max(max, s.volume());
        sum += s.volume();
        if (s.timestamp().isBefore(tsmin)) tsmin = s.timestamp();
        if (s.timestamp().isAfter(tsmax)) tsmax = s.timestamp();
      }
      long count = samples.size();
      double avg = sum / count;
      Double rMin = null, rMax = null, rAvg = null, rSum = null;
      Long rCount = null;
      Map<String, Double> values = new LinkedHashMap<>();
      if (aggregates.isEmpty()) {
        rMin = min;
        rMax = max;
        rAvg = avg;
        rSum = sum;
        rCount = count;
      } else {
        for (Statistics.Aggregate a : aggregates) {
          double d = switch (a.function()) {
            case MAX -> rMax = max;
            case MIN -> rMin = min;
            case SUM -> rSum = sum;
            case AVG -> rAvg = avg;
            case COUNT -> {
              rCount = count;
              yield count;
            }
            case STDDEV -> stddevPop(avg);
            case CARDINALITY -> distinct(a.param());
          };
          values.put(a.key(), d);
        }
      }
      Instant periodStart = tsmin, periodEnd = tsmax;
      if (lo != null) {
        periodStart = lo.plusSeconds(window * q.period());
        periodEnd = periodStart.plusSeconds(q.period());
      }
      return new Statistics(groupBy, unit, rMin, rMax, rAvg, rSum, rCount, values, tsmin, tsmax, q.period(),
          periodStart, periodEnd);
    }

    /** Population standard deviation, two passes (as exact as PostgreSQL's {@code stddev_pop}). */
    private double stddevPop(double mean) {
      double squares = 0;
      for (Sample s : samples) squares += (s.volume() - mean) * (s.volume() - mean);
      return Math.sqrt(squares / samples.size());
    }

    /** Distinct non-null values, as {@code count(DISTINCT column)}. */
    private double distinct(String param) {
      Set<String> seen = new HashSet<>();
      for (Sample s : samples) {
        String v = switch (param) {
          case "resource_id" -> s.resourceId();
          case "user_id" -> s.userId();
          case "project_id" -> s.projectId();
          default -> throw new IllegalArgumentException("cardinality of " + param);
        };
        if (v != null) seen.add(v);
      }
      return seen.size();
    }
  }
}
