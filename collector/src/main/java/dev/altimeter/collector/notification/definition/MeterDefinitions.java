package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.storage.Sample;
import dev.altimeter.wire.PythonText;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ceilometer's meter definitions ({@code meters.yaml}, {@code [meter] meter_definitions_dirs}): which
 * notifications become which samples.
 *
 * <p>Files are read as Ceilometer reads them: every {@code *.yaml} of each directory, directories in
 * the order given and files in sorted order; each file's {@code metric} list is read backwards and
 * the first definition seen for a name wins, so within a file the last definition of a name counts
 * and across files the earlier file does. As in Ceilometer, an invalid definition is skipped (then an
 * earlier definition of its name counts, if any) and so is a file that is not valid YAML or has no
 * {@code metric} list; each is kept in {@link #skipped()} as a {@link ConfigException} naming
 * file, line and field. A strict load fails on the first instead.
 *
 * <p>Immutable and thread-safe.
 */
public final class MeterDefinitions {
  private static final Logger LOG = LoggerFactory.getLogger(MeterDefinitions.class);
  /** The built-in definitions: Ceilometer's own meters.yaml, unchanged. */
  public static final String DEFAULT_RESOURCE = "ceilometer/meters.yaml";
  /** Only notifications of these priorities carry samples (Ceilometer's endpoint methods). */
  static final Set<String> PRIORITIES = Set.of("info", "sample");
  private static final String KIND = "meter definition";

  /** Distinct event types remembered with their matching definitions, at most (senders use a few dozen). */
  static final int EVENT_TYPES_CACHED = 4096;

  private final List<MeterDefinition> definitions;
  private final List<ConfigException> skipped;
  /**
   * The matching definitions per event type: matching every definition's regular expressions for
   * every notification was a visible part of its cost, and a deployment sends few distinct types.
   */
  private final Map<String, Matching> byEventType = new ConcurrentHashMap<>();

  /**
   * What converts notifications of one event type: meters.yaml's definitions and Ceilometer's coded
   * endpoints. {@code metadataSlots[i]} numbers the distinct {@link MeterDefinition#metadataSpec}s:
   * definitions with the same slot make the same metadata, evaluated once per notification.
   */
  private record Matching(List<MeterDefinition> definitions, int[] metadataSlots, int slots,
      List<SampleEndpoints.Endpoint> endpoints) {
    Matching(List<MeterDefinition> definitions, List<SampleEndpoints.Endpoint> endpoints) {
      this(definitions, new int[definitions.size()], 0, endpoints);
    }

    Matching {
      Map<List<Object>, Integer> slotOfSpec = new HashMap<>();
      for (int i = 0; i < definitions.size(); i++) {
        metadataSlots[i] = slotOfSpec.computeIfAbsent(definitions.get(i).metadataSpec, k -> slotOfSpec.size());
      }
      slots = slotOfSpec.size();
    }

    boolean isEmpty() {
      return definitions.isEmpty() && endpoints.isEmpty();
    }
  }

  private MeterDefinitions(List<MeterDefinition> definitions, List<ConfigException> skipped) {
    this.definitions = List.copyOf(definitions);
    this.skipped = List.copyOf(skipped);
  }

  /** Ceilometer's meters.yaml as shipped. */
  public static MeterDefinitions builtIn() {
    InputStream in = MeterDefinitions.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE);
    if (in == null) throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      ConfigNode file = ConfigNode.load("classpath:" + DEFAULT_RESOURCE, r);
      return from(List.of(() -> file), new SkippedDefinitions(true, KIND));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads every {@code *.yaml} file of the directories, strictly.
   *
   * @throws ConfigException when a file is not a valid meter definitions file
   * @throws UncheckedIOException when a directory or file cannot be read
   */
  public static MeterDefinitions load(List<Path> directories) {
    return load(directories, true);
  }

  /**
   * Loads every {@code *.yaml} file of the directories.
   *
   * @param strict fail on the first invalid definition or file instead of skipping it
   * @throws ConfigException when strict and a file is not a valid meter definitions file
   * @throws UncheckedIOException when a directory or file cannot be read
   */
  public static MeterDefinitions load(List<Path> directories, boolean strict) {
    List<Supplier<ConfigNode>> files = new ArrayList<>();
    for (Path dir : directories) {
      List<Path> yaml = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.yaml")) {
        s.forEach(yaml::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list meter definitions in " + dir, e);
      }
      Collections.sort(yaml);
      for (Path p : yaml) files.add(() -> read(p));
    }
    return from(files, new SkippedDefinitions(strict, KIND));
  }

  /** Loads one file, strictly. */
  public static MeterDefinitions loadFile(Path file) {
    return from(List.of(() -> read(file)), new SkippedDefinitions(true, KIND));
  }

  private static ConfigNode read(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return ConfigNode.load(file.toString(), r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Reads the files in order (so what is skipped is reported in file order) and builds their definitions. */
  private static MeterDefinitions from(List<Supplier<ConfigNode>> files, SkippedDefinitions skipped) {
    Map<String, MeterDefinition> byName = new LinkedHashMap<>();
    for (Supplier<ConfigNode> reader : files) {
      List<ConfigNode> items;
      try {
        ConfigNode file = reader.get();
        if (file.isNull()) continue; // an empty file defines nothing
        ConfigNode metric = file.entries().get("metric");
        if (metric == null) throw file.error("no 'metric' list");
        if (metric.isNull()) continue;
        items = new ArrayList<>(metric.items());
      } catch (ConfigException e) {
        skipped.skip(e);
        continue;
      }
      Collections.reverse(items);
      for (ConfigNode item : items) {
        try {
          ConfigNode named = item;
          if (item.isMapping() && item.entries().get("name") != null && item.entries().get("name").isScalar()) {
            String name = PythonText.str(item.entries().get("name").scalar());
            named = item.named(item.field() + " '" + name + "'");
            if (byName.containsKey(name)) {
              LOG.info("Skipping duplicate meter definition '{}' at {}:{}", name, item.file(), item.line());
              continue;
            }
          }
          if (!named.isMapping()) throw named.error("a meter definition must be a mapping");
          MeterDefinition d = new MeterDefinition(named);
          byName.put(d.name, d);
        } catch (ConfigException e) {
          skipped.skip(e);
        }
      }
    }
    return new MeterDefinitions(new ArrayList<>(byName.values()), skipped.errors());
  }

  /** The definitions and files a lenient load skipped, in the order met; empty after a strict load. */
  public List<ConfigException> skipped() {
    return skipped;
  }

  /** The names of the definitions, in evaluation order. */
  public List<String> names() {
    return definitions.stream().map(d -> d.name).toList();
  }

  /**
   * The samples of a notification: every matching definition contributes (not just the first), then
   * the meters Ceilometer makes in code ({@code http.request}, {@code http.response}, {@code
   * hardware.ipmi.*}, see {@link SampleEndpoints}). Notifications of other priorities than {@code
   * info} and {@code sample} give none.
   */
  public List<Sample> toSamples(Notification notification) {
    return toSamples(notification, notification.body());
  }

  /** As {@link #toSamples(Notification)}, with the notification's {@link Notification#body()} already built. */
  public List<Sample> toSamples(Notification notification, Map<String, Object> body) {
    if (!PRIORITIES.contains(notification.priority())) return List.of();
    Matching matching = matching(notification.eventType());
    if (matching.isEmpty()) return List.of();
    List<Sample> out = new ArrayList<>();
    @SuppressWarnings("unchecked")
    Map<String, Object>[] metadata = new Map[matching.slots()];
    List<MeterDefinition> definitions = matching.definitions();
    for (int i = 0; i < definitions.size(); i++) {
      int slot = matching.metadataSlots()[i];
      metadata[slot] = definitions.get(i).toSamples(notification, body, out, metadata[slot]);
    }
    for (SampleEndpoints.Endpoint e : matching.endpoints()) e.toSamples(notification, out);
    return out;
  }

  /** The definitions and coded endpoints whose event types match, in evaluation order. */
  private Matching matching(String eventType) {
    Matching cached = byEventType.get(eventType);
    if (cached != null) return cached;
    List<MeterDefinition> defs = new ArrayList<>();
    for (MeterDefinition d : definitions) if (d.matches(eventType)) defs.add(d);
    List<SampleEndpoints.Endpoint> endpoints = new ArrayList<>();
    for (SampleEndpoints.Endpoint e : SampleEndpoints.ALL) if (e.matches(eventType)) endpoints.add(e);
    Matching found = new Matching(List.copyOf(defs), List.copyOf(endpoints));
    // bounded: event types come from the wire, and a sender could make up endless ones
    if (byEventType.size() < EVENT_TYPES_CACHED) byEventType.put(eventType, found);
    return found;
  }
}
