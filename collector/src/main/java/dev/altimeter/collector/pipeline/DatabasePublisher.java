package dev.altimeter.collector.pipeline;

import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherFactory;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * {@code database://}: the store. Hands samples and events to the shared batch writers, which
 * gather what every sink sends into store transactions. It acknowledges (a sample is acknowledged
 * to its source only once committed) and is concurrent (the writers queue and bound on their own,
 * so sinks do not wait for one commit before handing over the next batch).
 */
public final class DatabasePublisher implements Publisher {
  private final StorePublisher samples;
  private final BatchWriter<Event> events;

  DatabasePublisher(StorePublisher samples, BatchWriter<Event> events) {
    this.samples = samples;
    this.events = events;
  }

  /** Every {@code database://} URL gets a publisher over the same two writers; options are ignored. */
  public static PublisherFactory factory(StorePublisher samples, BatchWriter<Event> events) {
    return (url, context) -> new DatabasePublisher(samples, events);
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> batch) {
    return samples.accept(batch);
  }

  @Override
  public Mono<Void> publishEvents(List<Event> batch) {
    return events.accept(batch);
  }

  @Override
  public boolean acknowledges() {
    return true;
  }

  @Override
  public boolean concurrent() {
    return true;
  }
}
