package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.altimeter.collector.notification.NotificationAgent;
import dev.altimeter.collector.notification.amqp.NotificationListener;
import dev.altimeter.collector.notification.amqp.NotificationTopology;
import dev.altimeter.collector.notification.definition.EventDefinitions;
import dev.altimeter.collector.notification.definition.MeterDefinitions;
import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.exposition.ExpositionPublisher;
import dev.altimeter.collector.pipeline.exposition.SampleExposition;
import dev.altimeter.collector.pipeline.publish.DatabasePublisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.route.EventPipelines;
import dev.altimeter.collector.pipeline.route.SamplePipelines;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import dev.altimeter.collector.polling.PollingAgent;
import dev.altimeter.collector.polling.PollingConfig;
import dev.altimeter.collector.polling.ResourcePartition;
import dev.altimeter.collector.receive.TcpReceiver;
import dev.altimeter.collector.receive.UdpReceiver;
import dev.altimeter.ingest.RecordingIngestCounters;
import dev.altimeter.storage.InMemoryEventStore;
import dev.altimeter.storage.InMemorySampleStore;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.wire.MessageSigner;
import dev.altimeter.wire.MeterMessageDecoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.GenericApplicationContext;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The start and stop order of {@link ServiceLifecycle}, once for every component kind, with the
 * real components (an in-memory store instead of PostgreSQL, no broker: the notification intake
 * only pauses and waits): Spring's lifecycle processor orders them by their phases alone, whatever
 * order they were registered in. Swapping two phases fails the order assertion.
 */
class ServiceLifecycleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ServiceLifecycle.class);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Scheduler publisherScheduler = Schedulers.newBoundedElastic(2, 1_000, "test-publish");
  private final Scheduler brokerIo = Schedulers.newBoundedElastic(1, 1_000, "test-broker-io");
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void captureTheLifecycleLog() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void release() throws Exception {
    logger.detachAppender(log);
    for (AutoCloseable c : toClose) c.close();
    publisherScheduler.dispose();
    brokerIo.dispose();
  }

  /** "started X" and "stopping X", in the order they were logged. */
  private List<String> steps() {
    return log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("Lifecycle: "))
        .map(m -> m.substring("Lifecycle: ".length())).toList();
  }

  @Test
  void writersThenPipelinesThenSourcesStartAndIntakeStopsFirstThenTheFlushThenTheWriters() {
    InMemorySampleStore store = new InMemorySampleStore(100_000);
    // a batch delay far beyond the test: what the pipeline hands over is written only by the drain
    DatabasePublisher database = new DatabasePublisher(store, new InMemoryEventStore(1_000),
        new DatabasePublisher.Options(10_000, 1_000, Duration.ofMinutes(10), 2), registry);
    PublisherRegistry publishers = PublisherRegistry.standard().with(PipelineConfiguration.DATABASE, database.factory())
        .with(PipelineConfiguration.EXPOSITION, ExpositionPublisher.factory(
            new SampleExposition(100, Duration.ofMinutes(5), System::nanoTime, registry)));
    PublisherContext context = new PublisherContext(MessageSigner.disabled(), publisherScheduler);
    SamplePipelines samples = SamplePipelines.create(
        PipelineConfiguration.load(null, "altimeter/pipeline.yaml", PipelineConfig.Kind.SAMPLE, publishers.schemes()),
        TransformerCatalog.standard(), publishers, context, registry, 256);
    EventPipelines events = EventPipelines.create(
        PipelineConfiguration.load(null, "altimeter/event_pipeline.yaml", PipelineConfig.Kind.EVENT, publishers.schemes()),
        publishers, context, registry);
    // no pollster: a poll in flight would wait at stop for its commit, which this test's batch delay
    // holds back until the writers drain (the agent's start and stop order is what is under test)
    PollingAgent agent = PollingAgent.builder(PollingConfig.builtIn(), List.of(), samples).build();
    toClose.add(agent);
    RecordingIngestCounters counters = new RecordingIngestCounters();
    MeterMessageDecoder decoder = new MeterMessageDecoder(MessageSigner.disabled());
    UdpReceiver udp = new UdpReceiver("127.0.0.1", 0, decoder, samples, 10, counters.receiver("udp"));
    TcpReceiver tcp = new TcpReceiver("127.0.0.1", 0, 65_536, decoder, samples, counters.receiver("tcp"));
    CachingConnectionFactory noBroker = new CachingConnectionFactory("127.0.0.1", 1);
    toClose.add(noBroker::destroy);
    NotificationListener listener = new NotificationListener(
        new NotificationAgent(MeterDefinitions.builtIn(), EventDefinitions.builtIn(EventDefinitions.Options.DEFAULTS),
            samples, events::accept),
        new RabbitTemplate(noBroker), NotificationTopology.defaults(), Duration.ofMillis(50), brokerIo, registry);
    ServiceLifecycle.ShutdownBudget budget = new ServiceLifecycle.ShutdownBudget(TIMEOUT);

    GenericApplicationContext service = new GenericApplicationContext();
    // registered sources first, store writers last: only the phases decide
    service.registerBean("notificationDrain", ServiceLifecycle.NotificationDrain.class,
        () -> new ServiceLifecycle.NotificationDrain(listener, TIMEOUT));
    service.registerBean("receivers", ServiceLifecycle.Receivers.class, () -> new ServiceLifecycle.Receivers(udp, tcp));
    service.registerBean("polling", ServiceLifecycle.Polling.class,
        () -> new ServiceLifecycle.Polling(agent, ResourcePartition.ALL));
    service.registerBean("pipelines", ServiceLifecycle.Pipelines.class,
        () -> new ServiceLifecycle.Pipelines(new PipelineConfiguration.SampleRuntime(samples, samples::start,
            samples::stop), events, budget));
    service.registerBean("storeWriters", ServiceLifecycle.StoreWriters.class,
        () -> new ServiceLifecycle.StoreWriters(database, budget));
    service.refresh();

    assertThat(steps()).containsExactly("started store writers", "started pipelines", "started polling",
        "started receivers", "started notification intake");
    assertThat(udp.running()).isTrue();
    assertThat(tcp.running()).isTrue();

    // accepted now, committed only when the pipeline has flushed it into the writers and they drained
    CompletableFuture<Void> ack = samples.accept(List.of(Sample.builder().meter("lifecycle").type(SampleType.GAUGE)
        .unit("1").volume(1).resourceId("r1").timestamp(Instant.parse("2026-01-01T00:00:00Z")).build())).toFuture();
    assertThat(ack).isNotDone();
    service.close();

    assertThat(steps()).containsExactly("started store writers", "started pipelines", "started polling",
        "started receivers", "started notification intake",
        "stopping notification intake", "stopping receivers", "stopping polling", "stopping pipelines",
        "stopping store writers");
    assertThat(udp.running()).isFalse();
    assertThat(tcp.running()).isFalse();
    assertThat(ack).isCompleted();
    assertThat(store.samples(SampleFilter.builder().meter("lifecycle").build(), 10).count().block(TIMEOUT)).isEqualTo(1);
  }

  /**
   * The components Spring Boot and Spring AMQP bring (the web server, the listener container) are
   * sources too: their phases lie between the pipelines' and the notification intake's.
   */
  @Test
  void theWebServerAndTheAmqpConsumersStopBeforeThePipelinesAndAfterTheIntakeDrain() {
    assertThat(ServiceLifecycle.WEB_SERVER_GRACEFUL_SHUTDOWN).isEqualTo(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE);
    List<Integer> stopOrder = List.of(ServiceLifecycle.NOTIFICATION_DRAIN, ServiceLifecycle.NOTIFICATION_CONSUMERS,
        ServiceLifecycle.WEB_SERVER_GRACEFUL_SHUTDOWN, ServiceLifecycle.WEB_SERVER, ServiceLifecycle.POLLING,
        ServiceLifecycle.PIPELINES, ServiceLifecycle.STORE_WRITERS);
    assertThat(stopOrder).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
    assertThat(ServiceLifecycle.RECEIVERS).isGreaterThan(ServiceLifecycle.PIPELINES);
    assertThat(ServiceLifecycle.STORE_WRITERS).isGreaterThan(Integer.MIN_VALUE).isLessThan(SmartLifecycle.DEFAULT_PHASE);
  }
}
