package dev.altimeter.api.v2;

import dev.altimeter.storage.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Starts the API on a random port over the test PostgreSQL; every test starts with empty tables. */
@SpringBootTest(classes = ApiTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.http.codecs.max-in-memory-size=32MB", "logging.level.io.zonky=WARN", "logging.level.org.flywaydb=WARN"})
abstract class ApiTestSupport {
  @LocalServerPort
  int port;
  WebTestClient http;

  @BeforeEach
  void connect() {
    TestPostgres.truncate();
    http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .codecs(c -> c.defaultCodecs().maxInMemorySize(32 * 1024 * 1024)).build();
  }

  WebTestClient.ResponseSpec post(String path, String json, String... headers) {
    var spec = http.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(json);
    for (int i = 0; i < headers.length; i += 2) spec = spec.header(headers[i], headers[i + 1]);
    return spec.exchange();
  }

  WebTestClient.ResponseSpec get(String path, String... headers) {
    var spec = http.get().uri(path);
    for (int i = 0; i < headers.length; i += 2) spec = spec.header(headers[i], headers[i + 1]);
    return spec.exchange();
  }

  /** Asserts Ceilometer's fault document with this status and faultstring. */
  static void fault(WebTestClient.ResponseSpec response, int status, String faultstring) {
    response.expectStatus().isEqualTo(status)
        .expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody()
        .jsonPath("$.error_message.faultcode").isEqualTo(status >= 500 ? "Server" : "Client")
        .jsonPath("$.error_message.faultstring").isEqualTo(faultstring)
        .jsonPath("$.error_message.debuginfo").isEmpty();
  }
}
