package dev.altimeter.storage;

import java.time.Instant;
import dev.altimeter.storage.InsertionLog.Entry;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An {@link EventStore} in memory, for tests and single-process trials: it passes {@code
 * EventStoreTestKit} as the PostgreSQL store does.
 *
 * <p>Bounded: it holds at most {@code maxEvents}. A write that would exceed the bound is accepted
 * and the oldest stored events (in insertion order, not by {@code generated}) are dropped to make
 * room; {@link #dropped()} counts them. A dropped event is forgotten entirely, so a redelivery of it
 * is stored again.
 *
 * <p>Thread-safe: every call holds one lock only to append or to copy the current contents; reads
 * work on the copy, in time proportional to the number of events held.
 */
public final class InMemoryEventStore implements EventStore {
  private final InsertionLog<Event> log;

  private static final Comparator<Entry<Event>> OLDEST_FIRST =
      Comparator.comparing((Entry<Event> s) -> s.value().generated()).thenComparingLong(Entry::seq);

  /** @throws IllegalArgumentException when {@code maxEvents} is not positive */
  public InMemoryEventStore(int maxEvents) {
    log = new InsertionLog<>(maxEvents, "maxEvents", Event::messageId);
  }

  /** How many events are held now. */
  public int size() {
    return log.size();
  }

  /** How many events were dropped, oldest stored first, to keep within the bound since construction. */
  public long dropped() {
    return log.dropped();
  }

  /** Forgets every event (the dropped count stays). */
  public void clear() {
    log.clear();
  }

  @Override
  public Mono<Integer> write(List<Event> batch) {
    // the first of a message id wins, in the batch and across batches
    return Mono.fromCallable(() -> log.append(batch, e -> e));
  }

  private Flux<Event> inOrder() {
    return Flux.defer(() -> {
      List<Entry<Event>> copy = log.snapshot();
      copy.sort(OLDEST_FIRST);
      return Flux.fromIterable(copy).map(Entry::value);
    });
  }

  @Override
  public Flux<Event> events(EventFilter filter, int limit) {
    return inOrder().filter(e -> matches(filter, e)).take(limit, true);
  }

  private static boolean matches(EventFilter f, Event e) {
    if (f.eventType() != null && !f.eventType().equals(e.eventType())) return false;
    if (f.messageId() != null && !f.messageId().equals(e.messageId())) return false;
    if (f.start() != null && e.generated().isBefore(f.start())) return false;
    if (f.end() != null && e.generated().isAfter(f.end())) return false;
    for (EventFilter.TraitCondition c : f.traits()) {
      if (e.traits().stream().noneMatch(t -> holds(c, t))) return false;
    }
    return true;
  }

  /** The condition on one trait: same name, same type, and the typed comparison true. */
  private static boolean holds(EventFilter.TraitCondition c, Trait t) {
    if (!t.name().equals(c.name()) || t.type() != c.type() || t.value() == null) return false;
    int order = switch (c.type()) {
      case STRING -> ((String) t.value()).compareTo((String) c.value());
      case INTEGER -> Long.compare(((Number) t.value()).longValue(), (Long) c.value());
      // PostgreSQL's float order: NaN equals NaN and is the largest; 0.0 equals -0.0
      case FLOAT -> {
        double a = ((Number) t.value()).doubleValue(), b = (Double) c.value();
        yield a == b ? 0 : Double.compare(a, b);
      }
      case DATETIME -> ((Instant) t.value()).compareTo((Instant) c.value());
    };
    return switch (c.op()) {
      case LT -> order < 0;
      case LE -> order <= 0;
      case EQ -> order == 0;
      case NE -> order != 0;
      case GE -> order >= 0;
      case GT -> order > 0;
    };
  }

  @Override
  public Flux<String> eventTypes() {
    return inOrder().map(Event::eventType).collect(TreeSet<String>::new, Set::add).flatMapIterable(s -> s);
  }

  @Override
  public Flux<TraitDescription> traitDescriptions(String eventType) {
    return Flux.defer(() -> {
      // first stored: in insertion order, not generated order
      Set<TraitDescription> seen = new LinkedHashSet<>();
      for (Entry<Event> s : log.snapshot()) {
        if (!s.value().eventType().equals(eventType)) continue;
        for (Trait t : s.value().traits()) seen.add(new TraitDescription(t.name(), t.type()));
      }
      return Flux.fromIterable(seen);
    });
  }

  @Override
  public Flux<Trait> traits(String eventType, String traitName) {
    return inOrder().filter(e -> e.eventType().equals(eventType)).flatMapIterable(Event::traits)
        .filter(t -> traitName == null || traitName.equals(t.name()));
  }
}
