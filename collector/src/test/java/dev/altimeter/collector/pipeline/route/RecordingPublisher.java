package dev.altimeter.collector.pipeline.route;

import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/** Records what it is given; optionally fails every batch. */
final class RecordingPublisher implements Publisher {
  final List<Sample> samples = new CopyOnWriteArrayList<>();
  final List<Event> events = new CopyOnWriteArrayList<>();
  final boolean failing;
  final boolean acknowledges;
  volatile boolean started;
  volatile boolean closed;

  RecordingPublisher(boolean failing) {
    this(failing, false);
  }

  RecordingPublisher(boolean failing, boolean acknowledges) {
    this.failing = failing;
    this.acknowledges = acknowledges;
  }

  @Override
  public boolean acknowledges() {
    return acknowledges;
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> batch) {
    if (failing) return Mono.error(new IllegalStateException("boom"));
    return Mono.fromRunnable(() -> samples.addAll(batch));
  }

  @Override
  public Mono<Void> publishEvents(List<Event> batch) {
    if (failing) return Mono.error(new IllegalStateException("boom"));
    return Mono.fromRunnable(() -> events.addAll(batch));
  }

  @Override
  public Mono<Void> start() {
    return Mono.fromRunnable(() -> started = true);
  }

  @Override
  public void close() {
    closed = true;
  }
}
