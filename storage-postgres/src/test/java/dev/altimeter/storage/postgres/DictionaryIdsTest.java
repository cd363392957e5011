package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The id cache's contract without a database: ids of a statement's rows are kept only once the
 * statement completed, never after it failed, and the cache never holds more than its limit. What a
 * lost commit does to the stores is {@link DictionaryCacheTest}'s.
 */
class DictionaryIdsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Test
  void idsAreKeptOnlyOnceTheStatementCompleted() {
    DictionaryIds<String, Integer> ids = new DictionaryIds<>(10);
    Sinks.Many<Map.Entry<String, Integer>> rows = Sinks.many().unicast().onBackpressureBuffer();
    Mono<Void> remembered = ids.remember(rows.asFlux()).cache();
    remembered.subscribe();

    rows.tryEmitNext(Map.entry("cpu", 1));
    assertThat(ids.contains("cpu")).as("a row before its statement completed").isFalse();
    assertThat(ids.get("cpu")).isNull();

    rows.tryEmitComplete();
    remembered.block(TIMEOUT);
    assertThat(ids.get("cpu")).isEqualTo(1);
  }

  @Test
  void noIdOfAStatementThatFailedAfterItsRowsIsKept() {
    DictionaryIds<String, Integer> ids = new DictionaryIds<>(10);
    Flux<Map.Entry<String, Integer>> lostCommit =
        Flux.concat(Flux.just(Map.entry("cpu", 1)), Flux.error(new IllegalStateException("commit lost")));

    assertThatThrownBy(() -> ids.remember(lostCommit).block(TIMEOUT)).hasMessageContaining("commit lost");
    assertThat(ids.contains("cpu")).isFalse();
  }

  @Test
  void anEntryThatFindsTheCacheFullClearsItFirst() {
    DictionaryIds<String, Integer> ids = new DictionaryIds<>(2);
    ids.remember(Flux.just(Map.entry("a", 1), Map.entry("b", 2))).block(TIMEOUT);
    assertThat(ids.contains("a")).isTrue();
    assertThat(ids.contains("b")).isTrue();

    ids.remember(Flux.just(Map.entry("c", 3))).block(TIMEOUT);
    assertThat(ids.contains("a")).isFalse();
    assertThat(ids.contains("b")).isFalse();
    assertThat(ids.get("c")).isEqualTo(3);
  }

  @Test
  void forgottenIdsAreLearntAgain() {
    DictionaryIds<String, Integer> ids = new DictionaryIds<>(10);
    ids.remember(Flux.just(Map.entry("a", 1))).block(TIMEOUT);
    ids.forget();
    assertThat(ids.contains("a")).isFalse();

    ids.remember(Flux.just(Map.entry("a", 7))).block(TIMEOUT);
    assertThat(ids.get("a")).isEqualTo(7);
  }
}
