package dev.altimeter.api.v2;

import dev.altimeter.ingest.RecordingIngestCounters;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.TokenStore;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The API alone over a real PostgreSQL store. The pipeline is replaced by a direct store write: the
 * API's contract with it is only "completes when stored".
 */
@SpringBootApplication(scanBasePackages = "dev.altimeter.api")
class ApiTestApplication {
  @Bean
  SampleStore sampleStore() {
    return TestPostgres.storage().store();
  }

  @Bean
  TokenStore tokenStore() {
    return TestPostgres.storage().tokens();
  }

  @Bean
  EventStore eventStore() {
    return TestPostgres.storage().eventStore();
  }

  @Bean
  SampleConsumer sampleConsumer(SampleStore store) {
    return samples -> store.write(samples).then();
  }

  @Bean
  RecordingIngestCounters ingestCounters() {
    return new RecordingIngestCounters();
  }
}
