package dev.altimeter.collector.pipeline.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.notification.amqp.TestBroker;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import dev.altimeter.wire.MessageSigner;
import dev.altimeter.wire.WireFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import reactor.core.scheduler.Schedulers;

/** notifier:// against a real broker (embedded Qpid, or RabbitMQ with ALTIMETER_TEST_AMQP_URL). */
class NotifierPublisherTest {
  static final MessageSigner SIGNER = MessageSigner.of("secret");
  final PublisherContext context = new PublisherContext(SIGNER, Schedulers.boundedElastic());
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final String exchange = "test-ceilometer-" + UUID.randomUUID();
  final String topic = "test-metering-" + UUID.randomUUID();
  final List<String> queues = new ArrayList<>();
  CachingConnectionFactory connections;
  RabbitAdmin admin;
  RabbitTemplate rabbit;

  @BeforeEach
  void connect() {
    connections = TestBroker.connectionFactory();
    admin = new RabbitAdmin(connections);
    rabbit = new RabbitTemplate(connections);
  }

  @AfterEach
  void cleanUp() {
    queues.forEach(admin::deleteQueue);
    admin.deleteExchange(exchange);
    connections.destroy();
  }

  NotifierPublisher publisher(String url) {
    NotifierPublisher.Settings settings = new NotifierPublisher.Settings(exchange, false, "host1", Duration.ofMillis(10));
    return (NotifierPublisher) NotifierPublisher.factory(() -> connections, settings, registry)
        .create(PublisherUrl.parse(url), context);
  }

  /** A queue of the test's own bound to the exchange with {@code routingKey}. */
  String bind(String routingKey) {
    TopicExchange x = new TopicExchange(exchange, false, false);
    admin.declareExchange(x);
    Queue q = new Queue("test-bound-" + UUID.randomUUID(), false, false, false);
    admin.declareQueue(q);
    admin.declareBinding(BindingBuilder.bind(q).to(x).with(routingKey));
    queues.add(q.getName());
    return q.getName();
  }

  static Sample sample(String meter, double volume, String resource) {
    return new Sample(meter, SampleType.CUMULATIVE, "ns", volume, "u1", "p1", resource,
        Instant.parse("2026-01-01T00:00:10.250Z"), null, "openstack", Map.of("cpu_number", 2),
        UUID.nameUUIDFromBytes((meter + resource + volume).getBytes(StandardCharsets.UTF_8)), null);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> inner(Message m) {
    Map<String, Object> envelope = Json.MAPPER.readValue(m.getBody(), Map.class);
    assertThat(envelope).containsOnlyKeys("oslo.version", "oslo.message");
    assertThat(envelope.get("oslo.version")).isEqualTo("2.0");
    assertThat(envelope.get("oslo.message")).isInstanceOf(String.class);
    return Json.MAPPER.readValue((String) envelope.get("oslo.message"), Map.class);
  }

  static Object roundTrip(Object value) {
    return Json.MAPPER.readValue(Json.bytes(value), Object.class);
  }

  @Test
  void samplesArriveAsOneSampleNotificationOfMeterMessages() {
    String bound = bind(topic + ".sample");
    queues.add(topic + ".sample");
    List<Sample> samples = List.of(sample("cpu", 1e9, "vm-1"), sample("cpu", 2e9, "vm-2"));
    try (NotifierPublisher p = publisher("notifier://?topic=" + topic)) {
      p.publishSamples(samples).block(Duration.ofSeconds(30));
    }
    Message m = rabbit.receive(bound, 10_000);
    assertThat(m).isNotNull();
    assertThat(m.getMessageProperties().getContentType()).isEqualTo("application/json");
    assertThat(m.getMessageProperties().getContentEncoding()).isEqualTo("UTF-8");
    assertThat(m.getMessageProperties().getReceivedDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
    Map<String, Object> inner = inner(m);
    assertThat(inner).containsOnlyKeys("message_id", "publisher_id", "event_type", "priority", "payload",
        "timestamp", "_unique_id");
    assertThat(inner.get("publisher_id")).isEqualTo("telemetry.publisher.host1");
    assertThat(inner.get("event_type")).isEqualTo("metering");
    assertThat(inner.get("priority")).isEqualTo("SAMPLE");
    assertThat((String) inner.get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?");
    assertThat(UUID.fromString((String) inner.get("message_id"))).isNotNull();
    assertThat((String) inner.get("_unique_id")).matches("[0-9a-f]{32}");
    // the exact payload: Ceilometer's meter messages, signed
    assertThat(inner.get("payload")).isEqualTo(roundTrip(List.of(WireFormat.meterMessage(samples.get(0), SIGNER),
        WireFormat.meterMessage(samples.get(1), SIGNER))));
    @SuppressWarnings("unchecked")
    Map<String, Object> first = ((List<Map<String, Object>>) inner.get("payload")).get(0);
    assertThat(first.get("counter_name")).isEqualTo("cpu");
    assertThat(first.get("timestamp")).isEqualTo("2026-01-01T00:00:10.250000+00:00");
    assertThat(SIGNER.verify(first)).isTrue();
    // like an oslo sender, the publisher declared the queue named after the routing key
    assertThat(rabbit.receive(topic + ".sample", 10_000)).isNotNull();
  }

  @Test
  void perMeterTopicAddsOneNotificationPerMeterName() {
    String bound = bind(topic + ".sample");
    queues.add(topic + ".sample");
    try (NotifierPublisher p = publisher("notifier://?topic=" + topic + "&per_meter_topic=1")) {
      p.publishSamples(List.of(sample("disk.read.bytes", 1, "vm-1"), sample("cpu", 1, "vm-1"))).block(Duration.ofSeconds(30));
    }
    List<Object> types = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, Object> inner = inner(rabbit.receive(bound, 10_000));
      types.add(inner.get("event_type"));
      sizes.add(((List<?>) inner.get("payload")).size());
    }
    assertThat(types).containsExactly("metering", "metering.cpu", "metering.disk.read.bytes");
    assertThat(sizes).containsExactly(2, 1, 1);
  }

  @Test
  void eventsArriveAsSerializedSignedEvents() {
    String bound = bind("event.sample");
    queues.add("event.sample");
    Event e = new Event("6b7b1b5e-2ad5-4a4c-9e3d-3c1c2a8b1f00", "compute.instance.create.end",
        Instant.parse("2026-01-01T00:00:00Z"), List.of(new Trait("host", TraitType.STRING, "node-1")), Map.of());
    try (NotifierPublisher p = publisher("notifier://")) {
      p.publishEvents(List.of(e)).block(Duration.ofSeconds(30));
    }
    Map<String, Object> inner = inner(rabbit.receive(bound, 10_000));
    assertThat(inner.get("event_type")).isEqualTo("event");
    Map<String, Object> expected = WireFormat.eventDict(e);
    expected.put("message_signature", SIGNER.sign(expected));
    assertThat(inner.get("payload")).isEqualTo(roundTrip(List.of(expected)));
  }

  @Test
  void withoutABrokerTheUrlIsRefusedWithTheReason() {
    PublisherFactory f = NotifierPublisher.factory(() -> null, NotifierPublisher.Settings.defaults("h"), registry);
    assertThatThrownBy(() -> f.create(PublisherUrl.parse("notifier://"), context))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no AMQP broker is configured");
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void policyDropDiscardsAndCountsWhenTheBrokerIsDown() throws Exception {
    try (NotifierPublisher p = publisher("notifier://guest:guest@127.0.0.1:" + closedPort() + "/?policy=drop")) {
      p.publishSamples(List.of(sample("cpu", 1, "a"), sample("cpu", 2, "b"))).block(Duration.ofSeconds(30));
    }
    assertThat(registry.get("altimeter.publisher.notifier.dropped").counter().count()).isEqualTo(2.0);
  }

  @Test
  void policyQueueKeepsABoundedQueueOfFailedBatches() throws Exception {
    try (NotifierPublisher p = publisher("notifier://guest:guest@127.0.0.1:" + closedPort()
        + "/?policy=queue&max_queue_length=2")) {
      for (int i = 0; i < 3; i++) p.publishSamples(List.of(sample("cpu", i, "a"))).block(Duration.ofSeconds(30));
      assertThat(registry.get("altimeter.publisher.notifier.queued").gauge().value()).isEqualTo(2.0);
      assertThat(registry.get("altimeter.publisher.notifier.dropped").counter().count()).isEqualTo(1.0);
    }
  }

  @Test
  void policyQueueDeliversTheQueueInOrderOnceTheBrokerAnswers() throws Exception {
    String bound = bind(topic + ".sample");
    queues.add(topic + ".sample");
    CachingConnectionFactory flaky = TestBroker.connectionFactory();
    flaky.setPort(closedPort()); // the broker is "down"
    NotifierPublisher.Settings settings = new NotifierPublisher.Settings(exchange, false, "host1", Duration.ofMillis(10));
    try (NotifierPublisher p = (NotifierPublisher) NotifierPublisher.factory(() -> flaky, settings, registry)
        .create(PublisherUrl.parse("notifier://?policy=queue&topic=" + topic), context)) {
      p.publishSamples(List.of(sample("cpu", 1, "a"))).block(Duration.ofSeconds(30));
      p.publishSamples(List.of(sample("cpu", 2, "a"))).block(Duration.ofSeconds(30));
      assertThat(registry.get("altimeter.publisher.notifier.queued").gauge().value()).isEqualTo(2.0);
      assertThat(rabbit.receive(bound, 200)).isNull();
      flaky.setPort(TestBroker.uri().getPort()); // back
      p.publishSamples(List.of(sample("cpu", 3, "a"))).block(Duration.ofSeconds(30));
      assertThat(registry.get("altimeter.publisher.notifier.queued").gauge().value()).isZero();
    } finally {
      flaky.destroy();
    }
    List<Object> volumes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      volumes.add(((Map<?, ?>) ((List<?>) inner(rabbit.receive(bound, 10_000)).get("payload")).get(0)).get("counter_volume"));
    }
    assertThat(volumes).containsExactly(1.0, 2.0, 3.0);
    assertThat(registry.get("altimeter.publisher.notifier.dropped").counter().count()).isZero();
  }

  @Test
  void policyDefaultFailsAfterItsRetries() throws Exception {
    try (NotifierPublisher p = publisher("notifier://guest:guest@127.0.0.1:" + closedPort() + "/?max_retry=2")) {
      assertThatThrownBy(() -> p.publishSamples(List.of(sample("cpu", 1, "a"))).block(Duration.ofSeconds(30)))
          .isInstanceOf(org.springframework.amqp.AmqpException.class);
    }
  }
}
