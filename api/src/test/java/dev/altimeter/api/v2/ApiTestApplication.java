package dev.altimeter.api.v2;

import dev.altimeter.ingest.RecordingIngestCounters;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.InMemoryEventStore;
import dev.altimeter.storage.InMemorySampleStore;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.TokenStore;
import java.util.UUID;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The API alone over the in-memory stores, no database: what it answers depends only on the {@link
 * SampleStore} and {@link EventStore} contracts, which the in-memory and PostgreSQL stores both
 * pass (core's store test kits), as Zipkin runs its API tests over InMemoryStorage. The pipeline is
 * replaced by a direct store write: the API's contract with it is only "completes when stored".
 * What needs PostgreSQL itself (tokens, every route once, the fuzzing) replaces the stores with
 * PostgreSQL's ({@link PostgresApiTestSupport}).
 */
@SpringBootApplication(scanBasePackages = "dev.altimeter.api")
class ApiTestApplication {
  /** Room for the largest data set a test writes (the PromQL conformance data). */
  @Bean
  InMemorySampleStore sampleStore() {
    return new InMemorySampleStore(500_000);
  }

  @Bean
  InMemoryEventStore eventStore() {
    return new InMemoryEventStore(10_000);
  }

  @Bean
  SampleConsumer sampleConsumer(SampleStore store) {
    return samples -> store.write(samples).then();
  }

  @Bean
  RecordingIngestCounters ingestCounters() {
    return new RecordingIngestCounters();
  }

  /**
   * Tokens only exist in PostgreSQL: the token mode's tests run on {@link PostgresApiTestSupport}.
   * Here nothing looks a token up; a call would be a bug of the test's setup, so it fails loudly.
   */
  @Bean
  TokenStore tokenStore() {
    return new TokenStore() {
      @Override public Mono<Void> create(Token token, byte[] sha256) { return refused(); }
      @Override public Mono<Token> find(byte[] sha256) { return refused(); }
      @Override public Flux<Token> list() { return Flux.error(new UnsupportedOperationException("no tokens")); }
      @Override public Mono<Boolean> delete(UUID id) { return refused(); }

      private <T> Mono<T> refused() {
        return Mono.error(new UnsupportedOperationException("no tokens"));
      }
    };
  }
}
