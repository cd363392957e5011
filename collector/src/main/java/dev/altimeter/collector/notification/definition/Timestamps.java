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
