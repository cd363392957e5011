package dev.altimeter.storage;

/**
 * How a meter is named as a Prometheus metric, one rule for every place that shows meters to
 * Prometheus tools (the scrape exposition, the PromQL API): {@code ceilometer_} + the meter name
 * with every character outside {@code [a-zA-Z0-9_:]} replaced by {@code _}, as Ceilometer's polling
 * exporter names them: {@code cpu} becomes {@code ceilometer_cpu}, {@code disk.device.read.bytes}
 * becomes {@code ceilometer_disk_device_read_bytes}. No suffix is added, so a meter keeps one name
 * whatever its type.
 *
 * <p>The rule is not injective: {@code a.b}, {@code a-b} and {@code a_b} share the metric {@code
 * ceilometer_a_b}; a reader that selects by metric name selects every meter that maps to it.
 */
public final class MetricNames {
  public static final String PREFIX = "ceilometer_";

  private MetricNames() {}

  /** The metric name of a meter. */
  public static String of(String meter) {
    StringBuilder b = new StringBuilder(PREFIX.length() + meter.length()).append(PREFIX);
    for (int i = 0; i < meter.length(); i++) {
      char c = meter.charAt(i);
      b.append(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == ':' ? c : '_');
    }
    return b.toString();
  }

  /**
   * A label name for a metadata key: every character outside {@code [a-zA-Z0-9_]} as {@code _}, and
   * a leading {@code _} when it would start with a digit. Empty for an empty key.
   */
  public static String label(String key) {
    StringBuilder b = new StringBuilder(key.length() + 1);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (i == 0 && c >= '0' && c <= '9') b.append('_');
      b.append(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' ? c : '_');
    }
    return b.toString();
  }
}
