package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.notification.Fixtures;
import dev.altimeter.collector.notification.amqp.TestBroker;
import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.postgres.PostgresStorage;
import dev.altimeter.wire.MessageSigner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.scheduler.Schedulers;

/** The assembled service: HTTP ingest through the pipeline into PostgreSQL, health and metrics on the management port. */
@SpringBootTest(classes = AltimeterApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceTest {
  @LocalServerPort
  int port;
  @LocalManagementPort
  int managementPort;
  WebTestClient http;
  WebTestClient management;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.r2dbc.url", TestPostgres::r2dbcUrl);
    registry.add("spring.rabbitmq.addresses", () -> TestBroker.uri().toString());
    registry.add("altimeter.telemetry-secret", () -> RECEIVER_SECRET);
    registry.add("altimeter.receiver.http.enabled", () -> "true");
    registry.add("altimeter.receiver.udp.port", () -> UDP_PORT);
    registry.add("altimeter.receiver.tcp.port", () -> TCP_PORT);
  }

  static final String RECEIVER_SECRET = "service-test-secret";
  static final int UDP_PORT = freePort(true);
  static final int TCP_PORT = freePort(false);

  static int freePort(boolean udp) {
    try {
      if (udp) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
          return s.getLocalPort();
        }
      }
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Sample receiverSample(String resource) {
    return Sample.builder().meter("receiver.test").type(SampleType.GAUGE).unit("u").volume(2.5).projectId("p1")
        .userId("u1").resourceId(resource).source("openstack").timestamp(java.time.Instant.now())
        .resourceMetadata(java.util.Map.of("k", "v")).build();
  }

  /** The UDP, TCP and HTTP receivers as the service wires them, fed by the real publishers. */
  @Test
  void receiversFeedThePipelineAndRefuseWronglySignedSamples() throws Exception {
    PublisherRegistry publishers = PublisherRegistry.standard();
    PublisherContext signed = new PublisherContext(MessageSigner.of(RECEIVER_SECRET), Schedulers.boundedElastic());
    PublisherContext wrong = new PublisherContext(MessageSigner.of("not-the-secret"), Schedulers.boundedElastic());
    try (Publisher udp = publishers.create(PublisherUrl.parse("udp://127.0.0.1:" + UDP_PORT), signed);
        Publisher tcp = publishers.create(PublisherUrl.parse("tcp://127.0.0.1:" + TCP_PORT), signed);
        Publisher web = publishers.create(PublisherUrl.parse("http://127.0.0.1:" + port + "/v1/samples?sign=true"), signed);
        Publisher forged = publishers.create(PublisherUrl.parse("udp://127.0.0.1:" + UDP_PORT), wrong)) {
      forged.publishSamples(java.util.List.of(receiverSample("via-forged"))).block(Duration.ofSeconds(30));
      udp.publishSamples(java.util.List.of(receiverSample("via-udp"))).block(Duration.ofSeconds(30));
      tcp.publishSamples(java.util.List.of(receiverSample("via-tcp"))).block(Duration.ofSeconds(30));
      web.publishSamples(java.util.List.of(receiverSample("via-http"))).block(Duration.ofSeconds(30));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String body = "";
    while (!(body.contains("via-udp") && body.contains("via-tcp") && body.contains("via-http"))
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
      body = http.get().uri("/v2/samples?q.field=meter&q.value=receiver.test").exchange().expectStatus().isOk()
          .expectBody(String.class).returnResult().getResponseBody();
    }
    http.get().uri("/v2/samples?q.field=meter&q.value=receiver.test").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(3);
    String prometheus = management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(prometheus)
        .containsPattern("altimeter_receiver_samples_total\\{.*outcome=\"bad_signature\",receiver=\"udp\"} 1")
        .containsPattern("altimeter_receiver_samples_total\\{.*outcome=\"accepted\",receiver=\"tcp\"} 1")
        .containsPattern("altimeter_receiver_samples_total\\{.*outcome=\"accepted\",receiver=\"http\"} 1")
        // the store's own pool, as the dashboard reads it
        .containsPattern("r2dbc_pool_max_allocated_connections\\{.*name=\"altimeter-store\"} [1-9]")
        .containsPattern("r2dbc_pool_allocated_connections\\{.*name=\"altimeter-store\"} [1-9]")
        .contains("r2dbc_pool_acquired_connections{", "r2dbc_pool_idle_connections{", "r2dbc_pool_pending_connections{");
  }

  @Test
  void notificationsFromTheBrokerBecomeSamplesAndEvents() {
    RabbitTemplate rabbit = new RabbitTemplate(TestBroker.connectionFactory());
    MessageProperties props = new MessageProperties();
    props.setContentType("application/json");
    rabbit.send("glance", "notifications.info", new Message(
        Fixtures.legacyWireWithUniqueId("glance-image.upload").getBytes(StandardCharsets.UTF_8), props));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String body = "[]";
    while (body.equals("[]") && System.nanoTime() < deadline) {
      body = http.get().uri("/v2/samples?q.field=meter&q.value=image.size").exchange().expectStatus().isOk()
          .expectBody(String.class).returnResult().getResponseBody();
    }
    http.get().uri("/v2/samples?q.field=meter&q.value=image.size").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(1)
        .jsonPath("$[0].volume").isEqualTo(19.0)
        .jsonPath("$[0].resource_id").isEqualTo("cccccccc-cccc-cccc-cccccccccccc");
    // the event goes its own way (event pipeline, event writer): wait for it as well
    long events = 0;
    while (events == 0 && System.nanoTime() < deadline) {
      events = storage.eventStore().events(EventFilter.builder().eventType("image.upload").build(), 10)
          .count().block(Duration.ofSeconds(10));
    }
    assertThat(events).isEqualTo(1);
  }

  @Autowired
  PostgresStorage storage;

  @BeforeEach
  void connect() {
    TestPostgres.truncate();
    storage.store().forgetCachedIds(); // the service's own store cached ids of the rows just removed
    // generous: a loaded 2-core CI machine answers a fresh context slowly
    // no altimeter.api.auth set, as in the README's run command: auth none, both ports on 127.0.0.1
    http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(60)).build();
    management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort)
        .responseTimeout(Duration.ofSeconds(60)).build();
  }

  @Test
  void tourPostASampleAndReadItBack() {
    http.post().uri("/v2/meters/instance").contentType(MediaType.APPLICATION_JSON).bodyValue("""
        [{"counter_name": "instance", "counter_type": "gauge", "counter_unit": "instance",
          "counter_volume": 1, "resource_id": "vm-1", "project_id": "p1", "user_id": "u1"}]""")
        .exchange().expectStatus().isCreated();
    http.get().uri("/v2/meters").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[0].name").isEqualTo("instance")
        .jsonPath("$[0].resource_id").isEqualTo("vm-1");
    http.get().uri("/v2/samples?q.field=resource_id&q.value=vm-1").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(1)
        .jsonPath("$[0].volume").isEqualTo(1.0)
        .jsonPath("$[0].source").isEqualTo("p1:openstack");
  }

  @Test
  void healthGroupsAndPrometheusAreServed() {
    management.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.status").isEqualTo("UP");
    management.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.status").isEqualTo("UP").jsonPath("$.components.store.status").isEqualTo("UP");
    http.post().uri("/v2/meters/m").contentType(MediaType.APPLICATION_JSON).bodyValue("""
        [{"counter_name": "m", "counter_type": "gauge", "counter_unit": "u", "counter_volume": 1, "resource_id": "r"}]""")
        .exchange().expectStatus().isCreated();
    String metrics = management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(metrics)
        .containsPattern("altimeter_pipeline_samples_total\\{.*outcome=\"stored\".*} [1-9]")
        // the API's sample POST counts in the same metric as the receivers, as receiver v2
        .containsPattern("altimeter_receiver_samples_total\\{.*outcome=\"accepted\",receiver=\"v2\"} [1-9]")
        .contains("altimeter_pipeline_queue_samples")
        .contains("altimeter_store_batch_duration_seconds")
        .containsPattern("altimeter_exposition_series\\{.*} [1-9]");
    // the collected sample itself, through the default pipeline's prometheus-exposition://
    String samples = management.get().uri("/actuator/samples").exchange().expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(samples).contains("# TYPE ceilometer_m gauge\n", "ceilometer_m{resource_id=\"r\",unit=\"u\"} 1\n");
    // tenant data stays off the API port, and the API off the management port
    http.get().uri("/actuator/samples").exchange().expectStatus().isNotFound();
    http.get().uri("/actuator/health/liveness").exchange().expectStatus().isNotFound();
    management.get().uri("/v2/meters").exchange().expectStatus().isNotFound();
    management.post().uri("/v1/samples").contentType(MediaType.APPLICATION_JSON).bodyValue("[]")
        .exchange().expectStatus().isNotFound();
  }
}
