package dev.altimeter.collector.receive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** The counters {@code altimeter.receiver.samples{receiver, outcome}} of one receiver. Thread-safe. */
public final class ReceiverMetrics {
  public static final String NAME = "altimeter.receiver.samples";
  private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

  public ReceiverMetrics(String receiver, MeterRegistry registry) {
    for (Outcome o : Outcome.values()) {
      counters.put(o, Counter.builder(NAME).description("Meter messages received, by what became of them")
          .tag("receiver", receiver).tag("outcome", o.tag()).register(registry));
    }
  }

  public void count(Outcome outcome) {
    counters.get(outcome).increment();
  }

  public void count(Outcome outcome, int n) {
    if (n > 0) counters.get(outcome).increment(n);
  }
}
