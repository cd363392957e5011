package dev.altimeter.collector.notification.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.Eventually;
import dev.altimeter.collector.notification.Fixtures;
import dev.altimeter.collector.notification.NotificationAgent;
import dev.altimeter.collector.notification.definition.EventDefinitions;
import dev.altimeter.collector.notification.definition.MeterDefinitions;
import dev.altimeter.collector.pipeline.publish.DatabasePublisher;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.InMemoryEventStore;
import dev.altimeter.storage.InMemorySampleStore;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.Trait;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The golden corpus: every notification Altimeter understands (the reference folders, nova's
 * documented samples and one of each OpenStack service, {@code notifications/golden/**}), with the
 * samples and event Ceilometer's own code made of it ({@code golden/generate.py}, run once against
 * Debian's python3-ceilometer), published on the broker as its sender would and compared field by
 * field with what Altimeter stored. Sample ids are not compared: Ceilometer's are random.
 */
class GoldenCorpusTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Path GOLDEN = Path.of("src/test/resources/notifications/golden");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final NotificationTopology topology = NotificationTopology.defaults();
  private final Scheduler brokerIo = Schedulers.newBoundedElastic(2, 10_000, "golden-broker-io");
  // the conversion is under test, not the database: the in-memory stores keep what the pipeline
  // stored field for field, as PostgreSQL does (both pass core's store test kits); the broker is real
  private final InMemorySampleStore sampleStore = new InMemorySampleStore(100_000);
  private final InMemoryEventStore eventStore = new InMemoryEventStore(100_000);
  private CachingConnectionFactory connections;
  private DatabasePublisher database;
  private SampleConsumer samples;
  private DirectMessageListenerContainer container;

  record Golden(String name, JsonNode file) {}

  @BeforeEach
  void start() {
    connections = TestBroker.connectionFactory();
    TestBroker.declareEmpty(connections, topology);
    DatabasePublisher.Options options = new DatabasePublisher.Options(10_000, 500, Duration.ofMillis(10), 2);
    database = new DatabasePublisher(sampleStore, eventStore, options, registry).startWriters();
    samples = database::publishSamples;
    NotificationAgent agent = new NotificationAgent(MeterDefinitions.builtIn(),
        EventDefinitions.builtIn(EventDefinitions.Options.DEFAULTS), samples, database::publishEvents);
    container = new DirectMessageListenerContainer(connections);
    container.setQueueNames(topology.queueNames().toArray(String[]::new));
    container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
    container.setPrefetchCount(100);
    container.setMessageListener(new NotificationListener(agent, new RabbitTemplate(connections), topology,
        Duration.ofMillis(100), brokerIo, registry));
    container.start();
  }

  @AfterEach
  void stop() {
    container.stop();
    database.drain().block(TIMEOUT);
    connections.destroy();
    brokerIo.dispose();
  }

  static List<Golden> corpus() throws IOException {
    List<Golden> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(GOLDEN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(new Golden(GOLDEN.relativize(f).toString().replace(".json", ""), JSON.readTree(f.toFile())));
      }
    }
    return out;
  }

  @Test
  void everyNotificationIsStoredAsCeilometerConvertsIt() throws IOException {
    List<Golden> corpus = corpus();
    // the reference folders, nova's samples and one of each service at least
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(44);
    for (String service : List.of("nova", "neutron", "cinder", "glance", "designate", "keystone", "heat", "ironic",
        "trove", "swift")) {
      assertThat(corpus).as("a notification of %s", service)
          .anyMatch(g -> g.name().substring(g.name().indexOf('/') + 1).startsWith(service + "-"));
    }
    everyInputHasAGoldenFile(corpus);

    RabbitTemplate rabbit = new RabbitTemplate(connections);
    int nothing = 0;
    for (Golden g : corpus) {
      @SuppressWarnings("unchecked")
      Map<String, Object> inner = JSON.treeToValue(g.file().get("message"), Map.class);
      String priority = ((String) inner.get("priority")).toLowerCase(java.util.Locale.ROOT);
      MessageProperties props = new MessageProperties();
      props.setContentType("application/json");
      rabbit.send(g.file().get("exchange").asString(), "notifications." + priority,
          new Message(Fixtures.envelope(inner).getBytes(StandardCharsets.UTF_8), props));
      if (producesNothingAndFails(g.file())) nothing++;
    }
    int deadLetters = nothing;
    Eventually.await("every notification settled", TIMEOUT,
        () -> outcome("processed") + outcome("dead_lettered") == corpus.size());
    assertThat(outcome("dead_lettered")).as("only what produced nothing is dead-lettered").isEqualTo(deadLetters);

    List<JsonNode> stored = new ArrayList<>();
    for (Sample s : sampleStore.samples(SampleFilter.ALL, 100_000).collectList().block(TIMEOUT)) stored.add(sample(s));
    Map<String, Event> storedEvents = new LinkedHashMap<>();
    for (Event e : eventStore.events(EventFilter.builder().build(), 100_000).collectList().block(TIMEOUT)) {
      storedEvents.put(e.messageId(), e);
    }

    SoftAssertions soft = new SoftAssertions();
    int expectedSamples = 0;
    for (Golden g : corpus) {
      for (JsonNode expected : g.file().get("samples")) {
        expectedSamples++;
        JsonNode want = normalize(deviated(expected, g.file().get("deviations")));
        if (!stored.remove(want)) {
          soft.fail("%s: sample not stored as Ceilometer made it:%n  %s%n  stored of that meter: %s", g.name(), want,
              stored.stream().filter(s -> s.get("name").equals(want.get("name"))).toList());
        }
      }
      String messageId = g.file().get("message").get("message_id").asString();
      JsonNode expectedEvent = g.file().get("event");
      Event got = storedEvents.remove(messageId);
      if (expectedEvent.isNull()) {
        soft.assertThat(got).as("%s: Ceilometer made no event", g.name()).isNull();
      } else if (got == null) {
        soft.fail("%s: event not stored", g.name());
      } else {
        soft.assertThat(event(got)).as("%s: event", g.name()).isEqualTo(normalizeEvent(expectedEvent));
      }
    }
    soft.assertThat(stored).as("samples Ceilometer did not make").isEmpty();
    soft.assertThat(storedEvents).as("events Ceilometer did not make").isEmpty();
    soft.assertAll();
    assertThat(expectedSamples).isGreaterThan(60);
  }

  /** A new input file needs its golden file (run generate.py). */
  private static void everyInputHasAGoldenFile(List<Golden> corpus) throws IOException {
    List<String> inputs = new ArrayList<>();
    for (String dir : List.of("legacy", "nova", "services")) {
      try (Stream<Path> files = Files.list(GOLDEN.resolveSibling(dir))) {
        files.forEach(f -> inputs.add(dir + "/" + f.getFileName().toString().replace(".json", "")));
      }
    }
    assertThat(corpus.stream().map(Golden::name).toList()).containsExactlyInAnyOrderElementsOf(inputs);
  }

  /**
   * Ceilometer's sample with the recorded deliberate deviations applied: a deviation names the value
   * Ceilometer gave (checked, so the record stays true) and the one Altimeter gives instead.
   */
  private static JsonNode deviated(JsonNode sample, JsonNode deviations) {
    ObjectNode out = (ObjectNode) sample.deepCopy();
    for (JsonNode d : deviations) {
      if (!d.get("meter").asString().equals(sample.get("name").asString())) continue;
      String field = d.get("field").asString();
      assertThat(sample.get(field)).as("Ceilometer's %s of %s", field, d.get("meter")).isEqualTo(d.get("ceilometer"));
      out.set(field, d.get("altimeter"));
    }
    return out;
  }

  private static boolean producesNothingAndFails(JsonNode golden) {
    boolean failed = !golden.get("samples_error").isNull() || !golden.get("event_error").isNull();
    return failed && golden.get("samples").isEmpty() && golden.get("event").isNull();
  }

  private double outcome(String name) {
    var c = registry.find("altimeter.notifications").tag("outcome", name).counter();
    return c == null ? 0 : c.count();
  }

  private static JsonNode sample(Sample s) {
    ObjectNode n = NODES.objectNode();
    n.put("name", s.meter());
    n.put("type", s.type().wireName());
    n.put("unit", s.unit());
    n.put("volume", s.volume());
    n.put("user_id", s.userId());
    n.put("project_id", s.projectId());
    n.put("resource_id", s.resourceId());
    n.put("timestamp", s.timestamp().toString());
    n.put("source", s.source());
    n.set("resource_metadata", JSON.valueToTree(s.resourceMetadata()));
    return normalize(n);
  }

  private static JsonNode normalizeEvent(JsonNode e) {
    ObjectNode n = NODES.objectNode();
    n.put("event_type", e.get("event_type").asString());
    n.put("message_id", e.get("message_id").asString());
    n.put("generated", Instant.parse(e.get("generated").asString()).toString());
    ArrayNode traits = n.putArray("traits");
    for (JsonNode t : e.get("traits")) {
      String type = t.get(1).asString();
      JsonNode v = t.get(2);
      traits.add(NODES.arrayNode().add(t.get(0).asString()).add(type)
          .add(type.equals("datetime") ? NODES.stringNode(Instant.parse(v.asString()).toString()) : normalize(v)));
    }
    return n;
  }

  private static JsonNode event(Event e) {
    ObjectNode n = NODES.objectNode();
    n.put("event_type", e.eventType());
    n.put("message_id", e.messageId());
    n.put("generated", e.generated().toString());
    ArrayNode traits = n.putArray("traits");
    for (Trait t : e.traits()) {
      Object v = t.value();
      traits.add(NODES.arrayNode().add(t.name()).add(t.type().wireName())
          .add(v instanceof Instant i ? NODES.stringNode(i.toString()) : normalize(JSON.valueToTree(v))));
    }
    return n;
  }

  /** Numbers as doubles (Python's 1 and 1.0 are one value to Ceilometer's store), timestamps as Instants. */
  private static JsonNode normalize(JsonNode node) {
    if (node.isNumber()) return NODES.numberNode(node.asDouble());
    if (node.isArray()) {
      ArrayNode a = NODES.arrayNode();
      node.forEach(x -> a.add(normalize(x)));
      return a;
    }
    if (node.isObject()) {
      ObjectNode o = NODES.objectNode();
      node.properties().forEach(e -> o.set(e.getKey(),
          e.getKey().equals("timestamp") && e.getValue().isString() && node.has("resource_metadata")
              ? NODES.stringNode(Instant.parse(e.getValue().asString()).toString())
              : normalize(e.getValue())));
      return o;
    }
    return node;
  }
}
