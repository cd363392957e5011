package dev.altimeter.deploy;

import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.config.PipelineConfigParser;
import dev.altimeter.collector.pipeline.exposition.ExpositionPublisher;
import dev.altimeter.collector.pipeline.exposition.SampleExposition;
import dev.altimeter.collector.pipeline.publish.DatabasePublisher;
import dev.altimeter.collector.pipeline.publish.NotifierPublisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherFactory;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.route.EventPipelines;
import dev.altimeter.collector.pipeline.route.Partitioning;
import dev.altimeter.collector.pipeline.route.ReloadingPipelines;
import dev.altimeter.collector.pipeline.route.RunningPipelines;
import dev.altimeter.collector.pipeline.route.SamplePipelines;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.wire.MessageSigner;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The pipeline every source feeds: pipeline.yaml (samples) and event_pipeline.yaml (events), with
 * the {@code database://} publisher ({@link DatabasePublisher}) writing to the store. A bad file stops start-up
 * with an error naming the file, line, source or sink, and the rule.
 */
@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineConfiguration.class);

  /** The publisher schemes the service adds to {@link PublisherRegistry#standard()}. */
  static final String DATABASE = "database";
  static final String EXPOSITION = "prometheus-exposition";
  static final String NOTIFIER = "notifier";

  /** The schemes a pipeline file of the service may name: {@link #publisherRegistry}'s. */
  static Set<String> serviceSchemes() {
    Set<String> schemes = new HashSet<>(PublisherRegistry.standard().schemes());
    schemes.addAll(List.of(DATABASE, EXPOSITION, NOTIFIER));
    return schemes;
  }

  /**
   * What only a process with the store has: {@code database://} ({@link DatabasePublisher}) and its lifecycle,
   * and the event pipelines (events come from the notification role only, which runs the store; the
   * built-in event_pipeline.yaml stores them).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnStore
  static class StoreWriters {
    @Bean
    DatabasePublisher databasePublisher(SampleStore samples, EventStore events, AltimeterProperties properties,
        MeterRegistry registry) {
      AltimeterProperties.Store p = properties.getStore();
      return new DatabasePublisher(samples, events, new DatabasePublisher.Options(p.getQueueCapacity(), p.getBatchSize(),
          p.getBatchDelay(), p.getWriters(), p.getQueueCapacityBytes().toBytes()), registry);
    }

    @Bean
    ServiceLifecycle.StoreWriters storeWritersLifecycle(DatabasePublisher databasePublisher,
        ServiceLifecycle.ShutdownBudget shutdownBudget) {
      return new ServiceLifecycle.StoreWriters(databasePublisher, shutdownBudget);
    }

    /**
     * The event pipelines: event_pipeline.yaml (reloaded when it changes, on the same interval as
     * pipeline.yaml) or the built-in file.
     */
    @Bean
    RunningPipelines<Event> eventPipelines(AltimeterProperties properties, PublisherRegistry publishers,
        PublisherContext context, MeterRegistry registry, Scheduler publisherScheduler) {
      Path file = properties.getEventPipeline().getFile();
      Duration interval = properties.getPipeline().getReloadInterval();
      if (file != null && interval != null && !interval.isZero()) {
        return new ReloadingPipelines<Event>(file, new PipelineConfigParser(TransformerCatalog.standard(), publishers.schemes()),
            PipelineConfig.Kind.EVENT, config -> EventPipelines.create(config, publishers, context, registry), interval,
            publisherScheduler, registry).load();
      }
      PipelineConfig config = load(file, "altimeter/event_pipeline.yaml", PipelineConfig.Kind.EVENT, publishers.schemes());
      return EventPipelines.create(config, publishers, context, registry);
    }
  }

  /** The bounded pool for publishers' blocking work (file writes): used on purpose, never an event loop. */
  @Bean(destroyMethod = "dispose")
  Scheduler publisherScheduler() {
    return Schedulers.newBoundedElastic(4, 10_000, "altimeter-publish");
  }

  /** What {@code prometheus-exposition://} publishers feed and {@code /actuator/samples} serves. */
  @Bean
  SampleExposition sampleExposition(AltimeterProperties properties, MeterRegistry registry) {
    AltimeterProperties.Exposition p = properties.getExposition();
    return new SampleExposition(p.getMaxSeries(), p.getMaxAge(), System::nanoTime, registry);
  }

  @Bean
  SampleExpositionEndpoint sampleExpositionEndpoint(SampleExposition sampleExposition) {
    return new SampleExpositionEndpoint(sampleExposition);
  }

  /**
   * Every scheme of {@link #serviceSchemes()}. Without the store, {@code database://} is still known,
   * so that a reloaded pipeline.yaml naming it is rejected with the reason rather than as an unknown scheme.
   */
  @Bean
  PublisherRegistry publisherRegistry(ObjectProvider<DatabasePublisher> databasePublisher,
      SampleExposition exposition, PublisherBroker broker, AltimeterProperties properties, MeterRegistry registry) {
    String host = properties.getPolling().getHostName() != null ? properties.getPolling().getHostName() : localHostName();
    DatabasePublisher store = databasePublisher.getIfAvailable();
    PublisherFactory database = store != null ? store.factory()
        : (url, context) -> {
          throw new IllegalArgumentException("database:// needs the store, which this process did not start ("
              + ConditionalOnStore.StoreCondition.NOT_NEEDED + " at start-up): restart it to start the store");
        };
    return PublisherRegistry.standard()
        .with(DATABASE, database)
        .with(EXPOSITION, ExpositionPublisher.factory(exposition))
        // always known, so that a pipeline naming notifier:// without a broker fails with that reason
        .with(NOTIFIER, NotifierPublisher.factory(broker, NotifierPublisher.Settings.defaults(host), registry));
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName(); // Ceilometer's conf.host: socket.gethostname()
    } catch (IOException e) {
      return "localhost";
    }
  }

  /**
   * The AMQP connection of the {@code notifier://} publishers, built on first use from
   * {@code spring.rabbitmq.*}; answers null when no broker is configured. A connection of its own,
   * separate from the notification consumers', so that the broker's flow control on publishers
   * never stalls consumption.
   */
  static class PublisherBroker implements Supplier<ConnectionFactory>, DisposableBean {
    private final Environment env;
    private final String connectionName;
    private final boolean confirms;
    private CachingConnectionFactory factory; // guarded by this

    PublisherBroker(Environment env) {
      this(env, "altimeter-publisher", false);
    }

    PublisherBroker(Environment env, String connectionName, boolean confirms) {
      this.env = env;
      this.connectionName = connectionName;
      this.confirms = confirms;
    }

    @Override
    public synchronized ConnectionFactory get() {
      if (factory != null) return factory;
      String addresses = env.getProperty("spring.rabbitmq.addresses", "");
      String host = env.getProperty("spring.rabbitmq.host", "");
      if (addresses.isBlank() && host.isBlank()) return null;
      CachingConnectionFactory cf = new CachingConnectionFactory();
      cf.setUsername(env.getProperty("spring.rabbitmq.username", "guest"));
      cf.setPassword(env.getProperty("spring.rabbitmq.password", "guest"));
      cf.setVirtualHost(env.getProperty("spring.rabbitmq.virtual-host", "/"));
      if (addresses.startsWith("amqp://") || addresses.startsWith("amqps://")) {
        cf.setUri(addresses);
      } else if (!addresses.isBlank()) {
        cf.setAddresses(addresses);
      } else {
        cf.setHost(host);
        cf.setPort(env.getProperty("spring.rabbitmq.port", Integer.class, 5672));
      }
      cf.setConnectionNameStrategy(f -> connectionName);
      if (confirms) cf.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
      factory = cf;
      return cf;
    }

    @Override
    public synchronized void destroy() {
      if (factory != null) factory.destroy();
    }
  }

  @Bean
  @Primary
  PublisherBroker publisherBroker(Environment env) {
    return new PublisherBroker(env);
  }

  @Bean
  PublisherContext publisherContext(AltimeterProperties properties, Scheduler publisherScheduler) {
    String secret = properties.getTelemetrySecret();
    return new PublisherContext(secret == null || secret.isEmpty() ? MessageSigner.disabled() : MessageSigner.of(secret),
        publisherScheduler);
  }

  /**
   * The sample pipelines as the service runs them: from altimeter.pipeline.file (reloaded when it
   * changes, every altimeter.pipeline.reload-interval) or the built-in file; stateful sinks shared
   * through partition queues when altimeter.pipeline.partitions &gt; 0.
   */
  record SampleRuntime(SampleConsumer consumer, Supplier<Mono<Void>> start, Supplier<Mono<Void>> stop) {}

  @Bean
  SampleRuntime sampleRuntime(AltimeterProperties properties, PublisherRegistry publishers,
      PublisherContext context, MeterRegistry registry, PartitionBroker partitionBroker, Scheduler publisherScheduler) {
    AltimeterProperties.PipelineSetting p = properties.getPipeline();
    Partitioning partitioning = Partitioning.off();
    if (p.getPartitions() > 0) {
      ConnectionFactory broker = partitionBroker.get();
      if (broker == null) {
        throw new IllegalStateException("altimeter.pipeline.partitions=" + p.getPartitions()
            + " needs a broker: the AMQP broker is not configured (spring.rabbitmq.*)");
      }
      partitioning = new Partitioning(p.getPartitions(), broker, publisherScheduler, p.getPartitionPrefetch(),
          Duration.ofSeconds(30));
    }
    Partitioning partitions = partitioning;
    Function<PipelineConfig, SamplePipelines> build = config -> SamplePipelines.create(config,
        TransformerCatalog.standard(), publishers, context, registry, 256, partitions);
    if (p.getFile() != null && p.getReloadInterval() != null && !p.getReloadInterval().isZero()) {
      ReloadingPipelines<Sample> reloading = new ReloadingPipelines<Sample>(p.getFile(),
          new PipelineConfigParser(TransformerCatalog.standard(), publishers.schemes()), PipelineConfig.Kind.SAMPLE,
          build, p.getReloadInterval(), publisherScheduler, registry).load();
      LOG.info("Sample pipelines from {} (checked for changes every {}): {}", p.getFile(), p.getReloadInterval(),
          reloading.current().pipelineNames());
      return new SampleRuntime(reloading::accept, reloading::start, reloading::stop);
    }
    PipelineConfig config = load(p.getFile(), "altimeter/pipeline.yaml", PipelineConfig.Kind.SAMPLE, publishers.schemes());
    SamplePipelines pipelines = build.apply(config);
    LOG.info("Sample pipelines from {}: {}", config.file(), pipelines.pipelineNames());
    return new SampleRuntime(pipelines, pipelines::start, pipelines::stop);
  }

  @Bean
  @Primary
  SampleConsumer samplePipelines(SampleRuntime runtime) {
    return runtime.consumer();
  }

  /** The connection of the partition queues, with publisher confirms (a routed batch is on the broker). */
  @Bean
  PartitionBroker partitionBroker(Environment env) {
    return new PartitionBroker(env);
  }

  static final class PartitionBroker extends PublisherBroker {
    PartitionBroker(Environment env) {
      super(env, "altimeter-partitions", true);
    }
  }

  /** {@code file}, or the class path resource {@code builtIn} when null, parsed and checked; blocking (start-up). */
  static PipelineConfig load(Path file, String builtIn, PipelineConfig.Kind kind, Set<String> schemes) {
    PipelineConfigParser parser = new PipelineConfigParser(TransformerCatalog.standard(), schemes);
    if (file != null) return parser.load(file, kind);
    try (InputStream in = PipelineConfiguration.class.getClassLoader().getResourceAsStream(builtIn)) {
      return parser.parse("built-in " + builtIn, new String(in.readAllBytes(), StandardCharsets.UTF_8), kind);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pipeline flush and the store writers' drain share it ({@link ServiceLifecycle}). */
  @Bean
  ServiceLifecycle.ShutdownBudget shutdownBudget(
      @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration phaseTimeout) {
    return new ServiceLifecycle.ShutdownBudget(phaseTimeout);
  }

  /** Without the store there are no event pipelines ({@link ConditionalOnStore}). */
  @Bean
  ServiceLifecycle.Pipelines pipelinesLifecycle(SampleRuntime sampleRuntime,
      ObjectProvider<RunningPipelines<Event>> eventPipelines, ServiceLifecycle.ShutdownBudget shutdownBudget) {
    return new ServiceLifecycle.Pipelines(sampleRuntime, eventPipelines.getIfAvailable(), shutdownBudget);
  }
}
