package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.storage.Sample;
import java.util.List;

/**
 * One stage of a sink's transformer chain, with Ceilometer's semantics: {@link #handle} takes one
 * sample and returns zero or more samples for the next stage (an empty list drops or holds the
 * sample); {@link #flush} is called after every batch and returns what the stage released, which
 * enters the next stage.
 *
 * <p>Thread-safety: none. A transformer is owned by exactly one sink, and the sink calls it from one
 * thread at a time (batches of a sink are processed serially, with happens-before between them).
 * Implementations therefore hold plain mutable state without locks.
 *
 * <p>Memory: stateful transformers keep per-resource state in a bounded map; when it is full the
 * least recently used entry is evicted (or, for the aggregator, the new sample is refused) and
 * {@link #evictions()} counts it.
 */
public interface Transformer {

  /** Ceilometer's name of this transformer, e.g. {@code rate_of_change}. */
  String name();

  /** Handles one sample; never returns null. */
  List<Sample> handle(Sample sample);

  /** Releases what the transformer holds back after a batch; never returns null. */
  default List<Sample> flush() {
    return List.of();
  }

  /** Entries of per-resource state evicted (or samples refused) because the state was full. */
  default long evictions() {
    return 0;
  }
}
