package dev.altimeter.ingest;

/**
 * Where one receiver counts what became of the samples it took in. Every receiver (HTTP {@code POST
 * /v1/samples}, UDP, TCP, the API's {@code POST /v2/meters/{name}}) counts through one, so that all
 * of them show in the same metric ({@code altimeter.receiver.samples{receiver, outcome}}, made by
 * the service with Micrometer: core has no metrics library). Thread-safe; never blocks (it is
 * called on event loops).
 */
@FunctionalInterface
public interface IngestCounter {
  /** Counts {@code n} samples (nothing when {@code n <= 0}). */
  void count(IngestOutcome outcome, int n);

  default void count(IngestOutcome outcome) {
    count(outcome, 1);
  }

  /** Makes the counter of each receiver; one per process, shared by every receiver. */
  @FunctionalInterface
  interface Receivers {
    /**
     * @param receiver the {@code receiver} tag: {@code http}, {@code udp}, {@code tcp} or {@code v2}
     */
    IngestCounter receiver(String receiver);
  }
}
