package dev.altimeter.api.v2;

import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.postgres.PostgresSampleStore;
import io.r2dbc.spi.ConnectionFactories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/** While the database cannot be reached, reads and ingest answer 503 with Retry-After, never 500. */
@Import(StoreDownTest.UnreachableStore.class)
class StoreDownTest extends ApiTestSupport {

  @TestConfiguration
  static class UnreachableStore {
    @Bean
    @Primary
    SampleStore unreachableStore() {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort(); // closed again: nothing listens there
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new PostgresSampleStore(ConnectionFactories.get("r2dbc:postgresql://postgres@127.0.0.1:" + port + "/x"));
    }
  }

  @Test
  void ingestAndReadsAre503WithRetryAfter() {
    var post = post("/v2/meters/cpu", "[{\"counter_name\": \"cpu\", \"counter_type\": \"gauge\", \"counter_unit\": \"ns\","
        + " \"counter_volume\": 1, \"resource_id\": \"r1\"}]");
    post.expectStatus().isEqualTo(503).expectHeader().valueEquals("Retry-After", "1")
        .expectBody().jsonPath("$.error_message.faultcode").isEqualTo("Server");
    for (String path : new String[] {"/v2/samples", "/v2/meters", "/v2/resources", "/v2/meters/cpu/statistics"}) {
      get(path).expectStatus().isEqualTo(503).expectHeader().valueEquals("Retry-After", "1");
    }
  }
}
