package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleQuery;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.StoreException;
import dev.altimeter.storage.TestPostgres;
import io.r2dbc.spi.ConnectionFactories;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The store's failures come in the two kinds callers act on: the request's values (permanent, 400 /
 * dead letter) and the store being unreachable (transient, 503 / requeue).
 */
class PostgresErrorsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void valuesPostgresRefusesAreInvalidData() {
    PostgresSampleStore store = TestPostgres.storage().store();
    var badRegex = new SampleQuery(new SampleQuery.Compare(SampleQuery.Field.RESOURCE_ID, SampleQuery.Op.REGEX, "("),
        List.of(), 10);
    assertThatThrownBy(() -> store.query(badRegex).collectList().block(TIMEOUT))
        .isInstanceOf(StoreException.InvalidData.class).hasMessageContaining("2201B");
    assertThatThrownBy(() -> store.samples(SampleFilter.builder().resourceId("a\0b").build(), 10).collectList()
        .block(TIMEOUT)).isInstanceOf(StoreException.InvalidData.class);
  }

  /**
   * Issue 14, item 5: a write that kept losing to concurrent ones (deadlock, serialization failure,
   * a cached id evicted under it) was retried, then failed with Reactor's RetryExhaustedException,
   * which nothing translated: the API answered 500. It is retried 3 times, then the last failure is
   * Unavailable (503, retry later).
   */
  @Test
  void aWriteThatKeepsLosingToConcurrentOnesIsUnavailableAfterItsRetries() {
    for (RuntimeException conflict : List.of(new io.r2dbc.spi.R2dbcRollbackException("deadlock detected", "40P01"),
        new io.r2dbc.spi.R2dbcRollbackException("could not serialize access", "40001"),
        new PostgresErrors.Conflict("dictionary entry evicted during a write: meter"))) {
      java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
      var write = reactor.core.publisher.Mono.defer(() -> {
        attempts.incrementAndGet();
        return reactor.core.publisher.Mono.<Integer>error(conflict);
      }).retryWhen(PostgresErrors.RETRY).onErrorMap(PostgresErrors::translate);
      assertThatThrownBy(() -> write.block(TIMEOUT)).isInstanceOf(StoreException.Unavailable.class)
          .hasCause(conflict);
      org.assertj.core.api.Assertions.assertThat(attempts).hasValue(4);
    }
  }

  @Test
  void anUnreachableServerIsUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    var store = new PostgresSampleStore(ConnectionFactories.get("r2dbc:postgresql://postgres@127.0.0.1:" + port + "/x"));
    Sample sample = Sample.builder().meter("m").type(SampleType.GAUGE).unit("u").volume(1).resourceId("r")
        .projectId("p").userId("u").source("s").timestamp(Instant.now()).resourceMetadata(Map.of()).build();
    assertThatThrownBy(() -> store.write(List.of(sample)).block(TIMEOUT)).isInstanceOf(StoreException.Unavailable.class);
    assertThatThrownBy(() -> store.samples(SampleFilter.builder().build(), 1).collectList().block(TIMEOUT))
        .isInstanceOf(StoreException.Unavailable.class);
  }
}
