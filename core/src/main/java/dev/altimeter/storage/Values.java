package dev.altimeter.storage;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a value must be for the store to hold it: the one check of strings, timestamps and JSON
 * documents that the model ({@link Sample}, {@link Event}, {@link Trait}) runs when it is built and
 * that the API runs on what it is asked, so that a value PostgreSQL would refuse fails where it
 * enters (a 400, a dead letter with the reason), never in a shared store transaction.
 *
 * <ul>
 *   <li>strings: no NUL character ({@code text} and {@code jsonb} refuse {@code \u0000}), no
 *       unpaired surrogate (no UTF-8 form);</li>
 *   <li>volumes: finite, within {@link #MAX_VOLUME} (so aggregates over them stay finite);</li>
 *   <li>timestamps: years 1 to 9999 UTC ({@link #EARLIEST}..{@link #LATEST}): PostgreSQL has no
 *       year 0, and the sample table's daily partitions are named {@code sample_YYYYMMDD};</li>
 *   <li>JSON documents (maps, lists, scalars): every key and string as above, numbers that
 *       {@code jsonb}'s numeric holds (at most 131072 digits before the point and 16383 after).</li>
 * </ul>
 *
 * Each check throws {@link IllegalArgumentException} naming the field, and returns its value.
 */
public final class Values {
  private Values() {}

  /** The earliest timestamp the store holds: 0001-01-01T00:00:00Z. */
  public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  /** The latest timestamp the store holds: 9999-12-31T23:59:59.999999Z. */
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  /**
   * A string the store can hold ({@code null} passes): no NUL, and valid UTF-16, so that it has a
   * UTF-8 form (a lone surrogate, e.g. JSON's {@code "\ud800"}, has none: the driver would send
   * {@code ?} in its place, and a dictionary lookup of the original would never find the row).
   */
  public static String text(String value, String field) {
    int at = fault(value);
    if (at < 0) return value;
    char c = value.charAt(at);
    if (c == '\u0000') {
      throw new IllegalArgumentException(field + " contains a NUL character, which cannot be stored");
    }
    throw new IllegalArgumentException(field + " contains an unpaired surrogate (U+"
        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + "), which is not Unicode text");
  }

  /** Where {@code value} first breaks {@link #text}'s rule (a NUL or an unpaired surrogate), or -1; -1 for null. */
  private static int fault(String value) {
    if (value == null) return -1;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\u0000') return i;
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * The largest volume magnitude stored: past it, a sum or a standard deviation over a few of them
   * would overflow PostgreSQL's double precision, and statistics would fail for every caller of the
   * meter. Far above any real measurement (bytes, nanoseconds and counts stay below 1e20).
   */
  public static final double MAX_VOLUME = 1e100;

  /** A volume the store can hold and aggregate: finite, at most {@link #MAX_VOLUME} in magnitude. */
  public static double volume(double value, String field) {
    if (!Double.isFinite(value) || Math.abs(value) > MAX_VOLUME) {
      throw new IllegalArgumentException(field + " " + value + " is not a finite number within +-1e100");
    }
    return value;
  }

  /** A timestamp the store can hold ({@code null} passes). */
  public static Instant timestamp(Instant value, String field) {
    if (value != null && (value.isBefore(EARLIEST) || value.isAfter(LATEST))) {
      throw new IllegalArgumentException(field + " " + value + " is outside the years 1 to 9999 that can be stored");
    }
    return value;
  }

  /**
   * A JSON-shaped value (maps with string keys, lists, scalars) the store can hold, all the way down.
   * The name of a nested value ({@code field.key.key}) is only spelled out for a value that is
   * refused, or that has more to check inside it: every metadata map of every sample passes here.
   */
  public static <V> V json(V value, String field) {
    if (value instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        String key = String.valueOf(k);
        if (fault(key) >= 0) text(key, field + " key");
        if (v instanceof String s) {
          if (fault(s) >= 0) text(s, field + "." + key);
        } else if (v instanceof Map || v instanceof List || v instanceof BigDecimal || v instanceof BigInteger) {
          json(v, field + "." + key);
        }
      });
    } else if (value instanceof List<?> l) {
      for (Object o : l) json(o, field);
    } else if (value instanceof String s) {
      text(s, field);
    } else if (value instanceof BigDecimal d) {
      number(d, field);
    } else if (value instanceof BigInteger i) {
      number(new BigDecimal(i), field);
    }
    return value;
  }

  private static void number(BigDecimal d, String field) {
    if (d.signum() == 0) return;
    if (d.precision() - d.scale() > 131_072 || d.scale() > 16_383) {
      throw new IllegalArgumentException(field + " is a number too large or too precise to be stored");
    }
  }
}
