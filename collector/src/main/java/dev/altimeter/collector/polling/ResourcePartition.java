package dev.altimeter.collector.polling;

/**
 * Decides which resources this polling agent polls when several agents share the work
 * (spec §2, workload partitioning). Thread-safe; answers from the latest known membership.
 */
@FunctionalInterface
public interface ResourcePartition {

  /** Every resource: the agent runs alone. */
  ResourcePartition ALL = resource -> true;

  boolean owns(String resource);
}
