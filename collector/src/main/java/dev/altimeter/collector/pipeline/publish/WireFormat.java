package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.Trait;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ceilometer's dict shapes of a sample.
 *
 * <p>{@link #meterMessage}: {@code publisher.utils.meter_message_from_counter}, the payload of
 * udp/tcp/notifier: {@code source, counter_name, counter_type, counter_unit, counter_volume,
 * user_id, project_id, resource_id, timestamp, resource_metadata, message_id, monotonic_time,
 * message_signature}. {@link #asDict}: {@code sample.as_dict()}, the payload of http and file:
 * {@code name, type, unit, volume, user_id, project_id, resource_id, timestamp, resource_metadata,
 * source, id, monotonic_time}. Timestamps are Python {@code isoformat()} of UTC datetimes
 * ({@code 2026-01-01T00:00:00.250000+00:00}, microseconds omitted when zero). {@code monotonic_time}
 * is always None (the model has no such field).
 */
public final class WireFormat {
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  private WireFormat() {}

  /** The meter message dict, signed with {@code signer} ({@code ""} when signing is off). */
  public static Map<String, Object> meterMessage(Sample s, MessageSigner signer) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", s.source());
    m.put("counter_name", s.meter());
    m.put("counter_type", s.type().wireName());
    m.put("counter_unit", s.unit());
    m.put("counter_volume", s.volume());
    m.put("user_id", s.userId());
    m.put("project_id", s.projectId());
    m.put("resource_id", s.resourceId());
    m.put("timestamp", isoformat(s.timestamp()));
    m.put("resource_metadata", s.resourceMetadata());
    m.put("message_id", s.messageId().toString());
    m.put("monotonic_time", null);
    m.put("message_signature", signer.sign(m));
    return m;
  }

  public static Map<String, Object> asDict(Sample s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.meter());
    m.put("type", s.type().wireName());
    m.put("unit", s.unit());
    m.put("volume", s.volume());
    m.put("user_id", s.userId());
    m.put("project_id", s.projectId());
    m.put("resource_id", s.resourceId());
    m.put("timestamp", isoformat(s.timestamp()));
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
    m.put("generated", isoformat(e.generated()));
    java.util.List<Map<String, Object>> traits = new java.util.ArrayList<>();
    for (Trait t : e.traits()) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("name", t.name());
      tm.put("dtype", switch (t.type()) {
        case STRING -> 1;
        case INTEGER -> 2;
        case FLOAT -> 3;
        case DATETIME -> 4;
      });
      tm.put("value", t.value() instanceof Instant i ? isoformat(i) : t.value());
      traits.add(tm);
    }
    m.put("traits", traits);
    m.put("raw", e.raw());
    return m;
  }

  /** Python's {@code datetime.isoformat()} of an aware UTC datetime. */
  public static String isoformat(Instant t) {
    LocalDateTime dt = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    String base = SECONDS.format(dt);
    int micros = dt.getNano() / 1000;
    return micros == 0 ? base + "+00:00" : base + String.format(".%06d+00:00", micros);
  }
}
