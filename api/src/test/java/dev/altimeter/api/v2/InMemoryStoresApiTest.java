package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.InMemoryEventStore;
import dev.altimeter.storage.InMemorySampleStore;
import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.ingest.RecordingIngestCounters;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.TokenStore;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The API over the in-memory stores, no PostgreSQL: what it answers depends only on the {@link
 * SampleStore} contract, which both stores pass ({@code SampleStoreTestKit}).
 */
@SpringBootTest(classes = InMemoryStoresApiTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"altimeter.api.auth=none", "altimeter.data-dir=target/test-data"})
class InMemoryStoresApiTest {
  /** The API's beans with in-memory stores; ApiTestApplication (PostgreSQL) is left out of the scan. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @ComponentScan(basePackages = "dev.altimeter.api", excludeFilters = {
      @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
      @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE, classes = ApiTestApplication.class)})
  static class App {
    @Bean
    InMemorySampleStore sampleStore() {
      return new InMemorySampleStore(10_000);
    }

    @Bean
    EventStore eventStore() {
      return new InMemoryEventStore(1_000);
    }

    @Bean
    SampleConsumer sampleConsumer(SampleStore store) {
      return samples -> store.write(samples).then();
    }

    @Bean
    RecordingIngestCounters ingestCounters() {
      return new RecordingIngestCounters();
    }

    /** Without authentication no token is ever looked up; a call would be a bug of this test's setup. */
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

  @LocalServerPort
  int port;
  @Autowired
  InMemorySampleStore store;
  @Autowired
  RecordingIngestCounters counters;
  WebTestClient http;

  @BeforeEach
  void connect() {
    store.clear();
    http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(java.time.Duration.ofSeconds(60)).build();
  }

  private void post(String resource, String timestamp, double volume) {
    http.post().uri("/v2/meters/cpu").contentType(MediaType.APPLICATION_JSON).bodyValue("""
        [{"counter_name": "cpu", "counter_type": "gauge", "counter_unit": "ns", "counter_volume": %s,
          "resource_id": "%s", "project_id": "p1", "user_id": "u1", "timestamp": "%s"}]"""
        .formatted(volume, resource, timestamp)).exchange().expectStatus().isCreated();
  }

  @Test
  void postedSamplesAreListedAndAggregated() {
    post("r1", "2024-03-01T10:00:00", 1);
    post("r2", "2024-03-01T10:01:00", 8);
    post("r1", "2024-03-01T10:03:00", 3);
    http.get().uri("/v2/meters/cpu/statistics?groupby=resource_id").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[*].groupby.resource_id").isEqualTo(List.of("r1", "r2"))
        .jsonPath("$[*].count").isEqualTo(List.of(2, 1))
        .jsonPath("$[*].sum").isEqualTo(List.of(4.0, 8.0))
        .jsonPath("$[*].duration").isEqualTo(List.of(180.0, 0.0));
    http.get().uri("/v2/resources").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("r1", "r2"))
        .jsonPath("$[0].last_sample_timestamp").isEqualTo("2024-03-01T10:03:00");
    http.get().uri("/v2/meters/cpu?limit=2").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[*].counter_volume").isEqualTo(List.of(3.0, 8.0));
    http.get().uri("/v2/event_types").exchange().expectStatus().isOk().expectBody().json("[]");
  }

  /** The sample POST counts in the metric every ingest door counts in, as receiver v2. */
  @Test
  void thePostCountsAsTheV2Receiver() {
    long accepted = counters.count("v2", IngestOutcome.ACCEPTED);
    long invalid = counters.count("v2", IngestOutcome.INVALID);
    post("r1", "2024-03-01T10:00:00", 1);
    http.post().uri("/v2/meters/cpu").contentType(MediaType.APPLICATION_JSON).bodyValue("""
        [{"counter_name": "cpu", "counter_type": "gauge", "counter_unit": "ns", "counter_volume": 1, "resource_id": "r1"},
         {"counter_name": "cpu", "counter_type": "nonsense", "counter_unit": "ns", "counter_volume": 1, "resource_id": "r1"}]""")
        .exchange().expectStatus().isBadRequest();
    assertThat(counters.count("v2", IngestOutcome.ACCEPTED)).isEqualTo(accepted + 1);
    assertThat(counters.count("v2", IngestOutcome.INVALID)).isEqualTo(invalid + 1);
  }
}
