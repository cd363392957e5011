package dev.altimeter.collector.notification.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.Eventually;
import dev.altimeter.collector.notification.Fixtures;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.collector.notification.NotificationAgent;
import dev.altimeter.collector.notification.definition.EventDefinitions;
import dev.altimeter.collector.notification.definition.MeterDefinitions;
import dev.altimeter.collector.pipeline.publish.DatabasePublisher;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.StoreException;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.postgres.PostgresStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 11, items 7 and 8: one caller's values that the database refuses, sent concurrently with
 * another caller's valid traffic through the real store writer and PostgreSQL (and the broker), fail
 * that caller only: the valid caller sees no failure, the bad calls are refused (samples) or
 * dead-lettered with their reason (notifications) instead of requeued, and nothing is stored
 * twice or in part.
 */
class PoisonTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private PostgresStorage storage;
  private DatabasePublisher database;
  private SampleConsumer samples;

  @BeforeEach
  void start() {
    TestPostgres.truncate();
    storage = TestPostgres.storage();
    // small batches and several writers: the two callers' calls share transactions
    DatabasePublisher.Options options = new DatabasePublisher.Options(10_000, 40, Duration.ofMillis(5), 2);
    database = new DatabasePublisher(storage.store(), storage.eventStore(), options, registry).startWriters();
    samples = database::publishSamples;
  }

  @AfterEach
  void stop() {
    database.drain().block(TIMEOUT);
  }

  /**
   * A value that passes every check and that PostgreSQL still refuses: a resource id too long for
   * its unique index (a btree entry holds at most 2704 bytes; random text does not compress).
   */
  private static String tooLongForTheIndex() {
    StringBuilder s = new StringBuilder();
    while (s.length() < 4000) s.append(UUID.randomUUID());
    return s.toString();
  }

  private static List<Sample> call(String project, String resourcePrefix, int n, String poisonResource) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String resource = poisonResource != null && i == n / 2 ? poisonResource : resourcePrefix + i;
      out.add(Sample.builder().meter("cpu_util").type(SampleType.GAUGE).unit("%").volume(i).projectId(project)
          .resourceId(resource).timestamp(Instant.parse("2025-03-01T00:00:00Z").plusSeconds(i)).build());
    }
    return out;
  }

  private long stored(String project) {
    return storage.store().samples(SampleFilter.ALL, 1_000_000).filter(s -> project.equals(s.projectId()))
        .count().block(TIMEOUT);
  }

  private double samplesCounter(String outcome) {
    return registry.get("altimeter.pipeline.samples").tag("outcome", outcome).counter().count();
  }

  @Test
  void refusedSamplesFailTheirOwnCallerOnly() {
    int goodCalls = 400;
    int badCalls = 100;
    AtomicInteger goodFailures = new AtomicInteger();
    AtomicInteger badRefused = new AtomicInteger();
    Map<String, Integer> otherErrors = new ConcurrentHashMap<>();
    // built here: random ids read the system's entropy source, a blocking call on the writer's threads
    List<List<Sample>> goodOnes = new ArrayList<>();
    for (int i = 0; i < goodCalls; i++) goodOnes.add(call("good", "vm-" + i + "-", 5, null));
    List<List<Sample>> badOnes = new ArrayList<>();
    for (int i = 0; i < badCalls; i++) badOnes.add(call("evil", "x-" + i + "-", 3, tooLongForTheIndex()));
    Flux<Void> good = Flux.fromIterable(goodOnes)
        .flatMap(c -> samples.accept(c)
            .doOnError(e -> goodFailures.incrementAndGet()).onErrorResume(e -> Mono.empty()), 16);
    Flux<Void> bad = Flux.fromIterable(badOnes)
        .flatMap(c -> samples.accept(c)
            .doOnError(e -> {
              if (e instanceof StoreException.InvalidData) badRefused.incrementAndGet();
              else otherErrors.merge(e.toString(), 1, Integer::sum);
            })
            .onErrorResume(e -> Mono.empty()), 4);
    Flux.merge(good, bad).blockLast(TIMEOUT);

    assertThat(goodFailures.get()).as("failures of the valid caller").isZero();
    assertThat(otherErrors).as("errors other than InvalidData").isEmpty();
    assertThat(badRefused.get()).isEqualTo(badCalls);
    assertThat(stored("good")).isEqualTo(goodCalls * 5L);
    assertThat(stored("evil")).as("a refused call is stored all-or-nothing").isZero();
    assertThat(samplesCounter("duplicate")).isZero();
    assertThat(samplesCounter("stored")).isEqualTo(goodCalls * 5.0);
    assertThat(samplesCounter("failed")).isEqualTo(badCalls * 3.0);
    assertThat(registry.get("altimeter.store.batch.isolated").tag("kind", "samples").counter().count())
        .as("batches shared by both callers were isolated").isPositive();
  }

  /** Notifications: the valid ones are stored once, each refused one is dead-lettered once with its reason. */
  @Test
  void refusedNotificationsAreDeadLetteredWithoutHoldingBackTheOthers() throws Exception {
    NotificationTopology topology = NotificationTopology.defaults();
    CachingConnectionFactory connections = TestBroker.connectionFactory();
    Scheduler brokerIo = Schedulers.newBoundedElastic(2, 10_000, "poison-broker-io");
    DirectMessageListenerContainer container = new DirectMessageListenerContainer(connections);
    try {
      RabbitTemplate rabbit = new RabbitTemplate(connections);
      RabbitAdmin admin = TestBroker.declareEmpty(connections, topology);

      MeterDefinitions meters = MeterDefinitions.builtIn();
      NotificationAgent agent = new NotificationAgent(meters,
          EventDefinitions.builtIn(EventDefinitions.Options.DEFAULTS), samples, database::publishEvents);
      container.setQueueNames(topology.queueNames().toArray(String[]::new));
      container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
      container.setPrefetchCount(50);
      container.setMessageListener(new NotificationListener(agent, rabbit, topology, Duration.ofMillis(50), brokerIo, registry));
      container.start();

      int valid = 150;
      List<String> wires = new ArrayList<>();
      long expectedSamples = 0;
      for (int i = 0; i < valid; i++) {
        String w = imageUpload("img-" + i, "2025-03-01T10:00:00.000000");
        expectedSamples += meters.toSamples(Notification.parse(w)).size();
        wires.add(w);
        if (i % 5 != 0) continue;
        // between the valid ones: 10 of each kind that is refused (the database's NUL and index rules,
        // and a year 0 that oslo's parse_isotime refuses as Ceilometer does)
        switch (i / 5 % 3) {
          case 0 -> wires.add(imageUpload("img\u0000" + i, "2025-03-01T10:00:00.000000"));
          case 1 -> wires.add(imageUpload("img-z" + i, "0000-01-01 00:00:00"));
          default -> wires.add(imageUpload(tooLongForTheIndex(), "2025-03-01T10:00:00.000000"));
        }
      }
      int perPoison = 10;
      int bad = wires.size() - valid;
      assertThat(bad).isEqualTo(3 * perPoison);
      MessageProperties props = new MessageProperties();
      props.setContentType("application/json");
      for (String w : wires) rabbit.send("glance", "notifications.info", new Message(w.getBytes(StandardCharsets.UTF_8), props));

      Eventually.await("every notification settled", TIMEOUT,
          () -> outcome("processed") + outcome("dead_lettered") >= wires.size());
      assertThat(outcome("processed")).isEqualTo(valid);
      assertThat(outcome("dead_lettered")).isEqualTo(bad);
      assertThat(outcome("requeued")).as("data errors are permanent").isZero();
      assertThat(stored("fake")).as("every valid notification's sample, once").isEqualTo(expectedSamples);
      assertThat(samplesCounter("duplicate")).isZero();

      Map<String, Integer> reasons = new HashMap<>();
      Set<String> bodies = new HashSet<>();
      Message dead;
      while ((dead = rabbit.receive(topology.deadLetterQueue(), 2_000)) != null) {
        String reason = dead.getMessageProperties().getHeader(NotificationListener.REASON);
        reasons.merge(reason.contains("refused by the store") ? "store" : reason.contains("NUL") ? "nul"
            : reason.contains("not an ISO 8601 time") ? "time" : reason, 1, Integer::sum);
        bodies.add(new String(dead.getBody(), StandardCharsets.UTF_8));
      }
      assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of("store", perPoison, "nul", perPoison, "time", perPoison));
      assertThat(bodies).as("each dead-lettered once").hasSize(bad);
      assertThat(admin.getQueueInfo("notifications.info").getMessageCount()).isZero();
    } finally {
      container.stop();
      connections.destroy();
      brokerIo.dispose();
    }
  }

  private double outcome(String name) {
    var c = registry.find("altimeter.notifications").tag("outcome", name).counter();
    return c == null ? 0 : c.count();
  }

  /** glance's image.upload (one image.size sample of project "fake") with the given image id and time. */
  private static String imageUpload(String imageId, String timestamp) {
    Map<String, Object> inner = JSON.readValue(Fixtures.resource("notifications/legacy/glance-image.upload.json"),
        new TypeReference<>() {});
    inner.put("message_id", UUID.randomUUID().toString());
    inner.put("timestamp", timestamp);
    @SuppressWarnings("unchecked")
    Map<String, Object> payload = (Map<String, Object>) inner.get("payload");
    payload.put("id", imageId);
    return Fixtures.envelope(inner);
  }
}
