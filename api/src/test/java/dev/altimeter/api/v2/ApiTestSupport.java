package dev.altimeter.api.v2;

import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.InMemoryEventStore;
import dev.altimeter.storage.InMemorySampleStore;
import dev.altimeter.storage.SampleStore;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Starts the API on a random port over the in-memory stores ({@link ApiTestApplication}); every
 * test starts with empty stores. {@link PostgresApiTestSupport} does the same over PostgreSQL.
 */
@SpringBootTest(classes = ApiTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.http.codecs.max-in-memory-size=32MB",
        // Ceilometer's own API tests run without authentication; the auth modes have their own tests
        "altimeter.api.auth=none", "altimeter.data-dir=target/test-data"})
abstract class ApiTestSupport {
  @LocalServerPort
  int port;
  /** The store behind the API, where tests write what they then read through it. */
  @Autowired
  SampleStore store;
  @Autowired
  EventStore eventStore;
  WebTestClient http;

  @BeforeEach
  void connect() {
    empty();
    // generous: the machine is shared, and a fresh context's first request can be slow
    http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
        .responseTimeout(java.time.Duration.ofSeconds(60))
        .codecs(c -> c.defaultCodecs().maxInMemorySize(32 * 1024 * 1024)).build();
  }

  /** Empties the stores; a test that replaces one with its own (StoreDownTest) keeps that as it is. */
  void empty() {
    if (store instanceof InMemorySampleStore samples) samples.clear();
    if (eventStore instanceof InMemoryEventStore events) events.clear();
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

  /**
   * GET with a query string as written (PromQL selectors and all): the characters a URI cannot hold
   * and {@code +} percent-encoded, nothing taken for a URI template variable.
   */
  WebTestClient.ResponseSpec getQuery(String pathAndQuery, String... headers) {
    StringBuilder b = new StringBuilder();
    for (char c : pathAndQuery.toCharArray()) {
      if ("{}\"|[] ^`<>+".indexOf(c) >= 0) {
        b.append('%').append(String.format("%02X", (int) c));
      } else {
        b.append(c);
      }
    }
    var spec = http.get().uri(java.net.URI.create("http://localhost:" + port + b));
    for (int i = 0; i < headers.length; i += 2) spec = spec.header(headers[i], headers[i + 1]);
    return spec.exchange();
  }

  static final java.time.Instant S0 = java.time.Instant.parse("2024-03-01T10:00:00Z");

  /**
   * The statistics data set (the storage test kit's): cpu volumes 1, 3, 8, 4, 4 at S0 + 0, 60, 120,
   * 180, 240 s; resources r1 (a, b, d), r2 (c), r3 (e); projects p1 (a, b, d, e), p2 (c); users u1
   * (a, b, d), u2 (c, e); instance_type m1.small (a, b, d), m1.large (c, e); and one memory sample.
   */
  void seed() {
    var small = java.util.Map.<String, Object>of("instance_type", "m1.small");
    var large = java.util.Map.<String, Object>of("instance_type", "m1.large");
    store.write(java.util.List.of(
        cpu("r1", "u1", "p1", 0, 1, small), cpu("r1", "u1", "p1", 60, 3, small), cpu("r2", "u2", "p2", 120, 8, large),
        cpu("r1", "u1", "p1", 180, 4, small), cpu("r3", "u2", "p1", 240, 4, large),
        dev.altimeter.storage.Sample.builder().meter("memory").type(dev.altimeter.storage.SampleType.GAUGE).unit("MB")
            .volume(512).resourceId("r1").userId("u1").projectId("p1").source("openstack")
            .timestamp(S0.plusSeconds(30)).resourceMetadata(small).build()))
        .block(java.time.Duration.ofSeconds(30));
  }

  private static dev.altimeter.storage.Sample cpu(String resource, String user, String project, int second,
      double volume, java.util.Map<String, Object> metadata) {
    return dev.altimeter.storage.Sample.builder().meter("cpu").type(dev.altimeter.storage.SampleType.CUMULATIVE)
        .unit("ns").volume(volume).resourceId(resource).userId(user).projectId(project).source("openstack")
        .timestamp(S0.plusSeconds(second)).resourceMetadata(metadata).build();
  }

  WebTestClient.ResponseSpec getWithBody(String path, String json, String... headers) {
    var spec = http.method(org.springframework.http.HttpMethod.GET).uri(path).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(json);
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
