package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.postgres.PostgresStorage;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The polling agent alone with the built-in pipeline.yaml, which publishes to {@code database://}:
 * it runs the store ({@link PollingAgentWithoutStoreTest} is the agent without), and the host's
 * samples are committed to it.
 */
@SpringBootTest(classes = AltimeterApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"altimeter.roles=polling", "altimeter.polling.file=src/test/resources/polling-every-second.yaml"})
class PollingAgentWithStoreTest {
  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.r2dbc.url", TestPostgres::r2dbcUrl);
  }

  @Autowired
  PostgresStorage storage;

  @Test
  void theDatabasePublisherGetsTheStore() {
    SampleFilter memory = SampleFilter.builder().meter("hardware.memory.total").build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long stored = 0;
    while (stored == 0 && System.nanoTime() < deadline) {
      stored = storage.store().samples(memory, 1).count().block(Duration.ofSeconds(10));
    }
    assertThat(stored).isEqualTo(1);
  }
}
