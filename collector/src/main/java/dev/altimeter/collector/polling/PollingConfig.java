package dev.altimeter.collector.polling;

import dev.altimeter.collector.pipeline.config.MeterFilter;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

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
   * @throws PollingConfigException naming file, line, source and rule
   */
  public static PollingConfig parse(String yaml, String fileName) {
    Node root;
    try (Reader r = new StringReader(yaml)) {
      root = new Yaml(new LoaderOptions()).compose(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new PollingConfigException(fileName, 0, null, "not valid YAML: " + e.getMessage());
    }
    if (root == null) throw new PollingConfigException(fileName, 1, null, "the file is empty; 'sources' is required");
    if (!(root instanceof MappingNode map)) {
      throw new PollingConfigException(fileName, line(root), null, "the top level must be a mapping with 'sources'");
    }
    Node sourcesNode = value(map, "sources");
    if (sourcesNode == null) throw new PollingConfigException(fileName, line(root), null, "'sources' is required");
    if (!(sourcesNode instanceof SequenceNode seq)) {
      throw new PollingConfigException(fileName, line(sourcesNode), null, "'sources' must be a list");
    }
    List<Source> sources = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node item : seq.getValue()) {
      if (!(item instanceof MappingNode src)) {
        throw new PollingConfigException(fileName, line(item), null, "each source must be a mapping");
      }
      Node nameNode = value(src, "name");
      String name = nameNode instanceof ScalarNode s ? s.getValue().strip() : null;
      if (name == null || name.isEmpty()) {
        throw new PollingConfigException(fileName, line(item), null, "'name' is required");
      }
      if (!names.add(name)) {
        throw new PollingConfigException(fileName, line(nameNode), name, "duplicated source name");
      }
      Node intervalNode = value(src, "interval");
      if (intervalNode == null) throw new PollingConfigException(fileName, line(item), name, "'interval' is required");
      long seconds;
      try {
        if (!(intervalNode instanceof ScalarNode s)) throw new NumberFormatException();
        seconds = Long.parseLong(s.getValue().strip());
      } catch (NumberFormatException e) {
        throw new PollingConfigException(fileName, line(intervalNode), name,
            "interval must be a positive integer (seconds), got " + text(intervalNode));
      }
      if (seconds <= 0) {
        throw new PollingConfigException(fileName, line(intervalNode), name,
            "interval must be a positive integer (seconds), got " + seconds);
      }
      Node metersNode = value(src, "meters");
      if (metersNode == null) throw new PollingConfigException(fileName, line(item), name, "'meters' is required");
      MeterFilter meters;
      try {
        meters = MeterFilter.of(strings(metersNode, fileName, name, "meters"), "meters");
      } catch (IllegalArgumentException e) {
        throw new PollingConfigException(fileName, line(metersNode), name, e.getMessage());
      }
      List<String> resources = optionalStrings(value(src, "resources"), fileName, name, "resources");
      List<String> discovery = optionalStrings(value(src, "discovery"), fileName, name, "discovery");
      sources.add(new Source(name, Duration.ofSeconds(seconds), meters, resources, discovery));
    }
    return new PollingConfig(sources);
  }

  private static List<String> optionalStrings(Node node, String file, String source, String key) {
    if (node == null || (node instanceof ScalarNode s && (s.getValue().isEmpty() || "null".equals(s.getValue())))) {
      return List.of();
    }
    return strings(node, file, source, key);
  }

  private static List<String> strings(Node node, String file, String source, String key) {
    if (!(node instanceof SequenceNode seq)) {
      throw new PollingConfigException(file, line(node), source, "'" + key + "' must be a list");
    }
    List<String> out = new ArrayList<>();
    for (Node n : seq.getValue()) {
      if (!(n instanceof ScalarNode s)) {
        throw new PollingConfigException(file, line(n), source, "'" + key + "' entries must be strings");
      }
      out.add(s.getValue());
    }
    return out;
  }

  private static Node value(MappingNode map, String key) {
    for (NodeTuple t : map.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) return t.getValueNode();
    }
    return null;
  }

  private static String text(Node n) {
    return n instanceof ScalarNode s ? "'" + s.getValue() + "'" : n.getNodeId().name().toLowerCase();
  }

  private static int line(Node n) {
    return n == null || n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }
}
