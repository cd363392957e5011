package dev.altimeter.storage;

import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where events are kept and read back. Implementations are non-blocking and thread-safe.
 *
 * <p>Contract every implementation must pass ({@code EventStoreTestKit} in this module's test jar):
 * <ul>
 *   <li>{@link #write} stores a batch atomically: when the Mono completes every event is durable,
 *       when it fails none is. An event whose {@code messageId} is already stored, or repeated in
 *       the batch, is skipped (the first one in the batch wins): redelivery never duplicates.</li>
 *   <li>An event reads back equal to the one written: type, {@code generated} (microseconds),
 *       traits with their types and values in their original order, and {@code raw}.</li>
 *   <li>Events come in {@code generated} order, oldest first; ties in the order they were stored.</li>
 * </ul>
 */
public interface EventStore {

  /**
   * Stores a batch in one transaction.
   *
   * @return the number of events newly stored (duplicates excluded)
   */
  Mono<Integer> write(List<Event> events);

  /**
   * Events matching the filter, oldest {@code generated} first, at most {@code limit} of them.
   * Trait conditions each require a trait of that name and type whose value compares true.
   */
  Flux<Event> events(EventFilter filter, int limit);

  /** The event types that have events, sorted. */
  Flux<String> eventTypes();

  /** The distinct (name, type) of the traits stored for an event type, in the order first stored. */
  Flux<TraitDescription> traitDescriptions(String eventType);

  /**
   * The traits of events of a type, in event order (oldest first).
   *
   * @param traitName only traits of this name; {@code null} for all
   */
  Flux<Trait> traits(String eventType, String traitName);
}
