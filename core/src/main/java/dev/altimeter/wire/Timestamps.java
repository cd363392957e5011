package dev.altimeter.wire;

import dev.altimeter.storage.Values;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place times are read from and written to Ceilometer's wire and API shapes.
 *
 * <p>Writing: {@link #isoformat} is Python's {@code isoformat()} of an aware UTC datetime (the
 * publishers' dicts: {@code 2026-01-01T00:00:00.250000+00:00}); {@link #isoformatNaive} of a naive one
 * (the v2 API's answers: {@code 2026-01-01T00:00:00.250000}). Both omit the fraction when it is zero.
 *
 * <p>Reading, two rules, different on purpose:
 *
 * <ul>
 *   <li>{@link #parseIsotime}: oslo's {@code timeutils.parse_isotime} (the {@code iso8601} library),
 *       which Ceilometer applies to notifications and to received meter messages: {@code T} or space,
 *       one- or two-digit month and day, optional seconds, {@code .} or {@code ,} fraction, {@code Z},
 *       {@code +HH}, {@code +HHMM} or {@code +HH:MM}; case-sensitive, no surrounding blanks.
 *   <li>{@link #parseLenient}: what the v2 API accepts from clients (query values, posted samples):
 *       blanks trimmed, case-insensitive ({@code t}, {@code z}), two-digit fields, {@code .} fraction,
 *       {@code Z}, {@code +HHMM} or {@code +HH:MM} (not {@code +HH}), and only instants a store keeps
 *       ({@link Values#EARLIEST} to {@link Values#LATEST}), so an answer never fails later in the store.
 * </ul>
 *
 * Both read a time without offset as UTC, as Ceilometer does, and answer {@code null} for anything
 * they do not read; callers word the error. {@code TimestampsTest} pins where the two differ.
 */
public final class Timestamps {
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
  private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_LOCAL_DATE)
      .optionalStart().appendLiteral('T').optionalEnd()
      .optionalStart().appendLiteral(' ').optionalEnd()
      .optionalStart()
      .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':').appendValue(ChronoField.MINUTE_OF_HOUR, 2)
      .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2).optionalEnd()
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
      .optionalEnd()
      .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
      .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
      .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
      .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
      .toFormatter()
      // February 30th is an error, not March 1st or February 29th
      .withResolverStyle(ResolverStyle.STRICT);
  /**
   * The {@code iso8601} library's (1.0, Debian's, under oslo.utils) {@code ISO8601_REGEX}, group for
   * group: year alone, year-month ({@code YYYYMM} refused), date, then an optional time and offset.
   */
  private static final Pattern ISO = Pattern.compile(
      "(?<year>\\d{4})(?:(?:-(?<monthdash>\\d{1,2})|(?<month>\\d{2})(?!$))"
          + "(?:(?:-(?<daydash>\\d{1,2})|(?<day>\\d{2}))"
          + "(?:[ T](?<hour>\\d{2})(?::?(?<minute>\\d{2}))?(?::?(?<second>\\d{1,2})(?:[.,](?<fraction>\\d+))?)?"
          + "(?<zone>Z|(?<sign>[-+])(?<zoneHour>\\d{2}):?(?<zoneMinute>\\d{2})?)?)?)?)?");
  /** Python's {@code datetime.timezone} takes offsets strictly inside a day. */
  private static final long DAY_SECONDS = 86_400;
  private static final Instant PYTHON_MIN = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant PYTHON_MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

  private Timestamps() {}

  /** Python's {@code isoformat()} of an aware UTC datetime: {@code 2026-01-01T00:00:00.250000+00:00}. */
  public static String isoformat(Instant t) {
    return isoformatNaive(t) + "+00:00";
  }

  /**
   * Python's {@code isoformat()} of a naive UTC datetime: {@code 2013-01-01T23:23:20}, six fraction
   * digits only when there is a fraction; {@code null} for {@code null} (an absent time).
   */
  public static String isoformatNaive(Instant t) {
    if (t == null) return null;
    LocalDateTime local = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    int micros = local.getNano() / 1000;
    int year = local.getYear();
    // every answer carries one or two of these: written digit by digit, not through a formatter
    // (the POST echo spent a sixth of its time in DateTimeFormatter and String.format); a year a
    // store never keeps (before 1, after 9999) takes the formatter, which pads and signs it
    if (year < 1 || year > 9999) {
      String seconds = SECONDS.format(local);
      return micros == 0 ? seconds : seconds + String.format(".%06d", micros);
    }
    byte[] b = new byte[micros == 0 ? 19 : 26];
    putDigits(b, 0, year, 4);
    b[4] = '-';
    putDigits(b, 5, local.getMonthValue(), 2);
    b[7] = '-';
    putDigits(b, 8, local.getDayOfMonth(), 2);
    b[10] = 'T';
    putDigits(b, 11, local.getHour(), 2);
    b[13] = ':';
    putDigits(b, 14, local.getMinute(), 2);
    b[16] = ':';
    putDigits(b, 17, local.getSecond(), 2);
    if (micros != 0) {
      b[19] = '.';
      putDigits(b, 20, micros, 6);
    }
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** {@code value} as {@code count} decimal digits, zero-padded, at {@code b[at]}. */
  private static void putDigits(byte[] b, int at, int value, int count) {
    for (int i = at + count - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * The v2 API's reading (see the class comment), or {@code null} when malformed or outside what a
   * store keeps (years 1 to 9999 UTC). Not truncated: the model truncates to microseconds itself.
   */
  public static Instant parseLenient(String text) {
    if (text == null) return null;
    Instant common = parseLenientCommon(text);
    return common != null ? common : parseLenientFormatter(text);
  }

  /**
   * The form clients nearly always post ({@code 2026-01-01T00:00:00[.f…][Z|±HH:MM]}, what Python's
   * and Java's formatters write) read without {@link #LENIENT}, whose parse was a sixth of the POST's
   * time; {@code null} for anything else, which the formatter then reads. Contract: what this reads,
   * {@link #parseLenientFormatter} reads to the same instant ({@code TimestampsTest} compares the
   * two); it accepts only what is plainly valid and leaves every doubtful case (blanks, lower case,
   * offsets from 18 hours, more than 9 fraction digits) to the formatter.
   */
  static Instant parseLenientCommon(String t) {
    return common(t, true);
  }

  /** {@link #parseLenient} by {@link #LENIENT}: every form it takes. */
  static Instant parseLenientFormatter(String text) {
    try {
      TemporalAccessor t = LENIENT.parse(text.trim());
      LocalDateTime local = LocalDateTime.from(t);
      ZoneOffset offset = t.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(t) : ZoneOffset.UTC;
      Instant instant = OffsetDateTime.of(local, offset).toInstant();
      return instant.isBefore(Values.EARLIEST) || instant.isAfter(Values.LATEST) ? null : instant;
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * oslo's {@code parse_isotime} (see the class comment), truncated to microseconds, or {@code null}
   * when {@code text} is not such a time.
   */
  public static Instant parseIsotime(String text) {
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
    return common(t, false);
  }

  /**
   * The common form, {@code YYYY-MM-DD(T| )HH:MM:SS[(.|,)fraction][Z|±HH:MM]}, by oslo's rules
   * ({@link #normalized}) or, when {@code lenient}, as the v2 API's formatter reads it: then only a
   * {@code .} fraction of up to 9 digits, offsets under 18 hours, not truncated, within what a store
   * keeps. {@code null} for anything else.
   */
  private static Instant common(String t, boolean lenient) {
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
    if (i < n && (t.charAt(i) == '.' || (!lenient && t.charAt(i) == ','))) {
      int start = ++i;
      while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
        if (i - start < 9) nanos = nanos * 10 + (t.charAt(i) - '0');
        i++;
      }
      if (i == start || (lenient && i - start > 9)) return null;
      for (int d = Math.min(i - start, 9); d < 9; d++) nanos *= 10;
    }
    int offsetSeconds;
    if (i == n || (i == n - 1 && t.charAt(i) == 'Z')) {
      offsetSeconds = 0;
    } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
      int hours = digits(t, i + 1, 2);
      int minutes = digits(t, i + 4, 2);
      if ((hours | minutes) < 0 || (lenient && (hours >= 18 || minutes > 59))) return null;
      offsetSeconds = (hours * 3600 + minutes * 60) * (t.charAt(i) == '-' ? -1 : 1);
    } else {
      return null;
    }
    if (!lenient) return normalized(year, month, day, hour, minute, second, nanos, offsetSeconds);
    try {
      // strict as the formatter: February 30th, hour 24 or second 60 is an error
      Instant instant = LocalDateTime.of(year, month, day, hour, minute, second, nanos)
          .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
      return instant.isBefore(Values.EARLIEST) || instant.isAfter(Values.LATEST) ? null : instant;
    } catch (DateTimeException e) {
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

  /**
   * The regular-expression reading of every form {@link #parseIsotime} accepts: what {@code
   * iso8601.parse_date} builds (missing month and day are 1, missing time fields 0, the fraction
   * truncated to microseconds, an offset of up to 23:59 and, as Python's {@code timedelta}, minutes
   * past 59 carried), then {@code normalize_time}: an instant outside Python's years 1 to 9999 is an
   * error there, so {@code null} here.
   */
  static Instant parseAny(String text) {
    Matcher m = ISO.matcher(text);
    if (!m.matches()) return null;
    int nanos = 0;
    if (m.group("fraction") != null) {
      nanos = Integer.parseInt((m.group("fraction") + "000000000").substring(0, 9));
    }
    long offsetSeconds = 0;
    if (m.group("sign") != null) {
      offsetSeconds = (number(m, "zoneHour", 0) * 3600L + number(m, "zoneMinute", 0) * 60L)
          * ("-".equals(m.group("sign")) ? -1 : 1);
    }
    return normalized(number(m, "year", 0), number(m, "month", number(m, "monthdash", 1)),
        number(m, "day", number(m, "daydash", 1)), number(m, "hour", 0), number(m, "minute", 0),
        number(m, "second", 0), nanos, offsetSeconds);
  }

  /**
   * Python's {@code datetime(...)} with a {@code timezone(timedelta(seconds=offsetSeconds))}, then
   * oslo's {@code normalize_time}, truncated to microseconds; {@code null} where Python raises: a field
   * out of range, an offset of a day or more, an instant outside years 1 to 9999.
   */
  private static Instant normalized(int year, int month, int day, int hour, int minute, int second, int nanos,
      long offsetSeconds) {
    if (year < 1 || Math.abs(offsetSeconds) >= DAY_SECONDS) return null;
    try {
      Instant t = micros(LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC)
          .minusSeconds(offsetSeconds));
      return t.isBefore(PYTHON_MIN) || t.isAfter(PYTHON_MAX) ? null : t;
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static int number(Matcher m, String group, int absent) {
    String digits = m.group(group);
    return digits == null ? absent : Integer.parseInt(digits);
  }

  /** Truncates to microseconds, the precision of Ceilometer and PostgreSQL. */
  public static Instant micros(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS);
  }
}
