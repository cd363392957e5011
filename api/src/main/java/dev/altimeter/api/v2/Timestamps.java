package dev.altimeter.api.v2;

import dev.altimeter.storage.Values;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/** Ceilometer's timestamp forms: naive UTC ISO-8601 out, ISO-8601 with or without offset in. */
final class Timestamps {
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
  private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");
  private static final DateTimeFormatter PARSER = new DateTimeFormatterBuilder()
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
      .withResolverStyle(java.time.format.ResolverStyle.STRICT);

  private Timestamps() {}

  /** {@code 2013-01-01T23:23:20}, with six fraction digits only when there is a fraction. */
  static String format(Instant t) {
    if (t == null) return null;
    LocalDateTime local = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    return (local.getNano() == 0 ? SECONDS : MICROS).format(local);
  }

  /**
   * Parses ISO-8601; a value without offset is UTC. Returns null when malformed or outside what a
   * store keeps ({@link Values#EARLIEST} to {@link Values#LATEST}: years 1 to 9999 UTC).
   */
  static Instant parse(String text) {
    if (text == null) return null;
    try {
      TemporalAccessor t = PARSER.parse(text.trim());
      LocalDateTime local = LocalDateTime.from(t);
      ZoneOffset offset = t.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(t) : ZoneOffset.UTC;
      Instant instant = OffsetDateTime.of(local, offset).toInstant();
      return instant.isBefore(Values.EARLIEST) || instant.isAfter(Values.LATEST) ? null : instant;
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }
}
