package dev.altimeter.collector.notification.amqp;

import dev.altimeter.collector.Eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.notification.Notification;
import dev.altimeter.collector.notification.NotificationAgent;
import dev.altimeter.collector.notification.definition.EventDefinitions;
import dev.altimeter.collector.notification.definition.MeterDefinitions;
import dev.altimeter.collector.pipeline.publish.DatabasePublisher;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.StoreException;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.postgres.PostgresStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
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
 * Outages, on a real broker and a real PostgreSQL. The database going away: while the store fails
 * every write, no notification is acknowledged or dead-lettered (they stay on the broker), and once
 * it is back the same running consumers store every one of them exactly once. The broker connection
 * going away: the consumers come back on a new connection and nothing is lost or stored twice.
 *
 * <p>The outage is simulated at the store's write call, behind the real batch writers, so the
 * failure takes the same path as a refused connection or an aborted transaction.
 */
class OutageTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration MONITOR_INTERVAL = Duration.ofMillis(200);
  private static final MeterDefinitions METERS = MeterDefinitions.builtIn();
  private static final EventDefinitions EVENTS = EventDefinitions.builtIn(EventDefinitions.Options.DEFAULTS);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final NotificationTopology topology = NotificationTopology.defaults();
  private final AtomicBoolean storeDown = new AtomicBoolean();
  /** What the PostgreSQL store raises when it cannot be reached: transient, the notification is requeued. */
  private static final StoreException.Unavailable DOWN =
      new StoreException.Unavailable("PostgreSQL is unavailable: connection refused", null);
  private final Scheduler brokerIo = Schedulers.newBoundedElastic(2, 10_000, "test-broker-io");
  private PostgresStorage storage;
  private CachingConnectionFactory connections;
  private RabbitAdmin admin;
  private RabbitTemplate rabbit;
  private DatabasePublisher database;
  private DirectMessageListenerContainer container;

  @BeforeEach
  void start() {
    TestPostgres.truncate();
    storage = TestPostgres.storage();
    connections = TestBroker.connectionFactory();
    rabbit = new RabbitTemplate(connections);
    admin = TestBroker.declareEmpty(connections, topology);
    DatabasePublisher.Options options = new DatabasePublisher.Options(10_000, 100, Duration.ofMillis(10), 2);
    database = new DatabasePublisher(
        batch -> storeDown.get() ? Mono.error(DOWN) : storage.store().write(batch),
        batch -> storeDown.get() ? Mono.error(DOWN) : storage.eventStore().write(batch),
        options, registry).startWriters();
    NotificationAgent agent = new NotificationAgent(METERS, EVENTS, database::publishSamples, database::publishEvents);
    container = new DirectMessageListenerContainer(connections);
    container.setQueueNames(topology.queueNames().toArray(String[]::new));
    container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
    container.setPrefetchCount(50);
    // consumers that lost their channel are restarted by the container's monitor, every 10 s by
    // default: the broker-connection test waited that long, for the same restart
    container.setMonitorInterval(MONITOR_INTERVAL.toMillis());
    container.setMessageListener(new NotificationListener(agent, rabbit, topology, Duration.ofMillis(50), brokerIo, registry));
  }

  @AfterEach
  void stop() {
    container.stop();
    database.drain().block(TIMEOUT);
    connections.destroy();
    brokerIo.dispose();
  }

  @Test
  void storeOutageAcksNothingAndConsumptionResumesWhenItReturns() throws Exception {
    List<NotificationListenerTest.Wire> wires = wires();
    List<Sample> expected = new ArrayList<>();
    long expectedEvents = 0;
    for (NotificationListenerTest.Wire w : wires) {
      Notification n = Notification.parse(w.body());
      expected.addAll(METERS.toSamples(n));
      if (EVENTS.toEvent(n).isPresent()) expectedEvents++;
    }
    assertThat(expected).hasSizeGreaterThan(30);

    storeDown.set(true);
    container.start();
    wires.forEach(this::publish);
    // every notification has been tried and returned to the broker, twice on average
    await("redeliveries during the outage", () -> outcome("requeued") >= 2 * wires.size());
    assertThat(outcome("processed")).isZero();
    assertThat(outcome("dead_lettered")).isZero();
    assertThat(admin.getQueueInfo(topology.deadLetterQueue()).getMessageCount()).isZero();
    assertThat(storedSamples()).isEmpty();

    storeDown.set(false);
    await("all processed after the store returned", () -> outcome("processed") == wires.size());
    List<Sample> stored = storedSamples();
    assertThat(stored).extracting(Sample::messageId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(Sample::messageId).toList());
    assertThat(storage.eventStore().events(EventFilter.builder().build(), 100_000).count().block(TIMEOUT))
        .isEqualTo(expectedEvents);
    assertThat(outcome("dead_lettered")).isZero();
    assertThat(admin.getQueueInfo(topology.deadLetterQueue()).getMessageCount()).isZero();
    for (String q : topology.queueNames()) assertThat(admin.getQueueInfo(q).getMessageCount()).as(q).isZero();
  }

  @Test
  void notificationsInFlightDuringAnOutageStayOnTheBroker() throws Exception {
    List<NotificationListenerTest.Wire> wires = wires();
    storeDown.set(true);
    container.start();
    wires.forEach(this::publish);
    await("every notification tried", () -> outcome("requeued") >= wires.size());
    // the consumers go away mid-outage: whatever they held unacknowledged is the broker's again
    container.stop();
    await("all back on the queues", () -> queued() == wires.size());
    assertThat(outcome("processed")).isZero();
    assertThat(admin.getQueueInfo(topology.deadLetterQueue()).getMessageCount()).isZero();
    assertThat(storedSamples()).isEmpty();
  }

  @Test
  void consumptionResumesAfterTheBrokerConnectionIsLost() throws Exception {
    List<NotificationListenerTest.Wire> wires = wires();
    List<UUID> expected = new ArrayList<>();
    for (NotificationListenerTest.Wire w : wires) {
      METERS.toSamples(Notification.parse(w.body())).forEach(s -> expected.add(s.messageId()));
    }
    int half = wires.size() / 2;
    container.start();
    wires.subList(0, half).forEach(this::publish);
    await("first half processed", () -> outcome("processed") >= half);

    // the client's connection closes under the consumers (and any acknowledgement still to come)
    connections.resetConnection();
    wires.subList(half, wires.size()).forEach(this::publish);

    await("every sample stored after reconnecting", () -> storedSamples().size() >= expected.size());
    assertThat(storedSamples()).extracting(Sample::messageId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expected);
    await("queues drained", () -> queued() == 0);
    assertThat(container.isRunning()).isTrue();
    assertThat(outcome("dead_lettered")).isZero();
  }

  /** The reference notifications but swift's, whose event cannot be built and is copied to the dead letters. */
  private static List<NotificationListenerTest.Wire> wires() throws Exception {
    return NotificationListenerTest.referenceNotifications().stream()
        .filter(w -> !w.exchange().equals("swift")).toList();
  }

  private long queued() {
    long n = 0;
    for (String q : topology.queueNames()) n += admin.getQueueInfo(q).getMessageCount();
    return n;
  }

  private void publish(NotificationListenerTest.Wire w) {
    MessageProperties props = new MessageProperties();
    props.setContentType("application/json");
    rabbit.send(w.exchange(), w.routingKey(), new Message(w.body().getBytes(StandardCharsets.UTF_8), props));
  }

  private List<Sample> storedSamples() {
    return storage.store().samples(SampleFilter.ALL, 100_000).collectList().block(TIMEOUT);
  }

  private double outcome(String name) {
    var c = registry.find("altimeter.notifications").tag("outcome", name).counter();
    return c == null ? 0 : c.count();
  }

  private static void await(String what, BooleanSupplier condition) {
    Eventually.await(what, TIMEOUT, condition);
  }
}
