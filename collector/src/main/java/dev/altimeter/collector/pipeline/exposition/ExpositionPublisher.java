package dev.altimeter.collector.pipeline.exposition;

import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherFactory;
import dev.altimeter.storage.Sample;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * {@code prometheus-exposition://}: hands every sample of its sink to the process's {@link
 * SampleExposition}, which the service serves for scraping. Unlike Ceilometer's {@code
 * prometheus://} (a push to a Pushgateway) nothing leaves the process here. The URL takes no
 * options: the bounds are the service's settings, shared by every sink that names this scheme.
 */
public final class ExpositionPublisher implements Publisher {
  private final SampleExposition exposition;

  ExpositionPublisher(SampleExposition exposition) {
    this.exposition = exposition;
  }

  /** Every {@code prometheus-exposition://} URL gets a publisher over the same exposition. */
  public static PublisherFactory factory(SampleExposition exposition) {
    return (url, context) -> {
      if (!url.query().isEmpty() || url.host() != null && !url.host().isEmpty()) {
        throw new IllegalArgumentException("prometheus-exposition:// takes no host or options ("
            + url.redacted() + "): its bounds are altimeter.exposition.*");
      }
      return new ExpositionPublisher(exposition);
    };
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> samples) {
    // an in-memory update under a short monitor: cheap enough for the sink's thread
    return Mono.fromRunnable(() -> exposition.update(samples));
  }
}
