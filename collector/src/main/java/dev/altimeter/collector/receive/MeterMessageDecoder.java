package dev.altimeter.collector.receive;

import dev.altimeter.collector.pipeline.publish.MessageSigner;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Turns a received dict into a {@link Sample}, verifying its signature first.
 *
 * <p>Two shapes are understood: the meter message dict of {@code udp://}, {@code tcp://} and
 * {@code notifier://} ({@code counter_name, counter_type, counter_unit, counter_volume, ...,
 * message_id, message_signature}) and {@code sample.as_dict()} of {@code http://} ({@code name,
 * type, unit, volume, ..., id}, plus {@code message_signature} when the publisher signs, see
 * HttpPublisher's {@code sign} option). The signature is Ceilometer's: HMAC-SHA256 over
 * {@code recursive_keypairs} of the dict as received (so every field, including metadata, is
 * covered). With a secret set, a dict without a non-empty {@code message_signature} is
 * {@link Outcome#UNSIGNED} and one whose signature does not match is {@link Outcome#BAD_SIGNATURE};
 * without a secret every well-formed dict is accepted. Thread-safe.
 */
public final class MeterMessageDecoder {
  private final MessageSigner signer;

  public MeterMessageDecoder(MessageSigner signer) {
    this.signer = Objects.requireNonNull(signer, "signer");
  }

  public boolean signing() {
    return signer.enabled();
  }

  /** A decoded sample, or why there is none ({@code reason} says what is wrong, for error answers and logs). */
  public record Result(Sample sample, Outcome outcome, String reason) {
    static Result ok(Sample s) {
      return new Result(s, Outcome.ACCEPTED, null);
    }

    static Result reject(Outcome o, String reason) {
      return new Result(null, o, reason);
    }

    public boolean ok() {
      return sample != null;
    }
  }

  /** Decodes one dict (any other value is {@link Outcome#INVALID}). Never throws. */
  public Result decode(Object value) {
    if (!(value instanceof Map<?, ?> raw)) return Result.reject(Outcome.INVALID, "a sample must be a JSON object / msgpack map");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) raw;
    Object signature = m.get("message_signature");
    if (signer.enabled()) {
      if (!(signature instanceof String s) || s.isEmpty()) return Result.reject(Outcome.UNSIGNED, "message_signature is missing");
      boolean valid;
      try {
        valid = signer.verify(m);
      } catch (RuntimeException e) {
        valid = false;
      }
      if (!valid) return Result.reject(Outcome.BAD_SIGNATURE, "message_signature does not match");
    }
    try {
      boolean meterMessage = m.containsKey("counter_name");
      String id = text(m, meterMessage ? "message_id" : "id", false);
      Sample.Builder b = Sample.builder()
          .meter(text(m, meterMessage ? "counter_name" : "name", true))
          .type(type(text(m, meterMessage ? "counter_type" : "type", true)))
          .unit(text(m, meterMessage ? "counter_unit" : "unit", true))
          .volume(volume(m.get(meterMessage ? "counter_volume" : "volume")))
          .userId(text(m, "user_id", false))
          .projectId(text(m, "project_id", false))
          .resourceId(text(m, "resource_id", true))
          .timestamp(timestamp(text(m, "timestamp", true)))
          .source(text(m, "source", false))
          .resourceMetadata(metadata(m.get("resource_metadata")))
          .messageSignature(signature instanceof String s && !s.isEmpty() ? s : null);
      if (id != null) b.messageId(messageId(id));
      return Result.ok(b.build());
    } catch (IllegalArgumentException | NullPointerException e) {
      return Result.reject(Outcome.INVALID, e.getMessage());
    }
  }

  private static String text(Map<String, Object> m, String key, boolean required) {
    Object v = m.get(key);
    if (v == null) {
      if (required) throw new IllegalArgumentException(key + " is required");
      return null;
    }
    if (!(v instanceof String s)) throw new IllegalArgumentException(key + " must be a string");
    if (required && s.isEmpty()) throw new IllegalArgumentException(key + " is required");
    return s;
  }

  private static SampleType type(String wire) {
    SampleType t = SampleType.fromWireName(wire);
    if (t == null) throw new IllegalArgumentException("type must be gauge, delta or cumulative, got '" + wire + "'");
    return t;
  }

  private static double volume(Object v) {
    if (!(v instanceof Number n)) throw new IllegalArgumentException("volume must be a number");
    double d = n.doubleValue();
    if (!Double.isFinite(d)) throw new IllegalArgumentException("volume must be finite");
    return d;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> metadata(Object v) {
    if (v == null) return Map.of();
    if (!(v instanceof Map<?, ?>)) throw new IllegalArgumentException("resource_metadata must be an object");
    return (Map<String, Object>) normalize(v);
  }

  /**
   * Integers as {@code Long} whatever the transport (Jackson reads small JSON ints as
   * {@code Integer}, msgpack as {@code Long}), so a sample is the same whichever way it came.
   */
  private static Object normalize(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), normalize(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new java.util.ArrayList<>(l.size());
      for (Object x : l) out.add(normalize(x));
      return out;
    }
    return v;
  }

  /** A UUID as given; any other id maps to the same name-based UUID every time (deduplication stays stable). */
  private static UUID messageId(String id) {
    try {
      if (id.length() == 36) return UUID.fromString(id);
    } catch (IllegalArgumentException ignored) {
      // not a UUID
    }
    return UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8));
  }

  /** Python {@code isoformat()} (with or without offset; naive means UTC, as in Ceilometer) or ISO-8601 with Z. */
  static Instant timestamp(String text) {
    try {
      TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parseBest(text.replace(' ', 'T'),
          OffsetDateTime::from, LocalDateTime::from);
      return t instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("timestamp is not an ISO-8601 date-time: '" + text + "'");
    }
  }
}
