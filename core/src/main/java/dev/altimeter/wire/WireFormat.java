package dev.altimeter.wire;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Trait;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Ceilometer's dict shapes of a sample, both directions: the one place their keys are spelled.
 *
 * <p>{@link #meterMessage}: {@code publisher.utils.meter_message_from_counter}, the payload of
 * udp/tcp/notifier: {@code source, counter_name, counter_type, counter_unit, counter_volume,
 * user_id, project_id, resource_id, timestamp, resource_metadata, message_id, monotonic_time,
 * message_signature}. {@link #asDict}: {@code sample.as_dict()}, the payload of http and file:
 * {@code name, type, unit, volume, user_id, project_id, resource_id, timestamp, resource_metadata,
 * source, id, monotonic_time}. {@link #oldSample}: the v2 API's {@code OldSample}, the meter
 * message's keys without signature and monotonic time, with {@code recorded_at} and naive times;
 * {@link #v2Sample}: the v2 API's {@code Sample} ({@code id, meter, type, unit, volume, ...}).
 * Published timestamps are {@link Timestamps#isoformat}; {@code monotonic_time} is always None (the
 * model has no such field).
 *
 * <p>{@link #sample} reads the first two back, with Ceilometer's rules and an error naming the field.
 */
public final class WireFormat {
  private WireFormat() {}

  /** The meter message dict, signed with {@code signer} ({@code ""} when signing is off). */
  public static Map<String, Object> meterMessage(Sample s, MessageSigner signer) {
    Map<String, Object> m = new LinkedHashMap<>();
    counterFields(s, m::put);
    m.put("timestamp", Timestamps.isoformat(s.timestamp()));
    m.put("resource_metadata", s.resourceMetadata());
    m.put("message_id", s.messageId().toString());
    m.put("monotonic_time", null);
    m.put("message_signature", signer.sign(m));
    return m;
  }

  /**
   * The v2 API's {@code OldSample} ({@code GET /v2/meters/{name}} and the echo of a post): naive
   * UTC times, {@code recorded_at} only when stored, and {@code metadata} as the API renders it
   * (flattened, which is the API's business).
   */
  public static Map<String, Object> oldSample(Sample s, Object metadata) {
    Map<String, Object> m = new LinkedHashMap<>();
    oldSample(s, metadata, m::put);
    return m;
  }

  /**
   * The entries of {@link #oldSample(Sample, Object)}, in its order, handed to {@code field} one by
   * one: for a writer that streams them instead of building the map. Values are strings, {@code
   * null}, the volume as a {@code Double}, and {@code metadata} as given.
   */
  public static void oldSample(Sample s, Object metadata, BiConsumer<String, Object> field) {
    counterFields(s, field);
    field.accept("timestamp", Timestamps.isoformatNaive(s.timestamp()));
    if (s.recordedAt() != null) field.accept("recorded_at", Timestamps.isoformatNaive(s.recordedAt()));
    field.accept("resource_metadata", metadata);
    field.accept("message_id", s.messageId().toString());
  }

  /**
   * The v2 API's {@code Sample} ({@code GET /v2/samples} and {@code /v2/samples/{id}}): naive UTC
   * times, {@code recorded_at} always (None when not stored), {@code metadata} as the API renders it.
   */
  public static Map<String, Object> v2Sample(Sample s, Object metadata) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.messageId().toString());
    m.put("meter", s.meter());
    putMeasurement(m::put, false, s);
    m.put("source", s.source());
    m.put("timestamp", Timestamps.isoformatNaive(s.timestamp()));
    m.put("recorded_at", Timestamps.isoformatNaive(s.recordedAt()));
    m.put("metadata", metadata);
    return m;
  }

  /** The keys the meter message and OldSample share, in their order. */
  private static void counterFields(Sample s, BiConsumer<String, Object> field) {
    field.accept("source", s.source());
    field.accept("counter_name", s.meter());
    putMeasurement(field, true, s);
  }

  /**
   * Type, unit and volume (keys prefixed {@code counter_} in the {@code counter} shapes), then whose
   * resource it is: every shape has them so. The keys are constants (writers may cache their encoding).
   */
  private static void putMeasurement(BiConsumer<String, Object> field, boolean counter, Sample s) {
    field.accept(counter ? "counter_type" : "type", s.type().wireName());
    field.accept(counter ? "counter_unit" : "unit", s.unit());
    field.accept(counter ? "counter_volume" : "volume", s.volume());
    field.accept("user_id", s.userId());
    field.accept("project_id", s.projectId());
    field.accept("resource_id", s.resourceId());
  }

  public static Map<String, Object> asDict(Sample s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.meter());
    putMeasurement(m::put, false, s);
    m.put("timestamp", Timestamps.isoformat(s.timestamp()));
    m.put("resource_metadata", s.resourceMetadata());
    m.put("source", s.source());
    m.put("id", s.messageId().toString());
    m.put("monotonic_time", null);
    return m;
  }

  /**
   * Ceilometer's {@code event.serialize()}: {@code event_type, message_id, generated, traits: [{name,
   * dtype, value}], raw}, dtype as Ceilometer's trait type numbers (1 text, 2 int, 3 float, 4 datetime).
   */
  public static Map<String, Object> eventDict(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event_type", e.eventType());
    m.put("message_id", e.messageId());
    m.put("generated", Timestamps.isoformat(e.generated()));
    List<Map<String, Object>> traits = new ArrayList<>();
    for (Trait t : e.traits()) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("name", t.name());
      tm.put("dtype", switch (t.type()) {
        case STRING -> 1;
        case INTEGER -> 2;
        case FLOAT -> 3;
        case DATETIME -> 4;
      });
      tm.put("value", t.value() instanceof Instant i ? Timestamps.isoformat(i) : t.value());
      traits.add(tm);
    }
    m.put("traits", traits);
    m.put("raw", e.raw());
    return m;
  }

  /**
   * The sample of a meter message dict (it has {@code counter_name}) or of an {@code as_dict()}
   * (otherwise). {@code message_signature} is kept, not checked: verifying is the caller's
   * ({@link MessageSigner#verify}). The timestamp is read as Ceilometer's collector read it, with
   * {@link Timestamps#parseIsotime}; a missing id is left to the model (a fresh one); an id that is not
   * a UUID maps to the same name-based UUID every time, so deduplication stays stable.
   *
   * @throws IllegalArgumentException naming the field that is missing, ill-typed or out of range
   */
  public static Sample sample(Map<String, ?> m) {
    boolean meterMessage = m.containsKey("counter_name");
    String id = text(m, meterMessage ? "message_id" : "id", false);
    Object signature = m.get("message_signature");
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
    return b.build();
  }

  private static String text(Map<String, ?> m, String key, boolean required) {
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

  private static Instant timestamp(String text) {
    Instant t = Timestamps.parseIsotime(text);
    if (t == null) throw new IllegalArgumentException("timestamp is not an ISO-8601 date-time: '" + text + "'");
    return t;
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
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), normalize(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) out.add(normalize(x));
      return out;
    }
    return v;
  }

  private static UUID messageId(String id) {
    try {
      if (id.length() == 36) return UUID.fromString(id);
    } catch (IllegalArgumentException ignored) {
      // not a UUID
    }
    return UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8));
  }
}
