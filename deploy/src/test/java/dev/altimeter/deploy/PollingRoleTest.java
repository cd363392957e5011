package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The polling and api roles alone: the host's own meters, read from /proc on the bounded blocking
 * scheduler (BlockHound watches), reach the store and {@code /v2/meters} within one interval.
 */
@SpringBootTest(classes = AltimeterApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"altimeter.roles=polling,api", "altimeter.polling.file=src/test/resources/polling-every-second.yaml"})
class PollingRoleTest {
  @LocalServerPort
  int port;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.r2dbc.url", TestPostgres::r2dbcUrl);
  }

  @Test
  void hostMetersAppearInTheMeterList() {
    WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(Duration.ofSeconds(60)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<Map<String, Object>> meters = List.of();
    while (System.nanoTime() < deadline) {
      meters = http.get().uri("/v2/meters?q.field=source&q.value=hardware&limit=1000").exchange()
          .expectStatus().isOk().expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() {})
          .returnResult().getResponseBody();
      if (meters.stream().anyMatch(m -> "hardware.memory.used".equals(m.get("name")))) break;
    }
    assertThat(meters).extracting(m -> m.get("name"))
        .contains("hardware.cpu.load.1min", "hardware.memory.total", "hardware.memory.used");
    assertThat(meters).filteredOn(m -> "hardware.memory.total".equals(m.get("name")))
        .allSatisfy(m -> assertThat(m).containsEntry("type", "gauge").containsEntry("unit", "KB"));
  }
}
