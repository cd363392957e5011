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
  public Event {
    traits = List.copyOf(traits);
    raw = raw == null ? Map.of() : Json.immutableCopy(raw);
  }
}
