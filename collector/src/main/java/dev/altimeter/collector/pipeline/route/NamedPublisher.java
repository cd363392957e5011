package dev.altimeter.collector.pipeline.route;

import dev.altimeter.collector.pipeline.publish.Publisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** A sink's publisher with its metric tag (the redacted URL) and its counters. */
final class NamedPublisher {
  final String name;
  final Publisher publisher;
  final Counter published;
  final Counter failedItems;
  final Counter failedBatches;
  final Timer latency;

  NamedPublisher(String sink, String name, Publisher publisher, MeterRegistry registry) {
    this.name = name;
    this.publisher = publisher;
    this.published = Counter.builder("altimeter.pipeline.published")
        .description("Items a publisher delivered").tags("sink", sink, "publisher", name).register(registry);
    this.failedItems = Counter.builder("altimeter.pipeline.publish.failed")
        .description("Items in batches a publisher failed to deliver").tags("sink", sink, "publisher", name)
        .register(registry);
    this.failedBatches = Counter.builder("altimeter.pipeline.publish.failed.batches")
        .description("Batches a publisher failed to deliver").tags("sink", sink, "publisher", name)
        .register(registry);
    this.latency = Timer.builder("altimeter.pipeline.publish.latency")
        .description("Time to publish one batch").tags("sink", sink, "publisher", name).register(registry);
  }
}
