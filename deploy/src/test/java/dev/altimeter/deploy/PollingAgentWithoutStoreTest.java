package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.notification.amqp.TestBroker;
import dev.altimeter.collector.pipeline.publish.DatabasePublisher;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.postgres.PostgresStorage;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The polling agent alone, its pipeline publishing to {@code notifier://} only: no store at all (no
 * PostgreSQL, embedded or not; no R2DBC connection factory; no migrations), the host's samples reach
 * the broker, and the management port answers readiness and metrics. No {@code spring.r2dbc.url} is
 * set: a store started by mistake would be an embedded PostgreSQL, and its bean would be there.
 */
@SpringBootTest(classes = AltimeterApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"altimeter.roles=polling", "altimeter.polling.file=src/test/resources/polling-every-second.yaml",
        "management.server.port=0", "altimeter.pipeline.reload-interval=200ms"})
class PollingAgentWithoutStoreTest {
  static final String TOPIC = "agent-test-" + UUID.randomUUID();
  static final Path PIPELINE = pipelineFile("notifier://?topic=" + TOPIC);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.rabbitmq.addresses", () -> TestBroker.uri().toString());
    registry.add("altimeter.pipeline.file", PIPELINE::toString);
    // where an embedded PostgreSQL would go if one were started by mistake
    registry.add("altimeter.data-dir", () -> PIPELINE.getParent().resolve("data").toString());
  }

  static Path pipelineFile(String publisher) {
    try {
      Path file = Files.createTempDirectory("altimeter-agent").resolve("pipeline.yaml");
      Files.writeString(file, pipeline(publisher));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String pipeline(String publisher) {
    return "---\nsources:\n  - name: all\n    meters:\n      - \"*\"\n    sinks:\n      - out\n"
        + "sinks:\n  - name: out\n    publishers:\n      - " + publisher + "\n";
  }

  @Autowired
  ApplicationContext context;
  @Autowired
  MeterRegistry registry;
  @LocalManagementPort
  int managementPort;

  @Test
  void noStoreIsStartedAndTheSamplesReachTheBroker() throws Exception {
    assertThat(context.getBeanNamesForType(PostgresStorage.class)).isEmpty();
    assertThat(context.getBeanNamesForType(io.r2dbc.spi.ConnectionFactory.class)).isEmpty();
    assertThat(context.getBeanNamesForType(SampleStore.class)).isEmpty();
    assertThat(context.getBeanNamesForType(DatabasePublisher.class)).isEmpty();
    assertThat(PIPELINE.getParent().resolve("data")).doesNotExist();
    // nor the actuator's Jackson 2 mapper (application.yaml): ≈ 400 classes the agent has no use for
    assertThat(context.containsBean("jackson2EndpointJsonMapper")).isFalse();

    // the host's meters, published by notifier:// to the queue named after its topic
    RabbitTemplate rabbit = new RabbitTemplate(TestBroker.connectionFactory());
    Message message = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (message == null && System.nanoTime() < deadline) {
      message = rabbit.receive(TOPIC + ".sample", 1000);
    }
    assertThat(message).as("a notification on %s.sample", TOPIC).isNotNull();
    assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).contains("hardware.");

    WebTestClient management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort)
        .responseTimeout(Duration.ofSeconds(60)).build();
    management.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.status").isEqualTo("UP")
        .jsonPath("$.components.store.status").isEqualTo("UNKNOWN");
    management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class)
        .value(body -> assertThat(body).contains("altimeter_polling").doesNotContain("r2dbc_pool"));
  }

  /** A reload that adds database:// is refused with the reason; the store is not started after the fact. */
  @Test
  void aReloadThatNamesTheDatabaseIsRejected() throws Exception {
    double rejected = rejectedReloads();
    Files.writeString(PIPELINE, pipeline("database://"));
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (rejectedReloads() == rejected && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(rejectedReloads()).isEqualTo(rejected + 1);
      assertThat(context.getBeanNamesForType(PostgresStorage.class)).isEmpty();
    } finally {
      Files.writeString(PIPELINE, pipeline("notifier://?topic=" + TOPIC));
    }
  }

  double rejectedReloads() {
    var counter = registry.find("altimeter.pipeline.reloads").tag("outcome", "rejected").tag("file", "pipeline")
        .counter();
    return counter == null ? 0 : counter.count();
  }
}
