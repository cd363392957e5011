package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.EventFilter.Op;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link EventStore}: every implementation extends this class and must pass it, as
 * {@link SampleStoreTestKit} does for samples.
 */
public abstract class EventStoreTestKit {
  protected static final Instant T0 = Instant.parse("2024-03-01T10:00:00.123456Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The store under test. */
  protected abstract EventStore store();

  /** Removes everything the previous test stored. */
  protected abstract void clear();

  @BeforeEach
  void clearStore() {
    clear();
  }

  protected static Event event(String messageId, String type, Instant generated, Trait... traits) {
    return new Event(messageId, type, generated, List.of(traits), Map.of());
  }

  protected static Trait text(String name, String value) {
    return new Trait(name, TraitType.STRING, value);
  }

  protected static Trait integer(String name, long value) {
    return new Trait(name, TraitType.INTEGER, value);
  }

  protected static Trait real(String name, double value) {
    return new Trait(name, TraitType.FLOAT, value);
  }

  protected static Trait datetime(String name, Instant value) {
    return new Trait(name, TraitType.DATETIME, value);
  }

  protected int write(Event... events) {
    return store().write(List.of(events)).block(TIMEOUT);
  }

  protected List<Event> events(EventFilter filter, int limit) {
    return store().events(filter, limit).collectList().block(TIMEOUT);
  }

  protected List<String> ids(EventFilter filter) {
    return events(filter, 1000).stream().map(Event::messageId).toList();
  }

  @Test
  public void writtenEventReadsBackFieldForField() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("event_type", "compute.instance.create.end");
    raw.put("payload", Map.of("memory_mb", 512, "nested", List.of(1, "two", Map.of("x", true))));
    raw.put("ctxt", Map.of());
    raw.put("publisher_id", null);
    Event e = new Event("m-1", "compute.instance.create.end", T0, List.of(
        text("service", "compute"),
        integer("memory_mb", 512),
        real("ratio", 0.25),
        datetime("launched_at", Instant.parse("2012-05-08T20:23:47.985999Z")),
        text("empty", "")), raw);
    assertThat(store().write(List.of(e)).block(TIMEOUT)).isEqualTo(1);

    assertThat(events(EventFilter.ALL, 10)).containsExactly(e);
    assertThat(events(EventFilter.builder().messageId("m-1").build(), 10)).containsExactly(e);
  }

  @Test
  public void eventWithoutTraitsOrRaw() {
    Event e = event("m-1", "a", T0);
    write(e);
    assertThat(events(EventFilter.ALL, 10)).containsExactly(e);
  }

  @Test
  public void redeliveredMessageIdIsStoredOnce() {
    Event e = event("m-1", "a", T0, text("k", "first"));
    assertThat(write(e)).isEqualTo(1);
    assertThat(write(event("m-1", "a", T0.plusSeconds(5), text("k", "second")), event("m-2", "a", T0)))
        .isEqualTo(1);
    assertThat(events(EventFilter.ALL, 10)).containsExactly(e, event("m-2", "a", T0));
  }

  @Test
  public void duplicateWithinOneBatchIsStoredOnceFirstWins() {
    Event first = event("m-1", "a", T0, text("k", "first"));
    assertThat(write(first, event("m-1", "a", T0, text("k", "second")))).isEqualTo(1);
    assertThat(events(EventFilter.ALL, 10)).containsExactly(first);
  }

  @Test
  public void eventsComeOldestFirstThenInInsertionOrder() {
    write(event("late", "a", T0.plusSeconds(10)));
    write(event("tie-1", "a", T0), event("tie-2", "a", T0), event("early", "a", T0.minusSeconds(1)));
    assertThat(ids(EventFilter.ALL)).containsExactly("early", "tie-1", "tie-2", "late");
    assertThat(events(EventFilter.ALL, 2)).extracting(Event::messageId).containsExactly("early", "tie-1");
  }

  @Test
  public void manyEventsInOneBatch() {
    List<Event> batch = new ArrayList<>();
    IntStream.range(0, 500).forEach(i -> batch.add(event("m-" + i, "t" + (i % 7), T0.plusMillis(i),
        integer("i", i), text("s", "v" + i))));
    assertThat(store().write(batch).block(TIMEOUT)).isEqualTo(500);
    List<Event> back = events(EventFilter.ALL, 1000);
    assertThat(back).isEqualTo(batch);
  }

  @Test
  public void filtersByTypeMessageIdAndInclusiveTimeBounds() {
    write(event("m-1", "compute.instance.create.end", T0),
        event("m-2", "compute.instance.delete.end", T0.plusSeconds(10)),
        event("m-3", "compute.instance.create.end", T0.plusSeconds(20)));
    assertThat(ids(EventFilter.builder().eventType("compute.instance.create.end").build())).containsExactly("m-1", "m-3");
    assertThat(ids(EventFilter.builder().messageId("m-2").build())).containsExactly("m-2");
    assertThat(ids(EventFilter.builder().messageId("nothing").build())).isEmpty();
    assertThat(ids(EventFilter.builder().start(T0.plusSeconds(10)).build())).containsExactly("m-2", "m-3");
    assertThat(ids(EventFilter.builder().end(T0.plusSeconds(10)).build())).containsExactly("m-1", "m-2");
    assertThat(ids(EventFilter.builder().start(T0.plusSeconds(10)).end(T0.plusSeconds(10)).build()))
        .containsExactly("m-2");
    assertThat(ids(EventFilter.builder().eventType("compute.instance.create.end").start(T0.plusSeconds(1)).build()))
        .containsExactly("m-3");
  }

  @Test
  public void filtersByTypedTraits() {
    Instant d1 = Instant.parse("2020-01-01T00:00:00Z");
    write(event("m-1", "a", T0, text("state", "active"), integer("vcpus", 1), real("load", 0.5), datetime("at", d1)),
        event("m-2", "a", T0.plusSeconds(1), text("state", "deleted"), integer("vcpus", 4), real("load", 1.5),
            datetime("at", d1.plusSeconds(60))),
        event("m-3", "a", T0.plusSeconds(2), text("other", "active")));

    assertThat(ids(EventFilter.builder().trait("state", Op.EQ, TraitType.STRING, "active").build())).containsExactly("m-1");
    assertThat(ids(EventFilter.builder().trait("state", Op.NE, TraitType.STRING, "active").build())).containsExactly("m-2");
    assertThat(ids(EventFilter.builder().trait("vcpus", Op.LT, TraitType.INTEGER, 4L).build())).containsExactly("m-1");
    assertThat(ids(EventFilter.builder().trait("vcpus", Op.LE, TraitType.INTEGER, 4L).build())).containsExactly("m-1", "m-2");
    assertThat(ids(EventFilter.builder().trait("vcpus", Op.GT, TraitType.INTEGER, 1L).build())).containsExactly("m-2");
    assertThat(ids(EventFilter.builder().trait("vcpus", Op.GE, TraitType.INTEGER, 1L).build())).containsExactly("m-1", "m-2");
    assertThat(ids(EventFilter.builder().trait("load", Op.GT, TraitType.FLOAT, 1.0).build())).containsExactly("m-2");
    assertThat(ids(EventFilter.builder().trait("at", Op.EQ, TraitType.DATETIME, d1).build())).containsExactly("m-1");
    assertThat(ids(EventFilter.builder().trait("at", Op.GT, TraitType.DATETIME, d1).build())).containsExactly("m-2");
    // the value type selects the traits compared: an integer filter does not see text traits
    assertThat(ids(EventFilter.builder().trait("state", Op.EQ, TraitType.INTEGER, 1L).build())).isEmpty();
    // conditions are AND-ed
    assertThat(ids(EventFilter.builder().trait("state", Op.EQ, TraitType.STRING, "active")
        .trait("vcpus", Op.EQ, TraitType.INTEGER, 4L).build())).isEmpty();
    assertThat(ids(EventFilter.builder().trait("state", Op.EQ, TraitType.STRING, "deleted")
        .trait("vcpus", Op.EQ, TraitType.INTEGER, 4L).build())).containsExactly("m-2");
  }

  @Test
  public void valuesThatAreHardToRepresentReadBackExactly() {
    Event e = event("m-1", "a", T0,
        text("quotes", "say \"hi\" \\ back\nslash, [\"a\", 1]"),
        text("unicode", "café ☃ \uD83D\uDE00"),
        real("integral", 3.0),
        real("tiny", 1e-300),
        real("nan", Double.NaN),
        real("infinite", Double.NEGATIVE_INFINITY),
        integer("big", Long.MAX_VALUE),
        integer("negative", Long.MIN_VALUE),
        datetime("ancient", Instant.parse("1970-01-01T00:00:00.000001Z")),
        datetime("future", Instant.parse("2999-12-31T23:59:59.999999Z")));
    write(e);
    assertThat(events(EventFilter.ALL, 10)).containsExactly(e);
    assertThat(ids(EventFilter.builder().trait("big", Op.EQ, TraitType.INTEGER, Long.MAX_VALUE).build())).containsExactly("m-1");
    assertThat(ids(EventFilter.builder().trait("quotes", Op.EQ, TraitType.STRING, "say \"hi\" \\ back\nslash, [\"a\", 1]").build()))
        .containsExactly("m-1");
    assertThat(ids(EventFilter.builder().trait("integral", Op.EQ, TraitType.FLOAT, 3.0).build())).containsExactly("m-1");
  }

  @Test
  public void aConditionMatchesNameTypeAndValueTogether() {
    // each scalar of the condition occurs in m-1, but never in one trait of that name and type
    write(event("m-1", "a", T0, text("state", "x"), text("x", "state"), text("y", "active")),
        event("m-2", "a", T0.plusSeconds(1), text("state", "active")),
        // the same name with another type in another event: an integer comparison skips it
        event("m-3", "a", T0.plusSeconds(2), text("size", "large")),
        event("m-4", "a", T0.plusSeconds(3), integer("size", 5)));
    assertThat(ids(EventFilter.builder().trait("state", Op.EQ, TraitType.STRING, "active").build())).containsExactly("m-2");
    assertThat(ids(EventFilter.builder().trait("x", Op.EQ, TraitType.STRING, "state").build())).containsExactly("m-1");
    assertThat(ids(EventFilter.builder().trait("size", Op.LT, TraitType.INTEGER, 10L).build())).containsExactly("m-4");
    assertThat(ids(EventFilter.builder().trait("size", Op.EQ, TraitType.INTEGER, 5L).build())).containsExactly("m-4");
    assertThat(ids(EventFilter.builder().trait("size", Op.GT, TraitType.STRING, "a").build())).containsExactly("m-3");
  }

  @Test
  public void eventTypesSorted() {
    assertThat(store().eventTypes().collectList().block(TIMEOUT)).isEmpty();
    write(event("m-1", "compute.instance.exists", T0), event("m-2", "a.b", T0), event("m-3", "compute.instance.exists", T0));
    assertThat(store().eventTypes().collectList().block(TIMEOUT)).containsExactly("a.b", "compute.instance.exists");
  }

  @Test
  public void traitDescriptionsAndTraitsOfAType() {
    write(event("m-1", "a", T0, text("state", "active"), integer("vcpus", 1)),
        event("m-2", "a", T0.plusSeconds(1), text("state", "deleted"), real("load", 0.5)),
        event("m-3", "b", T0, text("other", "x")));
    // in the order they were first stored (Ceilometer's SQL store), not sorted
    assertThat(store().traitDescriptions("a").collectList().block(TIMEOUT)).containsExactly(
        new TraitDescription("state", TraitType.STRING), new TraitDescription("vcpus", TraitType.INTEGER),
        new TraitDescription("load", TraitType.FLOAT));
    assertThat(store().traitDescriptions("nothing").collectList().block(TIMEOUT)).isEmpty();
    assertThat(store().traits("a", "state").collectList().block(TIMEOUT))
        .containsExactly(text("state", "active"), text("state", "deleted"));
    assertThat(store().traits("a", null).collectList().block(TIMEOUT))
        .containsExactly(text("state", "active"), integer("vcpus", 1), text("state", "deleted"), real("load", 0.5));
  }
}
