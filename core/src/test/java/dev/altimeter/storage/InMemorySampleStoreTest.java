package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySampleStoreTest extends SampleStoreTestKit {
  private final InMemorySampleStore store = new InMemorySampleStore(10_000);

  @Override
  protected SampleStore store() {
    return store;
  }

  @Override
  protected void clear() {
    store.clear();
  }

  @Test
  void keepsTheNewestWritesAndCountsTheOldestDropped() {
    InMemorySampleStore small = new InMemorySampleStore(3);
    Sample a = sample("cpu", "r1", T0, 1).build();
    small.write(List.of(a, sample("cpu", "r1", T0.plusSeconds(1), 2).build())).block();
    small.write(List.of(sample("cpu", "r1", T0.plusSeconds(2), 3).build(),
        sample("cpu", "r1", T0.minusSeconds(9), 4).build())).block();
    assertThat(small.size()).isEqualTo(3);
    assertThat(small.dropped()).isEqualTo(1);
    // the first stored went, though it is not the oldest timestamp
    assertThat(small.samples(SampleFilter.ALL, 10).map(Sample::volume).collectList().block())
        .containsExactly(3.0, 2.0, 4.0);
    // forgotten entirely: a redelivery is stored again
    assertThat(small.write(List.of(a)).block()).isEqualTo(1);
    assertThat(small.dropped()).isEqualTo(2);
  }

  @Test
  void refusesANonPositiveBound() {
    assertThatThrownBy(() -> new InMemorySampleStore(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSamples");
  }
}
