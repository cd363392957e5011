package dev.altimeter.storage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A notification kept as an event: its type, when it was generated, its traits in definition order,
 * and the raw message (empty when raw storage is off for its priority).
 */
public record Event(String messageId, String eventType, Instant generated, List<Trait> traits,
    Map<String, Object> raw) {
  /** @throws IllegalArgumentException when a value cannot be stored ({@link Values}) */
  public Event {
    Values.text(messageId, "message_id");
    Values.text(eventType, "event_type");
    Values.timestamp(generated, "generated");
    traits = List.copyOf(traits);
    raw = raw == null ? Map.of() : Json.storableCopy(raw, "raw");
  }
}
