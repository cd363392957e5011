package dev.altimeter.collector.pipeline.route;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The pipelines of one pipeline file at run time ({@link SamplePipelines} for pipeline.yaml,
 * {@link EventPipelines} for event_pipeline.yaml), as {@link ReloadingPipelines} swaps them.
 * Thread-safe; {@link #accept} never blocks.
 *
 * @param <T> what flows through them: samples or events
 */
public interface RunningPipelines<T> extends AutoCloseable {
  /** Starts every publisher. */
  Mono<Void> start();

  /** Routes a batch; completes when the publishers that acknowledge have it. */
  Mono<Void> accept(List<T> items);

  /** Stops taking batches; completes when the queued ones are published. */
  Mono<Void> stop();

  /** The pipeline names, {@code source:sink}. */
  List<String> pipelineNames();

  @Override
  void close();
}
