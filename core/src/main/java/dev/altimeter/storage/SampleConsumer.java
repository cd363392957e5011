package dev.altimeter.storage;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The entry point of the pipeline: every source of samples (HTTP ingest, pollsters, notifications)
 * hands its samples here. Implementations are thread-safe and never block the caller.
 *
 * <p>The returned Mono is the acknowledgement handle: it completes once every publisher that must
 * persist the samples has done so (the store committed them), and fails when they were refused
 * (the pipeline is full: {@link Overloaded}; bigger than it can ever take: {@link TooLarge}) or
 * could not be stored ({@link StoreException}: the data's fault, or the store's for now). A caller that must not lose
 * data (the AMQP consumer) acknowledges its input only on completion.
 */
public interface SampleConsumer {

  Mono<Void> accept(List<Sample> samples);

  /**
   * The call holds more items than the pipeline can ever queue at once: retrying it cannot succeed
   * (HTTP answers 413); split it.
   */
  final class TooLarge extends RuntimeException {
    public TooLarge(String message) {
      super(message, null, false, false);
    }
  }

  /** The pipeline has no room for more samples now; retry later. */
  final class Overloaded extends RuntimeException {
    public Overloaded(String message) {
      super(message, null, false, false);
    }
  }
}
