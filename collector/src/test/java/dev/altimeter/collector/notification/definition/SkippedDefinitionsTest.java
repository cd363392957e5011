package dev.altimeter.collector.notification.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Trait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden files (src/test/resources/definitions): a directory of good and bad meter definition
 * files and event definition files load what is valid and report each skipped definition or file
 * as {@code file:line: field: reason}, exactly as in the {@code *skipped.txt} next to them; loaded
 * strictly, the first of those fails the load.
 */
class SkippedDefinitionsTest {
  static final Path METERS = Path.of("src/test/resources/definitions/meters");
  static final Path EVENTS = Path.of("src/test/resources/definitions/events");

  static List<String> golden(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
  }

  static List<String> messages(List<ConfigException> skipped) {
    return skipped.stream().map(ConfigException::getMessage).toList();
  }

  @Test
  void badMeterDefinitionsAreSkippedAndTheRestLoads() throws IOException {
    MeterDefinitions loaded = MeterDefinitions.load(List.of(METERS), false);

    assertThat(messages(loaded.skipped())).isEqualTo(golden(METERS.resolve("skipped.txt")));
    // volume.size: the bad last definition is skipped, so the earlier one of that name counts (Ceilometer)
    assertThat(loaded.names()).containsExactlyInAnyOrder("image.size", "snapshot.size", "volume.size", "image.download");
  }

  @Test
  void strictlyTheFirstBadMeterDefinitionFailsTheLoad() throws IOException {
    String first = golden(METERS.resolve("skipped.txt")).get(0);
    assertThatThrownBy(() -> MeterDefinitions.load(List.of(METERS), true))
        .isInstanceOf(ConfigException.class).hasMessage(first);
    assertThatThrownBy(() -> MeterDefinitions.load(List.of(METERS)))
        .isInstanceOf(ConfigException.class).hasMessage(first);
  }

  @Test
  void badEventDefinitionsAreSkippedAndTheirEventsFallToTheNextMatch() throws IOException {
    Path file = EVENTS.resolve("event_definitions.yaml");
    EventDefinitions loaded = EventDefinitions.load(file, EventDefinitions.Options.DEFAULTS, false);

    assertThat(messages(loaded.skipped())).isEqualTo(golden(EVENTS.resolve("event_definitions.skipped.txt")));
    assertThat(traitNames(loaded, "compute.instance.create.end")).contains("instance_id");
    // the definition of volume.create.* is skipped: volume.* (an earlier one) converts it
    assertThat(traitNames(loaded, "volume.create.end")).contains("volume_id").doesNotContain("memory_mb");
    // the definition of network.* is skipped: the catch-all gives the default traits only
    assertThat(traitNames(loaded, "network.create.end")).containsExactlyInAnyOrder("service", "request_id");
    assertThatThrownBy(() -> EventDefinitions.load(file, EventDefinitions.Options.DEFAULTS, true))
        .isInstanceOf(ConfigException.class)
        .hasMessage(golden(EVENTS.resolve("event_definitions.skipped.txt")).get(0));
  }

  @Test
  void anEventDefinitionsFileThatIsNotAListIsSkippedWhole() throws IOException {
    EventDefinitions loaded = EventDefinitions.load(EVENTS.resolve("not-a-list.yaml"),
        EventDefinitions.Options.DEFAULTS, false);

    assertThat(messages(loaded.skipped())).isEqualTo(golden(EVENTS.resolve("not-a-list.skipped.txt")));
    assertThat(traitNames(loaded, "compute.instance.create.end")).doesNotContain("instance_id");
  }

  @Test
  void goodFilesSkipNothing() {
    Path good = METERS.resolve("10-good.yaml");
    assertThat(MeterDefinitions.loadFile(good).names()).containsExactly("image.size");
    assertThat(MeterDefinitions.builtIn().skipped()).isEmpty();
    assertThat(EventDefinitions.builtIn(EventDefinitions.Options.DEFAULTS).skipped()).isEmpty();
  }

  static List<String> traitNames(EventDefinitions definitions, String eventType) {
    Notification n = Notification.fromMessage(Map.of("event_type", eventType, "priority", "INFO".toLowerCase(),
        "message_id", "6f6b2a0e-1f46-4f0e-9d1c-2d5ee4c51e2b", "timestamp", "2026-01-01 00:00:00.000000",
        "publisher_id", "compute.host1", "_context_request_id", "req-1",
        "payload", Map.of("instance_id", "vm-1", "volume_id", "vol-1", "memory_mb", 512)));
    Event event = definitions.toEvent(n).orElseThrow();
    return event.traits().stream().map(Trait::name).toList();
  }
}
