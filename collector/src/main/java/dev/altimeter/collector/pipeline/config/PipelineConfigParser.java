package dev.altimeter.collector.pipeline.config;

import dev.altimeter.collector.pipeline.config.PipelineConfig.Kind;
import dev.altimeter.collector.pipeline.config.PipelineConfig.Pipeline;
import dev.altimeter.collector.pipeline.config.PipelineConfig.Sink;
import dev.altimeter.collector.pipeline.config.PipelineConfig.Source;
import dev.altimeter.collector.pipeline.config.PipelineConfig.TransformerSpec;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads Ceilometer's pipeline.yaml and event_pipeline.yaml into a validated {@link PipelineConfig}.
 *
 * <p>Every error is a {@link PipelineConfigException} whose message names the file, the 1-based
 * line (from the YAML node), the source or sink, and the rule broken: invalid YAML; missing
 * {@code sources} / {@code sinks}; a source or sink without a name; duplicated source or sink
 * names; a filter that is empty, mixes included and excluded names, or has {@code *} with included
 * names; a source without sinks or naming a sink that does not exist (dangling sink); a sink without
 * publishers; a publisher whose scheme is not known; an unknown transformer or bad transformer
 * parameters (each transformer is built once to validate); transformers in an event pipeline; keys
 * that are not part of the format (the pre-Pike source keys {@code interval}, {@code resources} and
 * {@code discovery} are accepted and ignored, as Ceilometer does).
 *
 * <p>Immutable and thread-safe. {@link #load} reads the file: blocking, for start-up and reloads.
 */
public final class PipelineConfigParser {
  /** Ceilometer's publisher schemes (the default set of known schemes). */
  public static final Set<String> CEILOMETER_SCHEMES = Set.of("gnocchi", "notifier", "udp", "tcp", "http",
      "https", "file", "prometheus", "zaqar", "database", "direct", "kafka");

  private final TransformerCatalog transformers;
  private final Set<String> schemes;

  /**
   * @param transformers what sinks may name
   * @param publisherSchemes schemes a publisher URL may have (e.g. a publisher registry's schemes)
   */
  public PipelineConfigParser(TransformerCatalog transformers, Set<String> publisherSchemes) {
    this.transformers = transformers;
    this.schemes = Set.copyOf(publisherSchemes);
  }

  /** A parser with the standard transformers and {@link #CEILOMETER_SCHEMES}. */
  public PipelineConfigParser() {
    this(TransformerCatalog.standard(), CEILOMETER_SCHEMES);
  }

  public PipelineConfig load(Path path, Kind kind) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PipelineConfigException(path.toString(), 0, "cannot read: " + e);
    }
    return parse(path.getFileName().toString(), text, kind);
  }

  /** Parses {@code text}; {@code file} names it in error messages. */
  public PipelineConfig parse(String file, String text, Kind kind) {
    return new Reader(file, kind).read(text);
  }

  private final class Reader {
    private final String file;
    private final Kind kind;

    Reader(String file, Kind kind) {
      this.file = file;
      this.kind = kind;
    }

    private PipelineConfigException error(Node node, String message) {
      return new PipelineConfigException(file, line(node), message);
    }

    PipelineConfig read(String text) {
      Node root;
      try {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
      } catch (MarkedYAMLException e) {
        Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        throw new PipelineConfigException(file, m == null ? 0 : m.getLine() + 1, "invalid YAML: " + e.getProblem());
      } catch (YAMLException e) {
        throw new PipelineConfigException(file, 0, "invalid YAML: " + e.getMessage());
      }
      if (root == null) throw new PipelineConfigException(file, 1, "the file is empty");
      Map<String, Node> top = mapping(root, "the document");
      allowOnly(top, "the document", "sources", "sinks");
      Node sourcesNode = require(top, root, "the document", "sources");
      Node sinksNode = require(top, root, "the document", "sinks");
      List<Node> sinkNodes = sequence(sinksNode, "'sinks'");
      List<Node> sourceNodes = sequence(sourcesNode, "'sources'");

      Map<String, Sink> sinks = new LinkedHashMap<>();
      for (int i = 0; i < sinkNodes.size(); i++) {
        Sink sink = sink(sinkNodes.get(i), i + 1);
        if (sinks.containsKey(sink.name())) {
          throw error(sinkNodes.get(i), "duplicated sink name '" + sink.name() + "'");
        }
        sinks.put(sink.name(), sink);
      }
      Map<String, Source> sources = new LinkedHashMap<>();
      List<Pipeline> pipelines = new ArrayList<>();
      Set<String> pipelineNames = new HashSet<>();
      for (int i = 0; i < sourceNodes.size(); i++) {
        Node node = sourceNodes.get(i);
        Source source = source(node, i + 1, sinks);
        if (sources.containsKey(source.name())) {
          throw error(node, "duplicated source name '" + source.name() + "'");
        }
        sources.put(source.name(), source);
        for (String sinkName : source.sinks()) {
          String name = kind.namePrefix()
              + (source.name().equals(sinkName) ? sinkName : source.name() + ":" + sinkName);
          if (!pipelineNames.add(name)) {
            throw error(node, "source '" + source.name() + "': duplicated pipeline name '" + name + "'");
          }
          pipelines.add(new Pipeline(name, source, sinks.get(sinkName)));
        }
      }
      return new PipelineConfig(file, kind, List.copyOf(sources.values()), List.copyOf(sinks.values()), pipelines);
    }

    private Source source(Node node, int index, Map<String, Sink> sinks) {
      Map<String, Node> m = mapping(node, "source #" + index);
      String name = name(m, node, "source #" + index);
      String where = "source '" + name + "'";
      Node filterNode = require(m, node, where, kind.filterKey());
      if (kind == Kind.SAMPLE) {
        // <= Newton kept polling settings in pipeline.yaml sources; Ceilometer ignores them since Pike
        allowOnly(m, where, "name", kind.filterKey(), "sinks", "interval", "resources", "discovery");
      } else {
        allowOnly(m, where, "name", kind.filterKey(), "sinks");
      }
      List<String> patterns = strings(filterNode, where + ": '" + kind.filterKey() + "'");
      MeterFilter filter;
      try {
        filter = MeterFilter.of(patterns, kind.filterKey());
      } catch (IllegalArgumentException e) {
        throw error(filterNode, where + ": " + e.getMessage());
      }
      Node sinksNode = require(m, node, where, "sinks");
      List<Node> sinkNames = sequence(sinksNode, where + ": 'sinks'");
      if (sinkNames.isEmpty()) throw error(sinksNode, where + ": no sinks specified");
      List<String> names = new ArrayList<>();
      for (Node n : sinkNames) {
        String sinkName = scalar(n, where + ": sink name");
        if (!sinks.containsKey(sinkName)) {
          throw error(n, where + ": dangling sink '" + sinkName + "' (no sink has that name)");
        }
        if (names.contains(sinkName)) throw error(n, where + ": sink '" + sinkName + "' listed twice");
        names.add(sinkName);
      }
      return new Source(name, filter, names, line(node));
    }

    private Sink sink(Node node, int index) {
      Map<String, Node> m = mapping(node, "sink #" + index);
      String name = name(m, node, "sink #" + index);
      String where = "sink '" + name + "'";
      if (kind == Kind.EVENT) {
        Node t = m.get("transformers");
        if (t != null && !(t instanceof SequenceNode s && s.getValue().isEmpty()) && !isNull(t)) {
          throw error(t, where + ": transformers are not supported in event pipelines");
        }
      }
      allowOnly(m, where, "name", "transformers", "publishers");
      List<TransformerSpec> specs = new ArrayList<>();
      Node transformersNode = m.get("transformers");
      if (transformersNode != null && !isNull(transformersNode)) {
        for (Node t : sequence(transformersNode, where + ": 'transformers'")) {
          specs.add(transformer(t, where));
        }
      }
      Node publishersNode = m.get("publishers");
      if (publishersNode == null || isNull(publishersNode)) throw error(node, where + ": no publishers specified");
      List<Node> entries = sequence(publishersNode, where + ": 'publishers'");
      if (entries.isEmpty()) throw error(publishersNode, where + ": no publishers specified");
      List<PublisherUrl> publishers = new ArrayList<>();
      for (Node p : entries) {
        String text = scalar(p, where + ": publisher");
        PublisherUrl url;
        try {
          url = PublisherUrl.parse(text);
        } catch (IllegalArgumentException e) {
          throw error(p, where + ": publisher '" + text + "': " + e.getMessage());
        }
        if (!schemes.contains(url.scheme())) {
          throw error(p, where + ": publisher '" + text + "': unknown publisher scheme '" + url.scheme()
              + "' (known: " + String.join(", ", new TreeSet<>(schemes)) + ")");
        }
        publishers.add(url);
      }
      return new Sink(name, specs, publishers, line(node));
    }

    private TransformerSpec transformer(Node node, String sinkWhere) {
      Map<String, Node> m = mapping(node, sinkWhere + ": transformer");
      String name = name(m, node, sinkWhere + ": transformer");
      String where = sinkWhere + ": transformer '" + name + "'";
      allowOnly(m, where, "name", "parameters");
      Node paramsNode = m.get("parameters");
      Map<String, Object> params = Map.of();
      if (paramsNode != null && !isNull(paramsNode)) {
        if (!(paramsNode instanceof MappingNode)) throw error(paramsNode, where + ": 'parameters' must be a mapping");
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) value(paramsNode, new IdentityHashMap<>());
        params = p;
      }
      if (!transformers.contains(name)) {
        throw error(m.get("name"), where + ": unknown transformer '" + name + "' (known: "
            + String.join(", ", new TreeSet<>(transformers.names())) + ")");
      }
      try {
        transformers.create(name, params);
      } catch (IllegalArgumentException e) {
        throw error(paramsNode != null ? paramsNode : node, where + ": " + e.getMessage());
      }
      return new TransformerSpec(name, params, line(node));
    }

    // ---------------------------------------------------------------- node helpers

    private String name(Map<String, Node> m, Node owner, String where) {
      Node n = m.get("name");
      if (n == null || isNull(n)) throw error(owner, where + ": 'name' is required");
      String name = scalar(n, where + ": 'name'");
      if (name.isBlank()) throw error(n, where + ": 'name' must not be empty");
      return name;
    }

    private Node require(Map<String, Node> m, Node owner, String where, String key) {
      Node n = m.get(key);
      if (n == null || isNull(n)) throw error(owner, where + ": '" + key + "' is required");
      return n;
    }

    private void allowOnly(Map<String, Node> m, String where, String... keys) {
      Set<String> allowed = Set.of(keys);
      for (String k : m.keySet()) {
        if (!allowed.contains(k)) {
          throw error(keyNodes.get(m).get(k), where + ": unknown key '" + k + "' (allowed: " + String.join(", ", keys) + ")");
        }
      }
    }

    private final Map<Map<String, Node>, Map<String, Node>> keyNodes = new IdentityHashMap<>();

    private Map<String, Node> mapping(Node node, String where) {
      if (!(node instanceof MappingNode mn)) throw error(node, where + " must be a mapping");
      Map<String, Node> out = new LinkedHashMap<>();
      Map<String, Node> keys = new HashMap<>();
      for (NodeTuple t : mn.getValue()) {
        String key = scalar(t.getKeyNode(), where + ": key");
        out.put(key, t.getValueNode());
        keys.put(key, t.getKeyNode());
      }
      keyNodes.put(out, keys);
      return out;
    }

    private List<Node> sequence(Node node, String where) {
      if (!(node instanceof SequenceNode sn)) throw error(node, where + " must be a list");
      return sn.getValue();
    }

    private String scalar(Node node, String where) {
      if (!(node instanceof ScalarNode sn) || isNull(node)) throw error(node, where + " must be a string");
      return sn.getValue();
    }

    private List<String> strings(Node node, String where) {
      List<String> out = new ArrayList<>();
      for (Node n : sequence(node, where)) out.add(scalar(n, where + " entry"));
      return out;
    }

    private Object value(Node node, Map<Node, Boolean> path) {
      if (path.put(node, Boolean.TRUE) != null) throw error(node, "recursive YAML alias");
      try {
        if (node instanceof ScalarNode s) return scalarValue(s);
        if (node instanceof SequenceNode s) {
          List<Object> out = new ArrayList<>();
          for (Node n : s.getValue()) out.add(value(n, path));
          return Collections.unmodifiableList(out);
        }
        MappingNode mn = (MappingNode) node;
        Map<String, Object> out = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
          out.put(scalar(t.getKeyNode(), "key"), value(t.getValueNode(), path));
        }
        return Collections.unmodifiableMap(out);
      } finally {
        path.remove(node);
      }
    }
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
  }

  private static int line(Node n) {
    return n == null || n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }

  /** YAML 1.1 scalars as Python's yaml.safe_load types them: int, float, bool, null, else string. */
  private static Object scalarValue(ScalarNode s) {
    String v = s.getValue();
    Tag tag = s.getTag();
    try {
      if (Tag.NULL.equals(tag)) return null;
      if (Tag.BOOL.equals(tag)) {
        String b = v.toLowerCase();
        return b.equals("true") || b.equals("yes") || b.equals("on") || b.equals("y");
      }
      if (Tag.INT.equals(tag)) {
        String n = v.replace("_", "");
        try {
          return Long.decode(n.startsWith("0o") ? "0" + n.substring(2) : n);
        } catch (NumberFormatException e) {
          return new java.math.BigInteger(n).doubleValue();
        }
      }
      if (Tag.FLOAT.equals(tag)) {
        String f = v.replace("_", "").toLowerCase();
        if (f.endsWith(".inf")) return f.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (f.equals(".nan")) return Double.NaN;
        return Double.parseDouble(f);
      }
    } catch (NumberFormatException e) {
      return v;
    }
    return v;
  }
}
