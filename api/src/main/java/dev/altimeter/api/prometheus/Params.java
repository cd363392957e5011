package dev.altimeter.api.prometheus;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.util.MultiValueMap;

/**
 * The request parameters of the Prometheus HTTP API, read as Prometheus 2.42 reads them: query
 * string and form body merged; times as unix seconds (fractional, rounded to the millisecond) or
 * RFC 3339; durations as seconds (fractional) or a Prometheus duration ({@code 1h30m}, {@code 5m},
 * {@code 1d}). Immutable.
 */
final class Params {
  /** Prometheus's minTime / maxTime: what a missing start / end of a series or label query means. */
  static final long MIN_TIME_MS = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
  static final long MAX_TIME_MS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
  private static final Pattern DURATION = Pattern.compile(
      "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final long[] UNIT_MS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
  private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private final MultiValueMap<String, String> values;

  Params(MultiValueMap<String, String> values) {
    this.values = values;
  }

  String get(String name) {
    return values.getFirst(name);
  }

  List<String> all(String name) {
    List<String> v = values.get(name);
    return v == null ? List.of() : v;
  }

  /** A time in milliseconds, or {@code absent} when the parameter is not given (or empty). */
  long time(String name, long absent) {
    String v = get(name);
    if (v == null || v.isEmpty()) return absent;
    Long ms = parseTime(v);
    if (ms == null) throw PrometheusError.invalidParameter(name, "cannot parse \"" + v + "\" to a valid timestamp");
    return ms;
  }

  /** A duration in milliseconds, or null when absent. */
  Long duration(String name) {
    String v = get(name);
    if (v == null || v.isEmpty()) return null;
    Long ms = parseDuration(v);
    if (ms == null) throw PrometheusError.invalidParameter(name, "cannot parse \"" + v + "\" to a valid duration");
    return ms;
  }

  /** The {@code timeout} parameter, or null. */
  Duration timeout() {
    Long ms = duration("timeout");
    if (ms == null) return null;
    if (ms <= 0) throw PrometheusError.invalidParameter("timeout", "timeout must be positive");
    return Duration.ofMillis(ms);
  }

  /** The {@code limit} parameter (0 or absent: no limit). */
  int limit() {
    String v = get("limit");
    if (v == null || v.isEmpty()) return 0;
    try {
      int n = Integer.parseInt(v);
      if (n < 0) throw PrometheusError.invalidParameter("limit", "limit must be non-negative");
      return n;
    } catch (NumberFormatException e) {
      throw PrometheusError.invalidParameter("limit", "cannot parse \"" + v + "\" to a valid limit");
    }
  }

  /** Unix seconds or RFC 3339 to milliseconds; null when neither, or out of Prometheus's range. */
  static Long parseTime(String v) {
    if (FLOAT.matcher(v).matches()) {
      try {
        BigDecimal ms = new BigDecimal(v).movePointRight(3).setScale(0, java.math.RoundingMode.HALF_EVEN);
        if (ms.compareTo(BigDecimal.valueOf(MIN_TIME_MS)) < 0 || ms.compareTo(BigDecimal.valueOf(MAX_TIME_MS)) > 0) return null;
        return ms.longValueExact();
      } catch (ArithmeticException | NumberFormatException e) {
        return null;
      }
    }
    try {
      return OffsetDateTime.parse(v).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  /** Seconds (fractional) or a Prometheus duration to milliseconds; null when neither or too long. */
  static Long parseDuration(String v) {
    if (FLOAT.matcher(v).matches()) {
      try {
        BigDecimal ms = new BigDecimal(v).movePointRight(3).setScale(0, java.math.RoundingMode.HALF_EVEN);
        return ms.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000)) > 0 ? null : ms.longValueExact();
      } catch (ArithmeticException | NumberFormatException e) {
        return null;
      }
    }
    Matcher m = DURATION.matcher(v);
    if (v.isEmpty() || !m.matches()) return null;
    long total = 0;
    try {
      for (int i = 0; i < UNIT_MS.length; i++) {
        String g = m.group(i + 1);
        if (g != null) total = Math.addExact(total, Math.multiplyExact(Long.parseLong(g), UNIT_MS[i]));
      }
    } catch (ArithmeticException | NumberFormatException e) {
      return null;
    }
    return total > Long.MAX_VALUE / 1_000_000 ? null : total;
  }
}
