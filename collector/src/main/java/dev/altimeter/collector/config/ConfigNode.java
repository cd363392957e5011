package dev.altimeter.collector.notification.definition;

import java.io.Reader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
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
 * A YAML node with where it came from, so that every configuration error can name the file, the
 * line and the field. Mappings are read as PyYAML reads them: {@code <<} merge keys (a mapping or a
 * list of mappings, earlier ones winning) are applied, keys keep their first position and the last
 * value of a repeated key wins. Scalars are typed by YAML's resolver (int, float, bool, null, str).
 */
final class ConfigNode {
  final Node node;
  final String file;
  final String field;

  private ConfigNode(Node node, String file, String field) {
    this.node = node;
    this.file = file;
    this.field = field;
  }

  /** Parses a document; {@code null} node content (an empty file) is allowed. */
  static ConfigNode load(String file, Reader reader) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(1000);
    options.setAllowDuplicateKeys(true);
    try {
      Node root = new Yaml(options).compose(reader);
      return new ConfigNode(root, file, "");
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new DefinitionException(file, m == null ? 1 : m.getLine() + 1, "",
          "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new DefinitionException(file, 1, "", "not valid YAML: " + e.getMessage());
    }
  }

  /** An empty document of the file: what is left of a file skipped whole. */
  static ConfigNode empty(String file) {
    return new ConfigNode(null, file, "");
  }

  boolean isNull() {
    return node == null || (node instanceof ScalarNode && node.getTag().equals(Tag.NULL));
  }

  boolean isMapping() {
    return node instanceof MappingNode;
  }

  boolean isSequence() {
    return node instanceof SequenceNode;
  }

  boolean isScalar() {
    return node instanceof ScalarNode && !isNull();
  }

  int line() {
    return node == null ? 1 : node.getStartMark().getLine() + 1;
  }

  DefinitionException error(String reason) {
    return new DefinitionException(file, line(), field, reason);
  }

  /** A copy naming the field differently (for messages). */
  ConfigNode named(String newField) {
    return new ConfigNode(node, file, newField);
  }

  /** The entries of a mapping with merges applied, in PyYAML's order. */
  Map<String, ConfigNode> entries() {
    if (!isMapping()) throw error("must be a mapping");
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    for (NodeTuple t : flatten((MappingNode) node)) {
      Node k = t.getKeyNode();
      if (!(k instanceof ScalarNode key)) {
        throw new ConfigNode(k, file, field).error("keys must be scalars");
      }
      String name = key.getValue();
      out.put(name, new ConfigNode(t.getValueNode(), file, sub(name)));
    }
    return Collections.unmodifiableMap(out);
  }

  private String sub(String key) {
    return field.isEmpty() ? key : field + "." + key;
  }

  private List<NodeTuple> flatten(MappingNode m) {
    List<NodeTuple> merged = new ArrayList<>();
    List<NodeTuple> own = new ArrayList<>();
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode().getTag().equals(Tag.MERGE)) {
        Node v = t.getValueNode();
        if (v instanceof MappingNode mm) {
          merged.addAll(flatten(mm));
        } else if (v instanceof SequenceNode seq) {
          List<List<NodeTuple>> parts = new ArrayList<>();
          for (Node item : seq.getValue()) {
            if (!(item instanceof MappingNode im)) {
              throw new ConfigNode(item, file, field).error("a merge key (<<) must refer to mappings");
            }
            parts.add(flatten(im));
          }
          Collections.reverse(parts);
          parts.forEach(merged::addAll);
        } else {
          throw new ConfigNode(v, file, field).error("a merge key (<<) must refer to a mapping");
        }
      } else {
        own.add(t);
      }
    }
    merged.addAll(own);
    return merged;
  }

  /** The items of a sequence. */
  List<ConfigNode> items() {
    if (!isSequence()) throw error("must be a list");
    List<ConfigNode> out = new ArrayList<>();
    List<Node> values = ((SequenceNode) node).getValue();
    for (int i = 0; i < values.size(); i++) out.add(new ConfigNode(values.get(i), file, field + "[" + i + "]"));
    return out;
  }

  /** The scalar as Java: Long (or BigInteger), Double, Boolean, String, or null. */
  Object scalar() {
    if (isNull()) return null;
    if (!(node instanceof ScalarNode s)) throw error("must be a single value");
    Tag tag = s.getTag();
    String v = s.getValue();
    if (tag.equals(Tag.INT)) {
      String t = v.replace("_", "");
      try {
        BigInteger i;
        if (t.startsWith("0x")) i = new BigInteger(t.substring(2), 16);
        else if (t.startsWith("0o")) i = new BigInteger(t.substring(2), 8);
        else if (t.startsWith("0b")) i = new BigInteger(t.substring(2), 2);
        else i = new BigInteger(t);
        return i.bitLength() < 64 ? (Object) i.longValue() : i;
      } catch (NumberFormatException e) {
        return v;
      }
    }
    if (tag.equals(Tag.FLOAT)) {
      try {
        return Double.parseDouble(v.replace("_", ""));
      } catch (NumberFormatException e) {
        return v;
      }
    }
    if (tag.equals(Tag.BOOL)) {
      return switch (v.toLowerCase(java.util.Locale.ROOT)) {
        case "true", "yes", "on", "y" -> true;
        default -> false;
      };
    }
    return v;
  }

  /** A scalar that must be a string. */
  String text() {
    Object v = scalar();
    if (!(v instanceof String s)) throw error("must be a string");
    return s;
  }
}
