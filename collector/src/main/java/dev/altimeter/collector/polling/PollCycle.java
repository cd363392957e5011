package dev.altimeter.collector.polling;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One run of one pollster for one polling.yaml source.
 *
 * @param source the polling.yaml source name
 * @param timestamp the single timestamp of every sample of the cycle (taken when the cycle starts)
 * @param resources the resources this agent owns for this cycle (after workload partitioning);
 *     empty for pollsters that poll their own host
 */
public record PollCycle(String source, Instant timestamp, List<String> resources) {

  public PollCycle {
    resources = List.copyOf(resources);
  }

  /**
   * A deterministic message id for a sample of this cycle: a name-based UUID of the meter, the
   * resource and the timestamp, so re-sending a cycle's batch deduplicates in the store.
   */
  public UUID messageId(String meter, String resourceId) {
    return messageId(meter, resourceId, "");
  }

  /**
   * As {@link #messageId(String, String)}, for pollsters that emit several series of one meter and
   * resource per cycle (e.g. Prometheus label sets): {@code series} tells them apart.
   */
  public UUID messageId(String meter, String resourceId, String series) {
    String key = meter + '\u0000' + resourceId + '\u0000' + series + '\u0000' + timestamp;
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
  }
}
