package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.notification.amqp.TestBroker;
import dev.altimeter.storage.TestPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A meters.yaml with a bad definition (type {@code counter}): the service starts with the others,
 * API included, and shows what it skipped in health and metrics; strictly it does not start.
 */
@SpringBootTest(classes = AltimeterApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"altimeter.roles=notification,api", "altimeter.meters.dirs=" + BadDefinitionsServiceTest.DIR})
class BadDefinitionsServiceTest {
  static final String DIR = "src/test/resources/definitions/meters";
  static final String ERROR = DIR + "/meters.yaml:12: metric[1] 'cpu'.type: "
      + "invalid type counter specified (gauge, delta or cumulative)";

  @LocalServerPort
  int port;
  @LocalManagementPort
  int managementPort;

  @DynamicPropertySource
  static void services(DynamicPropertyRegistry registry) {
    registry.add("spring.r2dbc.url", TestPostgres::r2dbcUrl);
    registry.add("spring.rabbitmq.addresses", () -> TestBroker.uri().toString());
  }

  @Test
  void theServiceStartsWithoutTheBadDefinitionAndShowsIt() {
    WebTestClient http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(Duration.ofSeconds(30)).build();
    // the API is up
    http.get().uri("/v2/meters").header("X-User-Id", "u1").header("X-Project-Id", "p1").header("X-Roles", "admin")
        .exchange().expectStatus().isOk();
    WebTestClient management = WebTestClient.bindToServer().baseUrl("http://localhost:" + managementPort)
        .responseTimeout(Duration.ofSeconds(30)).build();
    management.get().uri("/actuator/health/notificationDefinitions").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.status").isEqualTo("UP")
        .jsonPath("$.details.meterDefinitions").isEqualTo(1)
        .jsonPath("$.details.skipped.length()").isEqualTo(1)
        .jsonPath("$.details.skipped[0]").isEqualTo(ERROR);
    String prometheus = management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(prometheus)
        .containsPattern("altimeter_definitions_skipped\\{.*kind=\"meter\"} 1")
        .containsPattern("altimeter_definitions_skipped\\{.*kind=\"event\"} 0");
  }

  @Test
  void strictlyTheBadDefinitionStopsTheStart() {
    SpringApplicationBuilder strict = new SpringApplicationBuilder(AltimeterApplication.class).properties(
        "server.port=0", "management.server.port=0", "altimeter.roles=notification", "altimeter.meters.dirs=" + DIR,
        "altimeter.definitions.strict=true", "spring.r2dbc.url=" + TestPostgres.r2dbcUrl(),
        "spring.rabbitmq.addresses=" + TestBroker.uri());
    assertThatThrownBy(() -> strict.run().close())
        .rootCause().isInstanceOf(ConfigException.class).hasMessage(ERROR);
  }
}
