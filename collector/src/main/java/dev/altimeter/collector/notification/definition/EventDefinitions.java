package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.notification.MalformedNotificationException;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.storage.Event;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Ceilometer's event definitions ({@code event_definitions.yaml}): which notifications become
 * events, with which typed traits.
 *
 * <p>Semantics kept from Ceilometer: event types are {@code fnmatch} globs, {@code !glob} excludes
 * (only exclusions imply {@code *}); the <em>last</em> matching definition in the file wins; every
 * event gets the default traits {@code service}, {@code request_id}, {@code project_id}, {@code
 * user_id}, {@code tenant_id}; traits without a value are left out; text is cropped to 255
 * characters. Unmatched notifications fall to a catch-all {@code *} definition unless {@link
 * Options#dropUnmatched()}. Only priorities {@code info} and {@code error} make events.
 *
 * <p>A lenient load skips an invalid definition (its notifications fall to the next matching
 * definition, or the catch-all) and keeps it in {@link #skipped()} as a {@link ConfigException}
 * naming file, line and field; a file that is not a valid list of definitions is skipped whole
 * (then only the catch-all is left). A strict load fails on the first.
 *
 * <p>Immutable and thread-safe.
 */
public final class EventDefinitions {
  /** The built-in definitions: Ceilometer's own event_definitions.yaml, unchanged. */
  public static final String DEFAULT_RESOURCE = "ceilometer/event_definitions.yaml";
  static final Set<String> PRIORITIES = Set.of("info", "error");
  private static final String KIND = "event definition";

  /**
   * Ceilometer's {@code [event]} options.
   *
   * @param dropUnmatched {@code drop_unmatched_notifications}: no catch-all definition
   * @param storeRaw {@code store_raw}: priorities whose events keep the whole message as {@code raw}
   */
  public record Options(boolean dropUnmatched, Set<String> storeRaw) {
    public static final Options DEFAULTS = new Options(false, Set.of());

    public Options {
      storeRaw = storeRaw.stream().map(p -> p.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
  }

  private final List<EventDefinition> definitions;
  private final List<ConfigException> skipped;
  /** The winning definition per event type (empty: none), as {@link MeterDefinitions} remembers its matches. */
  private final Map<String, Optional<EventDefinition>> byEventType = new ConcurrentHashMap<>();

  private EventDefinitions(List<EventDefinition> definitions, List<ConfigException> skipped) {
    this.definitions = List.copyOf(definitions);
    this.skipped = List.copyOf(skipped);
  }

  /** Ceilometer's event_definitions.yaml as shipped. */
  public static EventDefinitions builtIn(Options options) {
    InputStream in = EventDefinitions.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE);
    if (in == null) throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return from(ConfigNode.load("classpath:" + DEFAULT_RESOURCE, r), options, new SkippedDefinitions(true, KIND));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads a file, strictly.
   *
   * @throws ConfigException when it is not a valid event definitions file
   */
  public static EventDefinitions load(Path file, Options options) {
    return load(file, options, true);
  }

  /**
   * Loads a file.
   *
   * @param strict fail on the first invalid definition instead of skipping it
   * @throws ConfigException when strict and it is not a valid event definitions file
   * @throws UncheckedIOException when the file cannot be read
   */
  public static EventDefinitions load(Path file, Options options, boolean strict) {
    SkippedDefinitions skipped = new SkippedDefinitions(strict, KIND);
    ConfigNode root;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = ConfigNode.load(file.toString(), r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (ConfigException e) {
      skipped.skip(e);
      root = ConfigNode.empty(file.toString());
    }
    return from(root, options, skipped);
  }

  private static EventDefinitions from(ConfigNode file, Options options, SkippedDefinitions skipped) {
    List<EventDefinition> defs = new ArrayList<>();
    List<ConfigNode> items = List.of();
    try {
      if (!file.isNull()) items = file.items();
    } catch (ConfigException e) {
      skipped.skip(e);
    }
    for (ConfigNode item : items) {
      try {
        defs.add(new EventDefinition(item, options.storeRaw()));
      } catch (ConfigException e) {
        skipped.skip(e);
      }
    }
    // reversed, so the last matching definition wins and YAML merges can extend earlier ones
    Collections.reverse(defs);
    if (!options.dropUnmatched() && defs.stream().noneMatch(EventDefinition::isCatchAll)) {
      defs.add(new EventDefinition(options.storeRaw()));
    }
    return new EventDefinitions(defs, skipped.errors());
  }

  /** The definitions (or the file) a lenient load skipped, in file order; empty after a strict load. */
  public List<ConfigException> skipped() {
    return skipped;
  }

  /**
   * The event of a notification, or empty when its priority makes no events or no definition
   * matches (only with {@code dropUnmatched}).
   *
   * @throws MalformedNotificationException when a trait value cannot be converted to its type
   *     (e.g. {@code int} of {@code "abc"}); Ceilometer fails such a notification too
   */
  public Optional<Event> toEvent(Notification notification) {
    return toEvent(notification, notification.body());
  }

  /** As {@link #toEvent(Notification)}, with the notification's {@link Notification#body()} already built. */
  public Optional<Event> toEvent(Notification notification, Map<String, Object> body) {
    if (!PRIORITIES.contains(notification.priority())) return Optional.empty();
    return matching(notification.eventType()).map(d -> d.toEvent(notification, body));
  }

  private Optional<EventDefinition> matching(String eventType) {
    Optional<EventDefinition> cached = byEventType.get(eventType);
    if (cached != null) return cached;
    Optional<EventDefinition> found = Optional.empty();
    for (EventDefinition d : definitions) {
      if (d.matches(eventType)) {
        found = Optional.of(d);
        break;
      }
    }
    // bounded: event types come from the wire, and a sender could make up endless ones
    if (byEventType.size() < MeterDefinitions.EVENT_TYPES_CACHED) byEventType.put(eventType, found);
    return found;
  }
}
