package dev.altimeter.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link IngestCounter.Receivers} for tests: counts in memory by receiver and outcome, as the
 * service's Micrometer counters do. Thread-safe.
 */
public final class RecordingIngestCounters implements IngestCounter.Receivers {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public IngestCounter receiver(String receiver) {
    return (outcome, n) -> {
      if (n > 0) counts.computeIfAbsent(receiver + "/" + outcome.tag(), k -> new LongAdder()).add(n);
    };
  }

  /** Samples counted so far for this receiver and outcome. */
  public long count(String receiver, IngestOutcome outcome) {
    LongAdder c = counts.get(receiver + "/" + outcome.tag());
    return c == null ? 0 : c.sum();
  }
}
