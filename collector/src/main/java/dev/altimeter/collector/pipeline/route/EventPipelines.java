package dev.altimeter.collector.pipeline.route;

import dev.altimeter.collector.config.MeterFilter;
import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The event pipelines of one event_pipeline.yaml at run time: events selected by each source's
 * event-type filter go to the publishers of its sinks. Ceilometer's error rule: when a sink has
 * more than one publisher a failing publisher is counted and the others continue; when it has only
 * one, its failure fails {@link #accept} (so the caller does not acknowledge the input).
 *
 * <p>Thread-safe and non-blocking; no transformers, so no per-sink serialisation.
 */
public final class EventPipelines implements EventConsumer, RunningPipelines<Event> {
  private static final Logger LOG = LoggerFactory.getLogger(EventPipelines.class);

  private record Sink(String name, List<NamedPublisher> publishers) {}

  private record Route(MeterFilter filter, Counter received) {}

  private final Map<Sink, List<Route>> routes;
  private final List<String> names;

  private EventPipelines(Map<Sink, List<Route>> routes, List<String> names) {
    this.routes = routes;
    this.names = List.copyOf(names);
  }

  public static EventPipelines create(PipelineConfig config, PublisherRegistry publishers, PublisherContext context,
      MeterRegistry registry) {
    if (config.kind() != PipelineConfig.Kind.EVENT) throw new IllegalArgumentException(config.file() + " is not an event pipeline");
    Map<String, Sink> sinks = new LinkedHashMap<>();
    Map<Sink, List<Route>> routes = new LinkedHashMap<>();
    List<Publisher> built = new ArrayList<>();
    try {
      for (PipelineConfig.Pipeline p : config.pipelines()) {
        Sink sink = sinks.get(p.sink().name());
        if (sink == null) {
          List<NamedPublisher> pubs = new ArrayList<>();
          for (PublisherUrl url : p.sink().publishers()) {
            Publisher pub = publishers.create(url, context);
            built.add(pub);
            pubs.add(new NamedPublisher(p.sink().name(), url.redacted(), pub, registry));
          }
          sink = new Sink(p.sink().name(), pubs);
          sinks.put(sink.name, sink);
        }
        Counter received = Counter.builder("altimeter.pipeline.received")
            .description("Items a pipeline's source selected").tag("pipeline", p.name()).register(registry);
        routes.computeIfAbsent(sink, k -> new ArrayList<>()).add(new Route(p.source().filter(), received));
      }
    } catch (RuntimeException e) {
      built.forEach(Publisher::close);
      throw e;
    }
    return new EventPipelines(routes, config.pipelines().stream().map(PipelineConfig.Pipeline::name).toList());
  }

  @Override
  public List<String> pipelineNames() {
    return names;
  }

  @Override
  public Mono<Void> start() {
    return Flux.fromIterable(routes.keySet()).flatMapIterable(Sink::publishers)
        .flatMap(p -> p.publisher.start()).then();
  }

  /** Routes a batch of events; see the class comment for when it fails. Lazy. */
  @Override
  public Mono<Void> accept(List<Event> events) {
    return Mono.defer(() -> {
      List<Mono<Void>> all = new ArrayList<>();
      routes.forEach((sink, rs) -> {
        List<Event> part = new ArrayList<>();
        for (Route r : rs) {
          int before = part.size();
          for (Event e : events) {
            if (r.filter.matches(e.eventType())) part.add(e);
          }
          r.received.increment(part.size() - before);
        }
        if (part.isEmpty()) return;
        boolean propagate = sink.publishers.size() == 1;
        for (NamedPublisher p : sink.publishers) {
          all.add(Mono.defer(() -> p.publisher.publishEvents(part))
              .doOnSuccess(v -> p.published.increment(part.size()))
              .onErrorResume(e -> {
                p.failed(part.size(), e, LOG,
                    () -> "event sink '" + sink.name + "': publisher " + p.name + " failed on " + part.size() + " events");
                return propagate ? Mono.error(e) : Mono.empty();
              }));
        }
      });
      return Mono.whenDelayError(all).onErrorMap(Failures::decisive);
    });
  }

  @Override
  public Mono<Void> stop() {
    return Flux.fromIterable(routes.keySet()).flatMapIterable(Sink::publishers)
        .flatMap(p -> p.publisher.stop().onErrorResume(e -> Mono.empty()))
        .then(Mono.fromRunnable(this::close));
  }

  @Override
  public void close() {
    routes.keySet().forEach(s -> s.publishers.forEach(p -> p.publisher.close()));
  }
}
