package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryEventStoreTest extends EventStoreTestKit {
  private final InMemoryEventStore store = new InMemoryEventStore(10_000);

  @Override
  protected EventStore store() {
    return store;
  }

  @Override
  protected void clear() {
    store.clear();
  }

  @Test
  void keepsTheNewestWritesAndCountsTheOldestDropped() {
    InMemoryEventStore small = new InMemoryEventStore(2);
    small.write(List.of(event("m-1", "a", T0.plusSeconds(9)), event("m-2", "a", T0))).block();
    small.write(List.of(event("m-3", "a", T0.plusSeconds(1)))).block();
    assertThat(small.size()).isEqualTo(2);
    assertThat(small.dropped()).isEqualTo(1);
    assertThat(small.events(EventFilter.ALL, 10).map(Event::messageId).collectList().block())
        .containsExactly("m-2", "m-3");
    assertThat(small.write(List.of(event("m-1", "a", T0))).block()).isEqualTo(1);
  }
}
