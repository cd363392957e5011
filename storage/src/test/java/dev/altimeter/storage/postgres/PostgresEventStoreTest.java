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

  /** PostgreSQL text cannot hold NUL: the database rejects the second event, so neither is stored. */
  @Test
  void aBatchTheDatabaseRejectsStoresNothing() {
    Event good = new Event("m-good", "a.b", T0, List.of(new Trait("k", TraitType.STRING, "v")), Map.of());
    Event bad = new Event("m-bad", "a.b", T0, List.of(new Trait("k", TraitType.STRING, "v\u0000")), Map.of());
    assertThatThrownBy(() -> store().write(List.of(good, bad)).block(Duration.ofSeconds(30)))
        .isInstanceOf(RuntimeException.class);
    assertThat(store().events(EventFilter.ALL, 10).collectList().block(Duration.ofSeconds(30))).isEmpty();
  }
}
