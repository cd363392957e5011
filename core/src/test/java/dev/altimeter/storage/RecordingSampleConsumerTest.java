package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class RecordingSampleConsumerTest {
  final RecordingSampleConsumer consumer = new RecordingSampleConsumer();

  static Sample sample(double volume) {
    return Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(volume).resourceId("r1")
        .timestamp(Instant.parse("2024-03-01T10:00:00Z")).build();
  }

  @Test
  void recordsBatchesWhenSubscribedNotWhenCalled() {
    Mono<Void> pending = consumer.accept(List.of(sample(1), sample(2)));
    assertThat(consumer.calls()).isZero();
    pending.block();
    consumer.accept(List.of(sample(3))).block();
    assertThat(consumer.batches()).extracting(List::size).containsExactly(2, 1);
    assertThat(consumer.samples()).extracting(Sample::volume).containsExactly(1.0, 2.0, 3.0);
  }

  @Test
  void refusesTheNextCallsThenAccepts() {
    consumer.refuseNext(2, new SampleConsumer.Overloaded("full"));
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> consumer.accept(List.of(sample(1))).block()).isInstanceOf(SampleConsumer.Overloaded.class);
    }
    assertThat(consumer.refusalsLeft()).isZero();
    consumer.accept(List.of(sample(2))).block();
    assertThat(consumer.samples()).extracting(Sample::volume).containsExactly(2.0);
    assertThat(consumer.calls()).isEqualTo(3);

    consumer.refuse(new SampleConsumer.Overloaded("full"));
    assertThatThrownBy(() -> consumer.accept(List.of(sample(3))).block()).isInstanceOf(SampleConsumer.Overloaded.class);
    consumer.acceptAll();
    consumer.accept(List.of(sample(4))).block();
    assertThat(consumer.samples()).extracting(Sample::volume).containsExactly(2.0, 4.0);
  }

  @Test
  void heldCallsAreRecordedOnlyWhenReleased() throws InterruptedException {
    consumer.hold();
    List<Boolean> done = new java.util.concurrent.CopyOnWriteArrayList<>();
    consumer.accept(List.of(sample(1))).subscribe(null, null, () -> done.add(true));
    assertThat(consumer.held()).isEqualTo(1);
    assertThat(done).isEmpty();
    assertThat(consumer.samples()).isEmpty();
    consumer.release();
    assertThat(done).containsExactly(true);
    assertThat(consumer.awaitSamples(1, Duration.ofSeconds(5))).extracting(Sample::volume).containsExactly(1.0);
    assertThat(consumer.held()).isZero();
  }

  @Test
  void awaitingSamplesThatNeverComeFailsSayingHowManyCame() {
    consumer.accept(List.of(sample(1))).block();
    assertThatThrownBy(() -> consumer.awaitSamples(2, Duration.ofMillis(50))).isInstanceOf(AssertionError.class)
        .hasMessageContaining("got 1");
  }
}
