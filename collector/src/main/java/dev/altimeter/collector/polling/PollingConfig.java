package dev.altimeter.collector.polling;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.config.MeterFilter;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed, validated polling.yaml (Ceilometer's format, spec §2): a list of sources, each with a
 * name, an interval in seconds, meter rules, and optional static resources and discoverers.
 * Unknown keys are ignored, as Ceilometer does. Immutable.
 */
public final class PollingConfig {
  private final List<Source> sources;

  private PollingConfig(List<Source> sources) {
    this.sources = List.copyOf(sources);
  }

  /** The sources in file order; names are unique. */
  public List<Source> sources() {
    return sources;
  }

  /** The distinct intervals, ascending: the agent runs one schedule per element. */
  public Set<Duration> intervals() {
    Set<Duration> out = new TreeSet<>();
    for (Source s : sources) out.add(s.interval());
    return out;
  }

  /** One polling.yaml source. */
  public static final class Source {
    private final String name;
    private final Duration interval;
    private final MeterFilter meters;
    private final List<String> resources;
    private final List<String> discovery;

    Source(String name, Duration interval, MeterFilter meters, List<String> resources,
        List<String> discovery) {
      this.name = name;
      this.interval = interval;
      this.meters = meters;
      this.resources = List.copyOf(resources);
      this.discovery = List.copyOf(discovery);
    }

    public String name() { return name; }

    /** Whole seconds, greater than zero. */
    public Duration interval() { return interval; }

    /** Whether the meter rules of this source select the given meter or pollster name. */
    public boolean selects(String meterName) { return meters.matches(meterName); }

    /** Whether a {@code !} rule of this source rejects the given meter or pollster name. */
    public boolean excludes(String meterName) { return meters.excludes(meterName); }

    /** The meter rules as written. */
    public List<String> meterRules() { return meters.patterns(); }

    /** Static resources (URLs or ids) given in the file; empty when the pollsters discover their own. */
    public List<String> resources() { return resources; }

    /** Discoverer names as written; Altimeter's pollsters bring their own discovery, so this is kept for reference. */
    public List<String> discovery() { return discovery; }

    @Override
    public String toString() {
      return "Source[" + name + ", " + interval.toSeconds() + "s, " + meters + "]";
    }
  }

  /**
   * The built-in polling.yaml, used when none is configured: source {@code host}, every 60 s,
   * meters {@code hardware.*}.
   */
  public static PollingConfig builtIn() {
    try (var in = PollingConfig.class.getResourceAsStream("polling.yaml")) {
      if (in == null) throw new IllegalStateException("the built-in polling.yaml is missing");
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "polling.yaml (built-in)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads and validates a file; errors name the file by its file name. */
  public static PollingConfig load(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Parses polling.yaml text.
   *
   * @param fileName used in error messages only
   * @throws ConfigException naming file, line, source and rule
   */
  public static PollingConfig parse(String yaml, String fileName) {
    ConfigNode root = ConfigNode.load(fileName, new StringReader(yaml));
    if (root.isNull()) throw error(root, null, "the file is empty; 'sources' is required");
    if (!root.isMapping()) throw error(root, null, "the top level must be a mapping with 'sources'");
    ConfigNode sourcesNode = root.entries().get("sources");
    if (sourcesNode == null) throw error(root, null, "'sources' is required");
    if (!sourcesNode.isSequence()) throw error(sourcesNode, null, "'sources' must be a list");
    List<Source> sources = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode item : sourcesNode.items()) {
      if (!item.isMapping()) throw error(item, null, "each source must be a mapping");
      Map<String, ConfigNode> src = item.entries();
      ConfigNode nameNode = src.get("name");
      String name = nameNode != null && nameNode.isScalar() ? nameNode.written().strip() : "";
      if (name.isEmpty()) throw error(item, null, "'name' is required");
      if (!names.add(name)) throw error(nameNode, name, "duplicated source name");
      ConfigNode intervalNode = src.get("interval");
      if (intervalNode == null) throw error(item, name, "'interval' is required");
      long seconds;
      try {
        if (intervalNode.isMapping() || intervalNode.isSequence()) throw new NumberFormatException();
        seconds = Long.parseLong(intervalNode.written().strip());
      } catch (NumberFormatException e) {
        throw error(intervalNode, name, "interval must be a positive integer (seconds), got " + text(intervalNode));
      }
      if (seconds <= 0) throw error(intervalNode, name, "interval must be a positive integer (seconds), got " + seconds);
      ConfigNode metersNode = src.get("meters");
      if (metersNode == null) throw error(item, name, "'meters' is required");
      MeterFilter meters;
      try {
        meters = MeterFilter.of(strings(metersNode, name, "meters"), "meters");
      } catch (IllegalArgumentException e) {
        throw error(metersNode, name, e.getMessage());
      }
      List<String> resources = optionalStrings(src.get("resources"), name, "resources");
      List<String> discovery = optionalStrings(src.get("discovery"), name, "discovery");
      sources.add(new Source(name, Duration.ofSeconds(seconds), meters, resources, discovery));
    }
    return new PollingConfig(sources);
  }

  /** {@code <file>:<line>: source '<name>': <rule>}, or without the source outside one. */
  private static ConfigException error(ConfigNode node, String source, String rule) {
    return new ConfigException(node.file(), node.line(), source == null ? "" : "source '" + source + "'", rule);
  }

  private static List<String> optionalStrings(ConfigNode node, String source, String key) {
    if (node == null || node.isNull()) return List.of();
    return strings(node, source, key);
  }

  private static List<String> strings(ConfigNode node, String source, String key) {
    if (!node.isSequence()) throw error(node, source, "'" + key + "' must be a list");
    List<String> out = new ArrayList<>();
    for (ConfigNode n : node.items()) {
      if (n.isMapping() || n.isSequence()) throw error(n, source, "'" + key + "' entries must be strings");
      out.add(n.written());
    }
    return out;
  }

  private static String text(ConfigNode n) {
    return n.isMapping() ? "mapping" : n.isSequence() ? "sequence" : "'" + n.written() + "'";
  }
}
