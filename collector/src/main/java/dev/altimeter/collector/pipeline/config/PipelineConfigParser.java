package dev.altimeter.collector.pipeline.config;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.config.MeterFilter;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads Ceilometer's pipeline.yaml and event_pipeline.yaml into a validated {@link PipelineConfig}.
 *
 * <p>Every error is a {@link ConfigException} whose message names the file, the 1-based line
 * (from the YAML node), the source or sink, and the rule broken: invalid YAML; missing
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
      throw new ConfigException(path.toString(), 0, "", "cannot read: " + e);
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

    /** An error at {@code node}: {@code <file>:<line>: <where>: <rule>} ({@code where} may be empty). */
    private ConfigException error(ConfigNode node, String where, String rule) {
      return new ConfigException(file, node.line(), where, rule);
    }

    PipelineConfig read(String text) {
      ConfigNode root = ConfigNode.loadForValues(file, new StringReader(text));
      if (root.isNull()) throw error(root, "", "the file is empty");
      Map<String, ConfigNode> top = mapping(root, "the document");
      allowOnly(root, "the document", "sources", "sinks");
      ConfigNode sourcesNode = require(top, root, "the document", "sources");
      ConfigNode sinksNode = require(top, root, "the document", "sinks");
      List<ConfigNode> sinkNodes = sequence(sinksNode, "'sinks'");
      List<ConfigNode> sourceNodes = sequence(sourcesNode, "'sources'");

      Map<String, Sink> sinks = new LinkedHashMap<>();
      for (int i = 0; i < sinkNodes.size(); i++) {
        Sink sink = sink(sinkNodes.get(i), i + 1);
        if (sinks.containsKey(sink.name())) {
          throw error(sinkNodes.get(i), "", "duplicated sink name '" + sink.name() + "'");
        }
        sinks.put(sink.name(), sink);
      }
      Map<String, Source> sources = new LinkedHashMap<>();
      List<Pipeline> pipelines = new ArrayList<>();
      Set<String> pipelineNames = new HashSet<>();
      for (int i = 0; i < sourceNodes.size(); i++) {
        ConfigNode node = sourceNodes.get(i);
        Source source = source(node, i + 1, sinks);
        if (sources.containsKey(source.name())) {
          throw error(node, "", "duplicated source name '" + source.name() + "'");
        }
        sources.put(source.name(), source);
        for (String sinkName : source.sinks()) {
          String name = kind.namePrefix()
              + (source.name().equals(sinkName) ? sinkName : source.name() + ":" + sinkName);
          if (!pipelineNames.add(name)) {
            throw error(node, "source '" + source.name() + "'", "duplicated pipeline name '" + name + "'");
          }
          pipelines.add(new Pipeline(name, source, sinks.get(sinkName)));
        }
      }
      return new PipelineConfig(file, kind, List.copyOf(sources.values()), List.copyOf(sinks.values()), pipelines);
    }

    private Source source(ConfigNode node, int index, Map<String, Sink> sinks) {
      Map<String, ConfigNode> m = mapping(node, "source #" + index);
      String name = name(m, node, "source #" + index);
      String where = "source '" + name + "'";
      ConfigNode filterNode = require(m, node, where, kind.filterKey());
      if (kind == Kind.SAMPLE) {
        // <= Newton kept polling settings in pipeline.yaml sources; Ceilometer ignores them since Pike
        allowOnly(node, where, "name", kind.filterKey(), "sinks", "interval", "resources", "discovery");
      } else {
        allowOnly(node, where, "name", kind.filterKey(), "sinks");
      }
      List<String> patterns = strings(filterNode, where + ": '" + kind.filterKey() + "'");
      MeterFilter filter;
      try {
        filter = MeterFilter.of(patterns, kind.filterKey());
      } catch (IllegalArgumentException e) {
        throw error(filterNode, where, e.getMessage());
      }
      ConfigNode sinksNode = require(m, node, where, "sinks");
      List<ConfigNode> sinkNames = sequence(sinksNode, where + ": 'sinks'");
      if (sinkNames.isEmpty()) throw error(sinksNode, where, "no sinks specified");
      List<String> names = new ArrayList<>();
      for (ConfigNode n : sinkNames) {
        String sinkName = scalar(n, where + ": sink name");
        if (!sinks.containsKey(sinkName)) {
          throw error(n, where, "dangling sink '" + sinkName + "' (no sink has that name)");
        }
        if (names.contains(sinkName)) throw error(n, where, "sink '" + sinkName + "' listed twice");
        names.add(sinkName);
      }
      return new Source(name, filter, names, node.line());
    }

    private Sink sink(ConfigNode node, int index) {
      Map<String, ConfigNode> m = mapping(node, "sink #" + index);
      String name = name(m, node, "sink #" + index);
      String where = "sink '" + name + "'";
      ConfigNode transformersNode = m.get("transformers");
      boolean noTransformers = transformersNode == null || transformersNode.isNull();
      if (kind == Kind.EVENT && !noTransformers
          && !(transformersNode.isSequence() && transformersNode.items().isEmpty())) {
        throw error(transformersNode, where, "transformers are not supported in event pipelines");
      }
      allowOnly(node, where, "name", "transformers", "publishers");
      List<TransformerSpec> specs = new ArrayList<>();
      if (!noTransformers) {
        for (ConfigNode t : sequence(transformersNode, where + ": 'transformers'")) specs.add(transformer(t, where));
      }
      ConfigNode publishersNode = m.get("publishers");
      if (publishersNode == null || publishersNode.isNull()) throw error(node, where, "no publishers specified");
      List<ConfigNode> entries = sequence(publishersNode, where + ": 'publishers'");
      if (entries.isEmpty()) throw error(publishersNode, where, "no publishers specified");
      List<PublisherUrl> publishers = new ArrayList<>();
      for (ConfigNode p : entries) {
        String text = scalar(p, where + ": publisher");
        String publisher = where + ": publisher '" + text + "'";
        PublisherUrl url;
        try {
          url = PublisherUrl.parse(text);
        } catch (IllegalArgumentException e) {
          throw error(p, publisher, e.getMessage());
        }
        if (!schemes.contains(url.scheme())) {
          throw error(p, publisher, "unknown publisher scheme '" + url.scheme() + "' (known: "
              + String.join(", ", new TreeSet<>(schemes)) + ")");
        }
        publishers.add(url);
      }
      return new Sink(name, specs, publishers, node.line());
    }

    private TransformerSpec transformer(ConfigNode node, String sinkWhere) {
      Map<String, ConfigNode> m = mapping(node, sinkWhere + ": transformer");
      String name = name(m, node, sinkWhere + ": transformer");
      String where = sinkWhere + ": transformer '" + name + "'";
      allowOnly(node, where, "name", "parameters");
      ConfigNode paramsNode = m.get("parameters");
      Map<String, Object> params = Map.of();
      if (paramsNode != null && !paramsNode.isNull()) {
        if (!paramsNode.isMapping()) throw error(paramsNode, where, "'parameters' must be a mapping");
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) paramsNode.value();
        params = p;
      }
      if (!transformers.contains(name)) {
        throw error(m.get("name"), where, "unknown transformer '" + name + "' (known: "
            + String.join(", ", new TreeSet<>(transformers.names())) + ")");
      }
      try {
        transformers.create(name, params);
      } catch (IllegalArgumentException e) {
        throw error(paramsNode != null ? paramsNode : node, where, e.getMessage());
      }
      return new TransformerSpec(name, params, node.line());
    }

    // ---------------------------------------------------------------- node rules

    private String name(Map<String, ConfigNode> m, ConfigNode owner, String where) {
      ConfigNode n = m.get("name");
      if (n == null || n.isNull()) throw error(owner, where, "'name' is required");
      String name = scalar(n, where + ": 'name'");
      if (name.isBlank()) throw error(n, where, "'name' must not be empty");
      return name;
    }

    private ConfigNode require(Map<String, ConfigNode> m, ConfigNode owner, String where, String key) {
      ConfigNode n = m.get(key);
      if (n == null || n.isNull()) throw error(owner, where, "'" + key + "' is required");
      return n;
    }

    private void allowOnly(ConfigNode mapping, String where, String... keys) {
      Set<String> allowed = Set.of(keys);
      mapping.keys().forEach((k, key) -> {
        if (!allowed.contains(k)) {
          throw error(key, where, "unknown key '" + k + "' (allowed: " + String.join(", ", keys) + ")");
        }
      });
    }

    private Map<String, ConfigNode> mapping(ConfigNode node, String where) {
      if (!node.isMapping()) throw error(node, "", where + " must be a mapping");
      return node.entries();
    }

    private List<ConfigNode> sequence(ConfigNode node, String where) {
      if (!node.isSequence()) throw error(node, "", where + " must be a list");
      return node.items();
    }

    private String scalar(ConfigNode node, String where) {
      if (!node.isScalar()) throw error(node, "", where + " must be a string");
      return node.written();
    }

    private List<String> strings(ConfigNode node, String where) {
      List<String> out = new ArrayList<>();
      for (ConfigNode n : sequence(node, where)) out.add(scalar(n, where + " entry"));
      return out;
    }
  }
}
