package dev.altimeter.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * {@link SampleStore#statistics} written the slow, literal way, independently of every store: the
 * reference {@code SampleStoreTestKit}'s property test holds each store to. It shares no code with
 * the stores (not even their filter predicate), so a bug in one is not copied into the answer.
 *
 * <p>It follows Ceilometer's SQL driver ({@code get_meter_statistics} and {@code
 * base.iter_period}): with a period, the windows run from the filter's start (or the oldest matching
 * sample) to its end (or the newest), {@code ceil(range / period)} of them, each queried alone as
 * {@code start <= timestamp < end}; each window's samples are grouped by unit and the groupby
 * fields, groups in the order their first sample was stored. A row's duration is its oldest and
 * newest sample; without a period its period start and end are that duration.
 *
 * <p>Only what the property test's queries use is supported; anything else is refused, so the
 * oracle never silently answers a question it does not understand.
 */
final class StatisticsOracle {
  private final List<Sample> stored = new ArrayList<>();
  private final Set<UUID> ids = new HashSet<>();

  /** Records a written batch as a store keeps it: a message id already stored is skipped. */
  void written(List<Sample> batch) {
    for (Sample s : batch) if (ids.add(s.messageId())) stored.add(s);
  }

  List<Statistics> statistics(Statistics.Query q) {
    SampleFilter f = q.filter();
    if (f.messageId() != null) throw new UnsupportedOperationException("oracle: messageId filter");
    List<Sample> matching = stored.stream().filter(s -> matches(f, s)).toList();
    if (matching.isEmpty()) return List.of();
    if (q.period() == 0) return rows(q, matching, null);

    Instant start = f.start() != null ? f.start() : matching.stream().map(Sample::timestamp).min(Instant::compareTo).get();
    Instant end = f.end() != null ? f.end() : matching.stream().map(Sample::timestamp).max(Instant::compareTo).get();
    Duration period = Duration.ofSeconds(q.period());
    // ceil(range / period) windows; a range of zero or less has none
    long windows = 0;
    for (Instant w = start; w.isBefore(end); w = w.plus(period)) windows++;
    List<Statistics> out = new ArrayList<>();
    for (long k = 0; k < windows; k++) {
      Instant from = start.plus(period.multipliedBy(k)), to = from.plus(period);
      List<Sample> inWindow = matching.stream()
          .filter(s -> !s.timestamp().isBefore(from) && s.timestamp().isBefore(to)).toList();
      if (!inWindow.isEmpty()) out.addAll(rows(q, inWindow, from));
    }
    return out;
  }

  /** The rows of one window (or of everything, {@code windowStart} null), groups in stored order. */
  private static List<Statistics> rows(Statistics.Query q, List<Sample> samples, Instant windowStart) {
    Map<List<String>, List<Sample>> groups = new LinkedHashMap<>();
    for (Sample s : samples) {
      List<String> key = new ArrayList<>();
      key.add(s.unit());
      for (Statistics.GroupBy g : q.groupBy()) key.add(field(g, s));
      groups.computeIfAbsent(key, x -> new ArrayList<>()).add(s);
    }
    List<Statistics> out = new ArrayList<>();
    for (List<Sample> group : groups.values()) out.add(row(q, group, windowStart));
    return out;
  }

  private static Statistics row(Statistics.Query q, List<Sample> group, Instant windowStart) {
    Map<String, String> groupBy = null;
    if (!q.groupBy().isEmpty()) {
      groupBy = new LinkedHashMap<>();
      for (Statistics.GroupBy g : q.groupBy()) groupBy.put(g.field(), field(g, group.get(0)));
    }
    List<Double> volumes = group.stream().map(Sample::volume).toList();
    double min = volumes.stream().mapToDouble(v -> v).min().getAsDouble();
    double max = volumes.stream().mapToDouble(v -> v).max().getAsDouble();
    double sum = volumes.stream().mapToDouble(v -> v).sum();
    long count = volumes.size();
    double avg = sum / count;
    Instant oldest = group.stream().map(Sample::timestamp).min(Instant::compareTo).get();
    Instant newest = group.stream().map(Sample::timestamp).max(Instant::compareTo).get();
    Instant periodStart = windowStart == null ? oldest : windowStart;
    Instant periodEnd = windowStart == null ? newest : windowStart.plusSeconds(q.period());

    if (q.aggregates().isEmpty()) {
      return new Statistics(groupBy, group.get(0).unit(), min, max, avg, sum, count, Map.of(), oldest, newest,
          q.period(), periodStart, periodEnd);
    }
    // selectable: each requested function once, in request order; its standard field set too
    Double rMin = null, rMax = null, rAvg = null, rSum = null;
    Long rCount = null;
    Map<String, Double> values = new LinkedHashMap<>();
    for (Statistics.Aggregate a : new LinkedHashSet<>(q.aggregates())) {
      switch (a.function()) {
        case MIN -> values.put(a.key(), rMin = min);
        case MAX -> values.put(a.key(), rMax = max);
        case SUM -> values.put(a.key(), rSum = sum);
        case AVG -> values.put(a.key(), rAvg = avg);
        case COUNT -> {
          rCount = count;
          values.put(a.key(), (double) count);
        }
        case STDDEV -> {
          // population: the mean of the squared deviations from the mean
          double squares = 0;
          for (double v : volumes) squares += (v - avg) * (v - avg);
          values.put(a.key(), Math.sqrt(squares / count));
        }
        case CARDINALITY -> values.put(a.key(), (double) group.stream().map(s -> owner(a.param(), s))
            .filter(Objects::nonNull).distinct().count());
      }
    }
    return new Statistics(groupBy, group.get(0).unit(), rMin, rMax, rAvg, rSum, rCount, values, oldest, newest,
        q.period(), periodStart, periodEnd);
  }

  private static boolean matches(SampleFilter f, Sample s) {
    return same(f.meter(), s.meter()) && same(f.userId(), s.userId()) && same(f.projectId(), s.projectId())
        && same(f.resourceId(), s.resourceId()) && same(f.source(), s.source())
        && (f.start() == null || (f.startInclusive() ? !s.timestamp().isBefore(f.start()) : s.timestamp().isAfter(f.start())))
        && (f.end() == null || (f.endInclusive() ? !s.timestamp().isAfter(f.end()) : s.timestamp().isBefore(f.end())))
        && f.metadata().stream().allMatch(c -> metadataEquals(c, s));
  }

  /** A filter field: null does not constrain, {@link SampleFilter#NULL} wants an absent value. */
  private static boolean same(String wanted, String actual) {
    if (wanted == null) return true;
    if (SampleFilter.NULL.equals(wanted)) return actual == null;
    return wanted.equals(actual);
  }

  /** Only top-level string metadata, which is all the property test asks for. */
  private static boolean metadataEquals(SampleFilter.MetadataCondition c, Sample s) {
    if (c.path().contains(".") || !(c.value() instanceof String)) {
      throw new UnsupportedOperationException("oracle: metadata condition " + c);
    }
    return c.value().equals(s.resourceMetadata().get(c.path()));
  }

  /** A groupby value: instance_type from the metadata, the other fields by their API name. */
  private static String field(Statistics.GroupBy g, Sample s) {
    if (g != Statistics.GroupBy.INSTANCE_TYPE) return owner(g.field(), s);
    Object v = s.resourceMetadata().get("instance_type");
    if (v != null && !(v instanceof String)) throw new UnsupportedOperationException("oracle: instance_type " + v);
    return (String) v;
  }

  /** A sample's field by its API name (groupby, cardinality). */
  private static String owner(String name, Sample s) {
    return switch (name) {
      case "resource_id" -> s.resourceId();
      case "user_id" -> s.userId();
      case "project_id" -> s.projectId();
      case "source" -> s.source();
      default -> throw new UnsupportedOperationException("oracle: field " + name);
    };
  }
}
