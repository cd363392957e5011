package dev.altimeter.collector.notification.definition;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times as OpenStack writes them, read as oslo's {@code timeutils.parse_isotime} (the {@code
 * iso8601} library) does: {@code T} or space between date and time, optional seconds and fraction,
 * {@code Z} or an offset; no offset means UTC. Results are UTC instants truncated to microseconds.
 */
public final class Timestamps {
  private static final Pattern ISO = Pattern.compile(
      "(\\d{4})-(\\d{1,2})-(\\d{1,2})"
          + "(?:[T ](\\d{2})(?::?(\\d{2}))?(?::?(\\d{1,2})(?:[.,](\\d+))?)?"
          + "(Z|([-+])(\\d{2}):?(\\d{2})?)?)?");

  private Timestamps() {}

  /** The instant, or {@code null} when {@code text} is not such a time. */
  public static Instant parse(String text) {
    if (text == null) return null;
    Instant common = parseCommon(text);
    return common != null ? common : parseAny(text);
  }

  /**
   * The forms OpenStack services actually send ({@code 2012-05-08 20:23:48.028195}, {@code
   * 2012-05-08T20:23:47Z}, {@code 2012-05-08T20:23:47.985999+00:00}) without a regular expression:
   * every notification has a few of them. {@code null} for anything else, which {@link #parseAny}
   * then reads.
   */
  static Instant parseCommon(String t) {
    int n = t.length();
    if (n < 19 || t.charAt(4) != '-' || t.charAt(7) != '-' || (t.charAt(10) != 'T' && t.charAt(10) != ' ')
        || t.charAt(13) != ':' || t.charAt(16) != ':') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) return null;
    int i = 19;
    int nanos = 0;
    if (i < n && (t.charAt(i) == '.' || t.charAt(i) == ',')) {
      int start = ++i;
      while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
        if (i - start < 9) nanos = nanos * 10 + (t.charAt(i) - '0');
        i++;
      }
      if (i == start) return null;
      for (int d = Math.min(i - start, 9); d < 9; d++) nanos *= 10;
    }
    int offsetSeconds;
    if (i == n || (i == n - 1 && t.charAt(i) == 'Z')) {
      offsetSeconds = 0;
    } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
      int hours = digits(t, i + 1, 2);
      int minutes = digits(t, i + 4, 2);
      if ((hours | minutes) < 0) return null;
      offsetSeconds = (hours * 3600 + minutes * 60) * (t.charAt(i) == '-' ? -1 : 1);
    } else {
      return null;
    }
    try {
      return micros(LocalDateTime.of(year, month, day, hour, minute, second, nanos)
          .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds)));
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  /** The decimal number in {@code t[from, from + count)}, or -1 when a character is not a digit. */
  private static int digits(String t, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** The regular-expression reading of every form {@link #parse} accepts. */
  static Instant parseAny(String text) {
    Matcher m = ISO.matcher(text);
    if (!m.matches()) return null;
    try {
      int nanos = 0;
      if (m.group(7) != null) {
        String f = (m.group(7) + "000000000").substring(0, 9);
        nanos = Integer.parseInt(f);
      }
      LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)), m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
          m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
          m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), nanos);
      int offsetSeconds = 0;
      if (m.group(9) != null) {
        int hours = Integer.parseInt(m.group(10));
        int minutes = m.group(11) == null ? 0 : Integer.parseInt(m.group(11));
        offsetSeconds = (hours * 3600 + minutes * 60) * ("-".equals(m.group(9)) ? -1 : 1);
      }
      return micros(local.toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds)));
    } catch (java.time.DateTimeException | NumberFormatException e) {
      return null;
    }
  }

  /** Truncates to microseconds, the precision of Ceilometer and PostgreSQL. */
  public static Instant micros(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS);
  }
}
