package dev.altimeter.collector.pipeline.exposition;

import dev.altimeter.storage.MetricNames;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The latest value of every meter and resource the pipeline saw, rendered in Prometheus's text
 * exposition format (version 0.0.4) for scraping.
 *
 * <p>Rules (docs/operations.md lists them for users):
 * <ul>
 *   <li>Name: {@code ceilometer_} + the meter name with {@code .} and {@code -} (and any other
 *       character Prometheus does not allow in a name) replaced by {@code _}, as Ceilometer's
 *       polling exporter names them: {@code cpu} → {@code ceilometer_cpu},
 *       {@code disk.device.read.bytes} → {@code ceilometer_disk_device_read_bytes}. No suffix is
 *       added, so a meter keeps one name whatever its type.
 *   <li>Type: cumulative → {@code counter}; gauge and delta → {@code gauge}. A name whose current
 *       series mix cumulative with other types is a {@code gauge} (one family has one type).
 *   <li>Labels, in this order, each only when not empty: {@code resource_id}, {@code user_id},
 *       {@code project_id}, {@code unit}. One series per name and resource: a later sample of the
 *       resource replaces its labels and value; an older one (by sample timestamp) is ignored.
 *   <li>No timestamps in the exposition: Prometheus stamps the scrape, so its staleness handling
 *       works when a series disappears.
 * </ul>
 *
 * <p>Bounded: at most {@code maxSeries} series; a new series past that evicts the least recently
 * updated one (counted as {@code altimeter_exposition_evictions_total{reason="overflow"}}). A series
 * not updated for {@code maxAge} expires ({@code reason="expired"}), so gone resources vanish.
 *
 * <p>Thread-safe and non-blocking: every operation holds one monitor for a short, allocation-light
 * step and never across I/O; rendering happens outside it on a copy. Series are kept in update
 * order, so eviction and expiry are constant time per series.
 */
public final class SampleExposition {
  /** The content type of {@link #scrape()}. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final int maxSeries;
  private final long maxAgeNanos;
  private final LongSupplier nanoTime;
  /** Insertion order = update order (an update removes and re-inserts): the head is the stalest. */
  private final LinkedHashMap<Key, Series> series = new LinkedHashMap<>();
  private volatile int size;
  private final Counter overflow;
  private final Counter expired;

  /**
   * @param maxSeries series kept at most (at least 1)
   * @param maxAge a series not updated for this long expires; zero or negative: never
   * @param nanoTime a monotonic clock ({@code System::nanoTime} outside tests)
   */
  public SampleExposition(int maxSeries, Duration maxAge, LongSupplier nanoTime, MeterRegistry registry) {
    if (maxSeries < 1) throw new IllegalArgumentException("maxSeries must be at least 1: " + maxSeries);
    this.maxSeries = maxSeries;
    this.maxAgeNanos = maxAge == null || maxAge.isZero() || maxAge.isNegative() ? Long.MAX_VALUE : maxAge.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    Gauge.builder("altimeter.exposition.series", this, e -> e.size)
        .description("Collected-sample series exposed for scraping").register(registry);
    Gauge.builder("altimeter.exposition.series.max", this, e -> e.maxSeries)
        .description("Series exposed at most (altimeter.exposition.max-series)").register(registry);
    overflow = Counter.builder("altimeter.exposition.evictions").tag("reason", "overflow")
        .description("Exposed series removed: overflow (past max-series, least recently updated first) or expired")
        .register(registry);
    expired = Counter.builder("altimeter.exposition.evictions").tag("reason", "expired")
        .description("Exposed series removed: overflow (past max-series, least recently updated first) or expired")
        .register(registry);
  }

  /** Applies a batch: each sample becomes (or replaces) the series of its name and resource. */
  public void update(List<Sample> samples) {
    if (samples.isEmpty()) return;
    int evicted = 0;
    int aged;
    synchronized (series) {
      long now = nanoTime.getAsLong();
      aged = expire(now);
      // a batch is mostly of one meter: its name is made once per run of the same meter
      String meter = null;
      String name = null;
      for (Sample s : samples) {
        if (!s.meter().equals(meter)) {
          meter = s.meter();
          name = metricName(meter);
        }
        Key key = new Key(name, s.resourceId());
        Series previous = series.remove(key);
        if (previous != null && s.timestamp().isBefore(previous.sampleTime)) {
          series.put(key, previous); // out of order: keep the newer value, but it was seen again
          continue;
        }
        series.put(key, new Series(key, s.type(), s.userId(), s.projectId(), s.unit(), s.volume(), s.timestamp(), now));
        if (previous == null && series.size() > maxSeries) {
          Iterator<Series> eldest = series.values().iterator();
          eldest.next();
          eldest.remove();
          evicted++;
        }
      }
      size = series.size();
    }
    if (evicted > 0) overflow.increment(evicted);
    if (aged > 0) expired.increment(aged);
  }

  /** The exposition text: families sorted by name, series by resource id. */
  public String scrape() {
    List<Series> copy;
    int aged;
    synchronized (series) {
      aged = expire(nanoTime.getAsLong());
      copy = new ArrayList<>(series.values());
      size = copy.size();
    }
    if (aged > 0) expired.increment(aged);
    copy.sort(Comparator.comparing((Series s) -> s.key.name).thenComparing(s -> s.key.resourceId));
    StringBuilder out = new StringBuilder(copy.size() * 96);
    for (int from = 0; from < copy.size(); ) {
      String name = copy.get(from).key.name;
      int to = from;
      boolean counter = true;
      while (to < copy.size() && copy.get(to).key.name.equals(name)) {
        counter &= copy.get(to).type == SampleType.CUMULATIVE;
        to++;
      }
      out.append("# TYPE ").append(name).append(counter ? " counter\n" : " gauge\n");
      for (int i = from; i < to; i++) copy.get(i).appendTo(out);
      from = to;
    }
    return out.toString();
  }

  /** Series currently exposed. */
  public int size() {
    return size;
  }

  /** Removes series not updated within the age limit; called holding the monitor. */
  private int expire(long now) {
    if (maxAgeNanos == Long.MAX_VALUE) return 0;
    int removed = 0;
    for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
      if (now - it.next().updatedNanos < maxAgeNanos) break; // update order: the rest are fresher
      it.remove();
      removed++;
    }
    return removed;
  }

  /** The metric name of a meter: {@link MetricNames#of}, the rule the PromQL API shares. */
  static String metricName(String meter) {
    return MetricNames.of(meter);
  }

  /** A label value as the text format quotes it: backslash, double quote and line feed escaped. */
  static String escape(String value) {
    StringBuilder b = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Whole numbers without a fraction (most meters count), others as Java prints doubles (Prometheus reads both). */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return Double.toString(v);
  }

  private record Key(String name, String resourceId) {}

  private record Series(Key key, SampleType type, String userId, String projectId, String unit, double value,
      Instant sampleTime, long updatedNanos) {

    void appendTo(StringBuilder out) {
      out.append(key.name).append("{resource_id=\"").append(escape(key.resourceId)).append('"');
      label(out, "user_id", userId);
      label(out, "project_id", projectId);
      label(out, "unit", unit);
      out.append("} ").append(number(value)).append('\n');
    }

    private static void label(StringBuilder out, String name, String value) {
      if (value != null && !value.isEmpty()) out.append(',').append(name).append("=\"").append(escape(value)).append('"');
    }
  }

  /** For tests and logs: the series count and bounds. */
  @Override
  public String toString() {
    return "SampleExposition{series=" + size + ", maxSeries=" + maxSeries + "}";
  }
}
