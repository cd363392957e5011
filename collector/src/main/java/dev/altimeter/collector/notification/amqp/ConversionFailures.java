package dev.altimeter.collector.notification.amqp;

import dev.altimeter.collector.notification.NotificationAgent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of notifications that did not convert while the rest was stored (Ceilometer logs these
 * and acknowledges): counted per part in {@code altimeter_notification_conversion_failures_total
 * {part="samples"|"event"}}, and logged once per part and event type, the first time it happens,
 * never a line per notification. At most {@link #KINDS_LOGGED} kinds are remembered (event types
 * come from the wire); past that, one line says further kinds go unlogged. Thread-safe.
 */
final class ConversionFailures {
  private static final Logger LOG = LoggerFactory.getLogger(ConversionFailures.class);
  static final int KINDS_LOGGED = 1024;

  private final Counter samples;
  private final Counter events;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean full = new AtomicBoolean();

  ConversionFailures(MeterRegistry registry) {
    this.samples = counter(registry, "samples");
    this.events = counter(registry, "event");
  }

  private static Counter counter(MeterRegistry registry, String part) {
    return Counter.builder("altimeter.notification.conversion.failures").tag("part", part)
        .description("Notifications stored in part: their samples or their event did not convert")
        .register(registry);
  }

  void record(NotificationAgent.Outcome outcome) {
    if (outcome.samplesError() != null) {
      samples.increment();
      logOnce("samples", outcome.eventType(), outcome.samplesError());
    }
    if (outcome.eventError() != null) {
      events.increment();
      logOnce("event", outcome.eventType(), outcome.eventError());
    }
  }

  private void logOnce(String part, String eventType, String reason) {
    String kind = part + "\n" + eventType;
    if (logged.contains(kind)) return;
    if (logged.size() >= KINDS_LOGGED) {
      if (full.compareAndSet(false, true)) {
        LOG.warn("More than {} kinds of partly converted notifications; further kinds are counted, not logged",
            KINDS_LOGGED);
      }
      return;
    }
    if (logged.add(kind)) {
      LOG.warn("A {} notification was stored without its {}: {} (logged once per event type; counted in "
          + "altimeter_notification_conversion_failures_total)", eventType, part, reason);
    }
  }
}
