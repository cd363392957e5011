package dev.altimeter.storage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One measurement, Ceilometer's sample model.
 *
 * <p>Immutable. Timestamps are UTC instants truncated to microseconds (PostgreSQL's precision), so a
 * sample read back equals the one written. {@code resourceMetadata} is a JSON object as nested maps,
 * lists, strings, numbers and booleans; it is copied defensively. {@code messageId} is the
 * deduplication key: the same input must always yield the same id (see docs/design.md, Deduplication).
 *
 * @param meter the meter name, e.g. {@code cpu}
 * @param recordedAt when the store recorded it; {@code null} until stored
 * @param messageSignature HMAC-SHA256 hex digest, or {@code null} when signing is off
 */
public record Sample(
    String meter,
    SampleType type,
    String unit,
    double volume,
    String userId,
    String projectId,
    String resourceId,
    Instant timestamp,
    Instant recordedAt,
    String source,
    Map<String, Object> resourceMetadata,
    UUID messageId,
    String messageSignature) {

  /** @throws IllegalArgumentException when a value is missing or cannot be stored ({@link Values}) */
  public Sample {
    requireText(meter, "meter");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(unit, "unit");
    requireText(resourceId, "resourceId");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(messageId, "messageId");
    Values.volume(volume, "counter_volume");
    Values.text(meter, "counter_name");
    Values.text(unit, "counter_unit");
    Values.text(userId, "user_id");
    Values.text(projectId, "project_id");
    Values.text(resourceId, "resource_id");
    Values.text(source, "source");
    Values.text(messageSignature, "message_signature");
    timestamp = Values.timestamp(timestamp, "timestamp").truncatedTo(ChronoUnit.MICROS);
    recordedAt = recordedAt == null ? null : Values.timestamp(recordedAt, "recorded_at").truncatedTo(ChronoUnit.MICROS);
    resourceMetadata = resourceMetadata == null ? Map.of() : Json.storableCopy(resourceMetadata, "resource_metadata");
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isEmpty()) throw new IllegalArgumentException(name + " is required");
  }

  /** A copy with {@code recordedAt} set, as the store returns it. */
  public Sample withRecordedAt(Instant recordedAt) {
    return new Sample(meter, type, unit, volume, userId, projectId, resourceId, timestamp, recordedAt,
        source, resourceMetadata, messageId, messageSignature);
  }

  /** A copy carrying a signature. */
  public Sample withSignature(String signature) {
    return new Sample(meter, type, unit, volume, userId, projectId, resourceId, timestamp, recordedAt,
        source, resourceMetadata, messageId, signature);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private String meter;
    private SampleType type;
    private String unit;
    private double volume;
    private String userId;
    private String projectId;
    private String resourceId;
    private Instant timestamp;
    private Instant recordedAt;
    private String source;
    private Map<String, Object> resourceMetadata = Map.of();
    private UUID messageId;
    private String messageSignature;

    public Builder meter(String v) { meter = v; return this; }
    public Builder type(SampleType v) { type = v; return this; }
    public Builder unit(String v) { unit = v; return this; }
    public Builder volume(double v) { volume = v; return this; }
    public Builder userId(String v) { userId = v; return this; }
    public Builder projectId(String v) { projectId = v; return this; }
    public Builder resourceId(String v) { resourceId = v; return this; }
    public Builder timestamp(Instant v) { timestamp = v; return this; }
    public Builder recordedAt(Instant v) { recordedAt = v; return this; }
    public Builder source(String v) { source = v; return this; }
    public Builder resourceMetadata(Map<String, Object> v) { resourceMetadata = v; return this; }
    public Builder messageId(UUID v) { messageId = v; return this; }
    public Builder messageSignature(String v) { messageSignature = v; return this; }

    public Sample build() {
      return new Sample(meter, type, unit, volume, userId, projectId, resourceId, timestamp, recordedAt,
          source, resourceMetadata, messageId == null ? MessageIds.random() : messageId, messageSignature);
    }
  }
}
