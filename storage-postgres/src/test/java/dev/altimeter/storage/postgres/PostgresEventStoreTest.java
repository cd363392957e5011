package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.EventStoreTestKit;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresEventStoreTest extends EventStoreTestKit {
  @Override
  protected EventStore store() {
    return TestPostgres.storage().eventStore();
  }

  @Override
  protected void clear() {
    TestPostgres.truncate();
  }

  /**
   * A message id too long for its unique index (a btree entry holds at most 2704 bytes; random text
   * does not compress): the database rejects the second event, so neither is stored, and says it is
   * the data's fault. (A NUL, the other such value, can no longer be built into an event.)
   */
  @Test
  void aBatchTheDatabaseRejectsStoresNothing() {
    Event good = new Event("m-good", "a.b", T0, List.of(new Trait("k", TraitType.STRING, "v")), Map.of());
    StringBuilder id = new StringBuilder();
    while (id.length() < 4000) id.append(java.util.UUID.randomUUID());
    Event bad = new Event(id.toString(), "a.b", T0, List.of(new Trait("k", TraitType.STRING, "v")), Map.of());
    assertThatThrownBy(() -> store().write(List.of(good, bad)).block(Duration.ofSeconds(30)))
        .isInstanceOf(dev.altimeter.storage.StoreException.InvalidData.class);
    assertThat(store().events(EventFilter.ALL, 10).collectList().block(Duration.ofSeconds(30))).isEmpty();
  }
}
