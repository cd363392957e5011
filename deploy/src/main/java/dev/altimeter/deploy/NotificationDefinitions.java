package dev.altimeter.deploy;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.notification.definition.EventDefinitions;
import dev.altimeter.collector.notification.definition.MeterDefinitions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The meter and event definitions the notification role converts with, loaded once at start-up,
 * and what that load skipped. Leniently (the default), a bad definition is left out, as Ceilometer
 * does, and the service starts with the others; each one skipped is logged once, counted in the
 * gauge {@code altimeter.definitions.skipped{kind=meter|event}} and listed in this health
 * component's details as {@code file:line: field: reason}. The component stays UP: the role works
 * with what loaded. Strictly ({@code altimeter.definitions.strict=true}) the first bad definition
 * fails the start.
 */
final class NotificationDefinitions implements HealthIndicator {
  private final MeterDefinitions meters;
  private final EventDefinitions events;

  private NotificationDefinitions(MeterDefinitions meters, EventDefinitions events) {
    this.meters = meters;
    this.events = events;
  }

  /**
   * Loads {@code altimeter.meters.dirs} (else Ceilometer's meters.yaml) and {@code
   * altimeter.event-definitions.file} (else Ceilometer's event_definitions.yaml). Blocking (reads
   * files): call at start-up.
   *
   * @throws ConfigException when strict and a definition is bad
   */
  static NotificationDefinitions load(AltimeterProperties properties, boolean strict, MeterRegistry registry) {
    AltimeterProperties.EventDefinitions e = properties.getEventDefinitions();
    EventDefinitions.Options options = new EventDefinitions.Options(e.isDropUnmatched(), e.getStoreRaw());
    List<Path> dirs = properties.getMeters().getDirs();
    MeterDefinitions meters = dirs.isEmpty() ? MeterDefinitions.builtIn() : MeterDefinitions.load(dirs, strict);
    EventDefinitions events = e.getFile() == null ? EventDefinitions.builtIn(options)
        : EventDefinitions.load(e.getFile(), options, strict);
    NotificationDefinitions loaded = new NotificationDefinitions(meters, events);
    Gauge.builder("altimeter.definitions.skipped", meters, m -> m.skipped().size()).tag("kind", "meter")
        .description("meter or event definitions left out at start-up because they are invalid").register(registry);
    Gauge.builder("altimeter.definitions.skipped", events, v -> v.skipped().size()).tag("kind", "event")
        .description("meter or event definitions left out at start-up because they are invalid").register(registry);
    return loaded;
  }

  MeterDefinitions meters() {
    return meters;
  }

  EventDefinitions events() {
    return events;
  }

  @Override
  public Health health() {
    List<String> skipped = Stream.concat(meters.skipped().stream(), events.skipped().stream())
        .map(ConfigException::getMessage).toList();
    return Health.up().withDetail("meterDefinitions", meters.names().size()).withDetail("skipped", skipped).build();
  }
}
