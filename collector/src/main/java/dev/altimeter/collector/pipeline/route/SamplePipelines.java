package dev.altimeter.collector.pipeline.route;

import dev.altimeter.collector.config.MeterFilter;
import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import dev.altimeter.collector.pipeline.transform.Transformer;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The sample pipelines of one pipeline.yaml at run time: each incoming batch is filtered by every
 * source's meter filter and handed to the sinks that source feeds; each sink runs its transformer
 * chain and publishers (see {@link SinkRuntime}).
 *
 * <p>As in Ceilometer, a sink named by several sources is one instance (one transformer state);
 * a sample selected by two sources feeding the same sink reaches it twice. Each sink receives one
 * submission per batch (the selections of its pipelines, in pipeline order) and is flushed after
 * it, even when nothing was selected (so the aggregator's {@code retention_time} can expire).
 *
 * <p>Building from files:
 * <pre>{@code
 * PublisherRegistry publishers = PublisherRegistry.standard().with("database", storeFactory);
 * PipelineConfig config = new PipelineConfigParser(TransformerCatalog.standard(), publishers.schemes())
 *     .load(Path.of("pipeline.yaml"), PipelineConfig.Kind.SAMPLE);
 * SamplePipelines pipelines = SamplePipelines.create(config, TransformerCatalog.standard(), publishers,
 *     PublisherContext.defaults(), meterRegistry, 64);
 * pipelines.start().block();
 * pipelines.accept(samples).subscribe();
 * }</pre>
 *
 * <p>Thread-safe: {@link #accept} may be called concurrently; batches are serialised per sink.
 * Non-blocking: {@link #accept} never blocks; a full sink refuses with
 * {@link SampleConsumer.Overloaded}.
 */
public final class SamplePipelines implements SampleConsumer, RunningPipelines<Sample> {
  private record Route(String pipeline, MeterFilter filter, Counter received) {}

  private final Map<SinkRuntime, List<Route>> routes;
  private final Map<SinkRuntime, PartitionedSink> partitioned;

  private SamplePipelines(Map<SinkRuntime, List<Route>> routes, Map<SinkRuntime, PartitionedSink> partitioned) {
    this.routes = routes;
    this.partitioned = partitioned;
  }

  /** As {@link #create(PipelineConfig, TransformerCatalog, PublisherRegistry, PublisherContext, MeterRegistry, int,
   * Partitioning)} with every sink in process. */
  public static SamplePipelines create(PipelineConfig config, TransformerCatalog transformers,
      PublisherRegistry publishers, PublisherContext context, MeterRegistry registry, int queueCapacity) {
    return create(config, transformers, publishers, context, registry, queueCapacity, Partitioning.off());
  }

  /**
   * Builds transformers and publishers for every sink used by a pipeline.
   *
   * @param queueCapacity batches each sink may hold waiting (rounded up to a power of two by Reactor)
   * @param partitioning when enabled, sinks with a {@linkplain Partitioning#STATEFUL stateful}
   *     transformer receive their samples through partition queues on the broker (see
   *     {@link PartitionedSink}), consumed once {@link #start} ran
   * @throws IllegalArgumentException when a publisher or transformer cannot be built (no factory for
   *     a scheme, bad option); publishers built so far are closed
   */
  public static SamplePipelines create(PipelineConfig config, TransformerCatalog transformers,
      PublisherRegistry publishers, PublisherContext context, MeterRegistry registry, int queueCapacity,
      Partitioning partitioning) {
    if (config.kind() != PipelineConfig.Kind.SAMPLE) throw new IllegalArgumentException(config.file() + " is not a sample pipeline");
    Map<String, SinkRuntime> sinks = new LinkedHashMap<>();
    Map<SinkRuntime, List<Route>> routes = new LinkedHashMap<>();
    Map<SinkRuntime, PartitionedSink> partitioned = new LinkedHashMap<>();
    List<Publisher> built = new ArrayList<>();
    try {
      for (PipelineConfig.Pipeline p : config.pipelines()) {
        SinkRuntime sink = sinks.get(p.sink().name());
        if (sink == null) {
          List<Transformer> chain = new ArrayList<>();
          for (PipelineConfig.TransformerSpec t : p.sink().transformers()) {
            chain.add(transformers.create(t.name(), t.parameters()));
          }
          List<NamedPublisher> pubs = new ArrayList<>();
          for (PublisherUrl url : p.sink().publishers()) {
            Publisher pub = publishers.create(url, context);
            built.add(pub);
            pubs.add(new NamedPublisher(p.sink().name(), url.redacted(), pub, registry));
          }
          sink = new SinkRuntime(p.sink().name(), chain, pubs, queueCapacity, registry);
          sinks.put(p.sink().name(), sink);
          boolean stateful = p.sink().transformers().stream().anyMatch(t -> Partitioning.STATEFUL.contains(t.name()));
          if (partitioning.enabled() && stateful) partitioned.put(sink, new PartitionedSink(sink, partitioning, registry));
        }
        Counter received = Counter.builder("altimeter.pipeline.received")
            .description("Samples a pipeline's source selected").tag("pipeline", p.name()).register(registry);
        routes.computeIfAbsent(sink, k -> new ArrayList<>()).add(new Route(p.name(), p.source().filter(), received));
      }
    } catch (RuntimeException e) {
      built.forEach(Publisher::close);
      sinks.values().forEach(SinkRuntime::dispose);
      throw e;
    }
    return new SamplePipelines(routes, partitioned);
  }

  /**
   * Starts every publisher, then the consumers of the partition queues (declaring them: blocking
   * broker calls, run on the partitioning's scheduler).
   */
  public Mono<Void> start() {
    return Flux.fromIterable(routes.keySet()).flatMapIterable(SinkRuntime::publishers)
        .flatMap(p -> p.publisher.start()).then()
        .then(Flux.fromIterable(partitioned.values())
            .concatMap(ps -> Mono.fromRunnable(ps::start).subscribeOn(ps.brokerIo())).then());
  }

  /** The partitioned sinks (for tests and rebalancing). */
  List<PartitionedSink> partitionedSinks() {
    return List.copyOf(partitioned.values());
  }

  /** The partition queues of the stateful sinks, by sink; empty when partitioning is off. */
  public Map<String, List<String>> partitionQueues() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    partitioned.values().forEach(ps -> m.put(ps.name(), ps.queues()));
    return m;
  }

  /**
   * Routes a batch. Completes when every sink has published its part; publisher failures are
   * counted in metrics and signalled only for publishers that {@linkplain Publisher#acknowledges()
   * acknowledge} (e.g. the store); fails with {@link SampleConsumer.Overloaded} if a sink's queue is
   * full (other sinks may have taken their part: a retry may repeat samples to them, which the
   * store deduplicates by message id). Errors are delayed until every sink finished and passed on
   * unchanged ({@code StoreException}, {@code TooLarge}, ...; of several, the permanent one). Lazy: nothing
   * happens until subscribed.
   */
  @Override
  public Mono<Void> accept(List<Sample> samples) {
    return Mono.defer(() -> {
      List<Mono<Void>> submissions = new ArrayList<>(routes.size());
      for (Map.Entry<SinkRuntime, List<Route>> e : routes.entrySet()) {
        List<Sample> part = new ArrayList<>(samples.size());
        for (Route r : e.getValue()) {
          int before = part.size();
          for (Sample s : samples) {
            if (r.filter.matches(s.meter())) part.add(s);
          }
          r.received.increment(part.size() - before);
        }
        PartitionedSink ps = partitioned.get(e.getKey());
        submissions.add(ps != null ? ps.route(part) : e.getKey().submit(part));
      }
      return Mono.whenDelayError(submissions).onErrorMap(Failures::decisive);
    });
  }

  /**
   * Stops consuming the partition queues (what is not yet acknowledged goes back to the broker, for
   * another collector), stops accepting, processes what is queued, then stops and closes the
   * publishers.
   */
  public Mono<Void> stop() {
    return Flux.fromIterable(partitioned.values())
        .concatMap(ps -> Mono.fromRunnable(ps::stop).subscribeOn(ps.brokerIo())).then()
        .then(Flux.fromIterable(routes.keySet()).flatMap(SinkRuntime::stop).then())
        .then(
        Flux.fromIterable(routes.keySet()).flatMapIterable(SinkRuntime::publishers)
            .flatMap(p -> p.publisher.stop().onErrorResume(e -> Mono.empty()))
            .then(Mono.fromRunnable(this::close)));
  }

  @Override
  public void close() {
    partitioned.values().forEach(PartitionedSink::stop);
    for (SinkRuntime s : routes.keySet()) {
      s.dispose();
      for (NamedPublisher p : s.publishers()) p.publisher.close();
    }
  }

  /** Pipeline names in configuration order, grouped by sink. */
  public List<String> pipelineNames() {
    List<String> names = new ArrayList<>();
    routes.values().forEach(rs -> rs.forEach(r -> names.add(r.pipeline)));
    return names;
  }
}
