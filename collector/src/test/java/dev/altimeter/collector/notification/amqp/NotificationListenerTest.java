package dev.altimeter.collector.notification.amqp;

import dev.altimeter.collector.Eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.notification.Fixtures;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.collector.notification.NotificationAgent;
import dev.altimeter.collector.notification.definition.EventDefinitions;
import dev.altimeter.collector.notification.definition.MeterDefinitions;
import dev.altimeter.collector.pipeline.publish.DatabasePublisher;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.postgres.PostgresStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The notification role end to end over a real broker and a real PostgreSQL: every reference
 * notification is published in its wire shape and must be stored exactly as the definitions convert
 * it; redelivery stores nothing twice; what cannot be processed is dead-lettered with its reason;
 * a store failure gets the message redelivered, not lost.
 */
class NotificationListenerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final MeterDefinitions METERS = MeterDefinitions.builtIn();
  private static final EventDefinitions EVENTS = EventDefinitions.builtIn(EventDefinitions.Options.DEFAULTS);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final NotificationTopology topology = NotificationTopology.defaults();
  private PostgresStorage storage;
  private CachingConnectionFactory connections;
  private RabbitTemplate rabbit;
  private DatabasePublisher database;
  private SampleConsumer samples;
  private DirectMessageListenerContainer container;
  private final Scheduler brokerIo = Schedulers.newBoundedElastic(2, 10_000, "test-broker-io");

  @BeforeEach
  void start() {
    TestPostgres.truncate();
    storage = TestPostgres.storage();
    connections = TestBroker.connectionFactory();
    rabbit = new RabbitTemplate(connections);
    TestBroker.declareEmpty(connections, topology);
    database = new DatabasePublisher(storage.store(), storage.eventStore(), new DatabasePublisher.Options(10_000, 500, Duration.ofMillis(10), 2), registry).startWriters();
    samples = database::publishSamples;
  }

  private void listen(SampleConsumer consumer, Duration redeliveryDelay) {
    NotificationAgent agent = new NotificationAgent(METERS, EVENTS, consumer, database::publishEvents);
    container = new DirectMessageListenerContainer(connections);
    container.setQueueNames(topology.queueNames().toArray(String[]::new));
    container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
    container.setPrefetchCount(50);
    container.setMessageListener(new NotificationListener(agent, rabbit, topology, redeliveryDelay, brokerIo, registry));
    container.start();
  }

  @AfterEach
  void stop() {
    if (container != null) container.stop();
    database.drain().block(TIMEOUT);
    connections.destroy();
    brokerIo.dispose();
  }

  record Wire(String exchange, String routingKey, String body) {}

  static List<Wire> referenceNotifications() throws Exception {
    List<Wire> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/notifications/legacy"))) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString().replace(".json", "");
        String wire = Fixtures.legacyWireWithUniqueId(name);
        out.add(new Wire(name.substring(0, name.indexOf('-')), routingKey(wire), wire));
      }
    }
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/notifications/nova"))) {
      for (Path f : files.sorted().toList()) {
        String wire = Fixtures.novaWire(f.getFileName().toString().replace(".json", ""));
        out.add(new Wire("nova", routingKey(wire), wire));
      }
    }
    return out;
  }

  private static String routingKey(String wire) {
    return "notifications." + Notification.parse(wire).priority();
  }

  private void publish(Wire w) {
    MessageProperties props = new MessageProperties();
    props.setContentType("application/json");
    rabbit.send(w.exchange(), w.routingKey(), new Message(w.body().getBytes(StandardCharsets.UTF_8), props));
  }

  private long storedSamples() {
    return storage.store().samples(SampleFilter.ALL, 100_000).count().block(TIMEOUT);
  }

  private long storedEvents() {
    return storage.eventStore().events(EventFilter.builder().build(), 100_000).count().block(TIMEOUT);
  }

  private double outcome(String name) {
    var c = registry.find("altimeter.notifications").tag("outcome", name).counter();
    return c == null ? 0 : c.count();
  }

  private static void await(String what, BooleanSupplier condition) {
    Eventually.await(what, TIMEOUT, condition);
  }

  @Test
  void everyReferenceNotificationIsStoredAsTheDefinitionsSay() throws Exception {
    listen(samples, Duration.ofMillis(100));
    List<Wire> wires = referenceNotifications();
    List<Sample> expectedSamples = new ArrayList<>();
    List<Event> expectedEvents = new ArrayList<>();
    int eventFailures = 0;
    for (Wire w : wires) {
      Notification n = Notification.parse(w.body());
      expectedSamples.addAll(METERS.toSamples(n));
      try {
        EVENTS.toEvent(n).ifPresent(expectedEvents::add);
      } catch (RuntimeException e) {
        eventFailures++;
      }
    }
    assertThat(expectedSamples).hasSizeGreaterThan(30);
    assertThat(expectedEvents).hasSizeGreaterThan(25);

    wires.forEach(this::publish);
    await("all notifications processed", () -> outcome("processed") == wires.size());

    List<Sample> stored = storage.store().samples(SampleFilter.ALL, 100_000).collectList().block(TIMEOUT);
    Comparator<Sample> byId = Comparator.comparing(Sample::messageId);
    assertThat(stored.stream().map(s -> s.withRecordedAt(null)).sorted(byId).toList())
        .containsExactlyElementsOf(expectedSamples.stream().sorted(byId).toList());
    List<Event> storedEvents = storage.eventStore().events(EventFilter.builder().build(), 100_000).collectList().block(TIMEOUT);
    assertThat(storedEvents).containsExactlyInAnyOrderElementsOf(expectedEvents);

    // an event that cannot be built (the swift sample's malformed eventTime) keeps its samples, as
    // in Ceilometer: the notification is acknowledged, the failed part counted, nothing dead-lettered
    assertThat(eventFailures).isEqualTo(1);
    assertThat(conversionFailures("event")).isEqualTo(1);
    assertThat(conversionFailures("samples")).isZero();
    assertThat(outcome("dead_lettered")).isZero();
    assertThat(new RabbitAdmin(connections).getQueueInfo(topology.deadLetterQueue()).getMessageCount()).isZero();
  }

  private double conversionFailures(String part) {
    var c = registry.find("altimeter.notification.conversion.failures").tag("part", part).counter();
    return c == null ? 0 : c.count();
  }

  /** A notification whose only product fails to convert produced nothing: that one is dead-lettered. */
  @Test
  void aNotificationThatProducesNothingIsDeadLettered() {
    listen(samples, Duration.ofMillis(100));
    // as an error notification it makes no samples (only info and sample do), and its event fails
    @SuppressWarnings("unchecked")
    Map<String, Object> inner = tools.jackson.databind.json.JsonMapper.builder().build()
        .readValue(Fixtures.resource("notifications/legacy/swift-objectstore.http.request.json"), Map.class);
    inner.put("priority", "ERROR");
    String wire = Fixtures.envelope(inner);
    assertThat(Notification.parse(wire).priority()).isEqualTo("error");
    publish(new Wire("swift", "notifications.error", wire));
    await("dead-lettered", () -> outcome("dead_lettered") == 1);
    Message dead = rabbit.receive(topology.deadLetterQueue(), 10_000);
    assertThat(dead).isNotNull();
    assertThat((String) dead.getMessageProperties().getHeader(NotificationListener.REASON))
        .isEqualTo("cannot convert to an event: trait 'eventTime' of type datetime cannot hold 2015-01-30T16: 38: 43.233621");
    assertThat(outcome("processed")).isZero();
    assertThat(conversionFailures("event")).isZero();
    assertThat(storedSamples()).isZero();
    assertThat(storedEvents()).isZero();
  }

  @Test
  void redeliveredNotificationsStoreNothingTwice() throws Exception {
    listen(samples, Duration.ofMillis(100));
    Wire w = referenceNotifications().stream().filter(x -> x.body().contains("compute.instance.exists")).findFirst().orElseThrow();
    publish(w);
    await("first copy", () -> outcome("processed") == 1);
    long samplesAfterFirst = storedSamples();
    long eventsAfterFirst = storedEvents();
    assertThat(samplesAfterFirst).isPositive();
    publish(w);
    publish(w);
    await("copies", () -> outcome("processed") == 3);
    assertThat(storedSamples()).isEqualTo(samplesAfterFirst);
    assertThat(storedEvents()).isEqualTo(eventsAfterFirst);
  }

  @Test
  void malformedNotificationIsDeadLetteredWithItsReason() {
    listen(samples, Duration.ofMillis(100));
    publish(new Wire("nova", "notifications.info", "{\"oslo.version\": \"2.0\", \"oslo.message\": \"not json\"}"));
    await("dead-lettered", () -> outcome("dead_lettered") == 1);
    Message dead = rabbit.receive(topology.deadLetterQueue(), 10_000);
    assertThat(dead).isNotNull();
    assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).contains("not json");
    assertThat((String) dead.getMessageProperties().getHeader(NotificationListener.REASON)).startsWith("malformed notification");
    assertThat((String) dead.getMessageProperties().getHeader(NotificationListener.ORIGINAL_ROUTING_KEY)).isEqualTo("notifications.info");
    assertThat(storedSamples()).isZero();
    // acknowledged: nothing left to redeliver
    assertThat(new RabbitAdmin(connections).getQueueInfo("notifications.info").getMessageCount()).isZero();
  }

  @Test
  void storeFailureRedeliversUntilStored() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    SampleConsumer flaky = batch -> calls.incrementAndGet() <= 2
        ? Mono.error(new dev.altimeter.storage.StoreException.Unavailable("PostgreSQL is unavailable: connection refused", null))
        : samples.accept(batch);
    listen(flaky, Duration.ofMillis(50));
    Wire w = referenceNotifications().stream().filter(x -> x.body().contains("image.upload")).findFirst().orElseThrow();
    publish(w);
    await("stored after redelivery", () -> outcome("processed") == 1);
    assertThat(outcome("requeued")).isEqualTo(2);
    assertThat(storedSamples()).isEqualTo(METERS.toSamples(Notification.parse(w.body())).size()).isPositive();
    assertThat(Map.of("dead", outcome("dead_lettered"))).containsEntry("dead", 0.0);
  }

  /**
   * Shutdown: after pause() a delivery is neither processed nor acknowledged (the broker takes it
   * back when the channel closes), and awaitIdle() returns only once the notification already in
   * flight is stored and acknowledged, so the channel is not closed under it.
   */
  @Test
  void pauseHoldsNewDeliveriesAndAwaitIdleWaitsForTheOnesInFlight() throws Exception {
    reactor.core.publisher.Sinks.Empty<Void> commit = reactor.core.publisher.Sinks.empty();
    AtomicInteger stored = new AtomicInteger();
    SampleConsumer slowStore = batch -> commit.asMono().doOnSuccess(v -> stored.addAndGet(batch.size()));
    NotificationListener listener = new NotificationListener(
        new NotificationAgent(METERS, EVENTS, slowStore, e -> Mono.empty()), rabbit, topology, Duration.ofSeconds(1),
        brokerIo, registry);
    List<Long> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.rabbitmq.client.Channel channel = (com.rabbitmq.client.Channel) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {com.rabbitmq.client.Channel.class}, (proxy, method, args) -> {
          return switch (method.getName()) {
            case "basicAck" -> {
              acks.add((Long) args[0]);
              yield null;
            }
            // the listener keeps its pending acknowledgements per open channel
            case "isOpen" -> true;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> null;
          };
        });

    listener.onMessage(delivery(Fixtures.legacyWireWithUniqueId("glance-image.upload"), 1), channel);
    listener.pause();
    listener.onMessage(delivery(Fixtures.legacyWireWithUniqueId("glance-image.upload"), 2), channel);

    assertThat(listener.inFlight()).isEqualTo(1);
    assertThat(listener.awaitIdle(Duration.ofMillis(200))).as("the commit has not happened").isFalse();
    assertThat(acks).isEmpty();
    commit.tryEmitEmpty();
    assertThat(listener.awaitIdle(TIMEOUT)).isTrue();
    assertThat(acks).containsExactly(1L);
    assertThat(stored.get()).as("only the first notification's sample").isEqualTo(1);
  }

  private static Message delivery(String body, long tag) {
    MessageProperties props = new MessageProperties();
    props.setContentType("application/json");
    props.setDeliveryTag(tag);
    return new Message(body.getBytes(StandardCharsets.UTF_8), props);
  }
}
