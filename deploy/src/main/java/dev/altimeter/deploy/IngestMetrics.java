package dev.altimeter.deploy;

import dev.altimeter.ingest.IngestCounter;
import dev.altimeter.ingest.IngestOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one metric of every ingest door: {@code altimeter.receiver.samples{receiver, outcome}}
 * ({@code altimeter_receiver_samples_total}), with {@code receiver} {@code http} ({@code POST
 * /v1/samples}), {@code udp}, {@code tcp} or {@code v2} ({@code POST /v2/meters/{name}}) and
 * {@code outcome} an {@link IngestOutcome}. Each receiver's counters are registered when it is made,
 * so every outcome shows from start-up (at 0), which rate() alerts need. Thread-safe.
 */
final class IngestMetrics implements IngestCounter.Receivers {
  static final String NAME = "altimeter.receiver.samples";
  private final MeterRegistry registry;

  IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public IngestCounter receiver(String receiver) {
    Map<IngestOutcome, Counter> counters = new EnumMap<>(IngestOutcome.class);
    for (IngestOutcome o : IngestOutcome.values()) {
      counters.put(o, Counter.builder(NAME).description("Samples received, by receiver and what became of them")
          .tag("receiver", receiver).tag("outcome", o.tag()).register(registry));
    }
    return (outcome, n) -> {
      if (n > 0) counters.get(outcome).increment(n);
    };
  }
}
