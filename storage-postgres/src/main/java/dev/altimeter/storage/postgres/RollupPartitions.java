package dev.altimeter.storage.postgres;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the rollup table is partitioned: {@code rollup} by list of granularity into {@code
 * rollup_<g>}, each by range of bucket into spans {@code rollup_<g>_<yyyymmdd>} (the span's first
 * UTC day). A span is a whole number of days and of buckets, about 720 buckets long (1 day of
 * 1-minute buckets, 30 days of hourly ones, 720 days of daily ones), aligned to the Unix epoch, so
 * a bucket never straddles two spans and retention drops whole spans. Identifiers and bounds are
 * made from numbers only, never from user text. Pure functions; thread-safe.
 */
final class RollupPartitions {
  static final long DAY = 86_400;
  private static final long BUCKETS_PER_SPAN = 720;
  private static final Pattern SPAN = Pattern.compile("rollup_(\\d+)_(\\d{8}|m\\d+|e\\d+)");
  private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;
  /**
   * Fill factor of a span (percent; migration V10 uses the same for the spans made before it and for
   * {@code series}). Every batch updates each bucket of its series once; an update stays HOT (no new
   * index entry, no index bloat) only if the new version fits on the old one's page while the old
   * one is still visible, so half of a page is left free; the next batch's page pruning reclaims the
   * dead half. Costs at most twice the space of a densely packed span.
   */
  static final int FILL_FACTOR = 50;

  private RollupPartitions() {}

  /** The span of granularity {@code g} (seconds): the least multiple of lcm(g, 1 day) >= 720 g. */
  static long spanSeconds(long g) {
    long lcm = g / gcd(g, DAY) * DAY;
    return (BUCKETS_PER_SPAN * g + lcm - 1) / lcm * lcm;
  }

  /** The first second of the span of granularity {@code g} holding {@code epochSecond}. */
  static long spanStart(long g, long epochSecond) {
    long span = spanSeconds(g);
    return Math.floorDiv(epochSecond, span) * span;
  }

  /** The list partition of a level. */
  static String level(long g) {
    return "rollup_" + g;
  }

  /** The range partition of the span starting at {@code startSecond} (a multiple of a day). */
  static String span(long g, long startSecond) {
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(startSecond, DAY));
    if (day.getYear() >= 1 && day.getYear() <= 9999) return level(g) + "_" + day.format(DATE);
    // outside years 1..9999 (a span may begin before year 1 or end after 9999): the epoch day
    long epochDay = day.toEpochDay();
    return level(g) + "_" + (epochDay < 0 ? "m" + -epochDay : "e" + epochDay);
  }

  /**
   * The start second of a span partition named {@code name} of granularity {@code g}, or null when
   * the name is not one of {@link #span}'s.
   */
  static Long spanStartOf(long g, String name) {
    Matcher m = SPAN.matcher(name);
    if (!m.matches() || Long.parseLong(m.group(1)) != g) return null;
    String s = m.group(2);
    long epochDay = s.startsWith("m") ? -Long.parseLong(s.substring(1))
        : s.startsWith("e") ? Long.parseLong(s.substring(1)) : LocalDate.parse(s, DATE).toEpochDay();
    return epochDay * DAY;
  }

  /** Creates the level's list partition, itself partitioned by bucket (idempotent). */
  static String createLevel(long g) {
    return "CREATE TABLE IF NOT EXISTS " + level(g) + " PARTITION OF rollup FOR VALUES IN (" + g
        + ") PARTITION BY RANGE (bucket)";
  }

  /** Creates the span partition starting at {@code startSecond}, {@link #FILL_FACTOR} full (idempotent). */
  static String createSpan(long g, long startSecond) {
    return "CREATE TABLE IF NOT EXISTS " + span(g, startSecond) + " PARTITION OF " + level(g)
        + " FOR VALUES FROM (to_timestamp(" + startSecond + ")) TO (to_timestamp(" + (startSecond + spanSeconds(g))
        + ")) WITH (fillfactor = " + FILL_FACTOR + ")";
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
