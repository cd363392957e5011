package dev.altimeter.storage;

import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where samples are kept and read back. Implementations are non-blocking and thread-safe.
 *
 * <p>Contract every implementation must pass ({@code SampleStoreTestKit} in this module's test jar):
 * <ul>
 *   <li>{@link #write} stores a batch atomically: when the Mono completes, every sample is durable;
 *       when it fails, none of them is. A sample whose {@code messageId} and {@code timestamp} are
 *       already stored is skipped, not duplicated.</li>
 *   <li>Reads see committed writes. Samples come newest first, ties in insertion order.</li>
 *   <li>Meters and resources come in the order they were first stored.</li>
 * </ul>
 */
public interface SampleStore {

  /**
   * Stores a batch in one transaction.
   *
   * @return the number of samples newly stored (duplicates excluded)
   */
  Mono<Integer> write(List<Sample> samples);

  /** Samples matching the filter, newest first, at most {@code limit} of them. */
  Flux<Sample> samples(SampleFilter filter, int limit);

  /** One sample by its message id, or empty. */
  Mono<Sample> sample(UUID messageId);

  /**
   * Meters: one per (meter definition, resource id) from the newest matching sample, in first-stored
   * order. A definition is (name, type, unit), Ceilometer's {@code meter_id}: a name recorded in two
   * units lists twice for the same resource.
   * Timestamp bounds of the filter are ignored (the API rejects them).
   *
   * @param unique one entry per meter definition (name, type, unit) instead, with no resource
   */
  Flux<Meter> meters(SampleFilter filter, boolean unique, int limit);

  /**
   * Resources with samples matching the filter, in first-stored order. Owner and metadata come from
   * the newest matching sample; {@link Resource#meters()} lists every meter the resource has samples
   * of, whatever the filter but its project: with a project, only that project's meters.
   */
  Flux<Resource> resources(SampleFilter filter, int limit);

  /**
   * Statistics of the matching samples, computed by the store (never by reading the samples out):
   * one row per unit and group (and window), groups in first-stored order, windows in time order.
   * No matching sample gives no row.
   *
   * <p>The default fails with {@link UnsupportedOperationException} (the API answers 501), so
   * that stores written before this method (and test doubles) keep compiling.
   *
   * @throws UnsupportedOperationException (as the Flux's error) for a groupby the store cannot do
   */
  default Flux<Statistics> statistics(Statistics.Query query) {
    return Flux.error(new UnsupportedOperationException("Statistics are not implemented by this store"));
  }

  /**
   * Samples matching a complex query (and/or/not, in, comparisons, regular expressions), ordered
   * as asked (then newest first, then insertion order), at most {@code limit}. The default fails
   * with {@link UnsupportedOperationException} (the API answers 501).
   */
  default Flux<Sample> query(SampleQuery query) {
    return Flux.error(new UnsupportedOperationException("Complex queries are not implemented by this store"));
  }

  /**
   * Samples of a time range for assembling series: at most {@code limit} of them (a caller that
   * must not exceed a bound asks for one more and fails when it gets it). Each series (meter
   * definition and resource owner) comes in ascending timestamp order, ties in insertion order;
   * series may interleave. Reading stops when the subscriber cancels. The default fails with
   * {@link UnsupportedOperationException}.
   */
  default Flux<Sample> range(SampleRange range, int limit) {
    return Flux.error(new UnsupportedOperationException("Sample ranges are not implemented by this store"));
  }
}
