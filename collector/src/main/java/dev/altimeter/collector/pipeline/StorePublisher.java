package dev.altimeter.collector.pipeline;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The {@code database://} publisher: samples from any number of callers are batched by a {@link
 * BatchWriter} and written to the {@link SampleStore}, one transaction per batch. Its Mono
 * completes when the samples are committed. Thread-safe.
 */
public final class StorePublisher implements SampleConsumer {
  private final BatchWriter<Sample> writer;

  public StorePublisher(SampleStore store, BatchWriter.Options options, MeterRegistry registry) {
    this.writer = new BatchWriter<>("samples", store::write, HeapEstimate::of, options, registry);
  }

  public StorePublisher start() {
    writer.start();
    return this;
  }

  @Override
  public Mono<Void> accept(List<Sample> samples) {
    return writer.accept(samples);
  }

  /** Refuses new samples; what was accepted is still written. */
  public void stopIntake() {
    writer.stopIntake();
  }

  /** Stops intake and completes when everything accepted is committed. */
  public Mono<Void> drain() {
    return writer.drain();
  }

  /** Estimated heap bytes of the samples queued or being written now. */
  public long queuedBytes() {
    return writer.queuedBytes();
  }

  /** Samples queued or being written now. */
  public int queued() {
    return writer.queued();
  }
}
