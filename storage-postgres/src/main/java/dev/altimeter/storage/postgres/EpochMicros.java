package dev.altimeter.storage.postgres;

import java.time.Instant;

/**
 * How timestamps are sent to PostgreSQL: microseconds since the epoch (its own precision), turned
 * back into a timestamp in SQL as {@code timestamptz 'epoch' + (us / 1000000) * interval '1 second'
 * + (us % 1000000) * interval '1 microsecond'}: multiplying an interval goes through a double, so
 * {@code us * interval '1 microsecond'} rounds past 2^53 microseconds (after the year 2255), which
 * moved the last microseconds of 9999 into a day with no partition.
 */
final class EpochMicros {
  private EpochMicros() {}

  /**
   * Exact for every instant PostgreSQL holds. Not {@code ChronoUnit.MICROS.between}: it counts in
   * nanoseconds first, which overflow a long outside the years 1677..2262.
   */
  static long of(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }
}
