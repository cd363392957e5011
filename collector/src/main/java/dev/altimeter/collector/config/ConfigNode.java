package dev.altimeter.collector.config;

import java.io.Reader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
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
 * value of a repeated key wins. Scalars are typed by YAML 1.1's resolver as {@code yaml.safe_load}
 * types them (int, float, bool, null, str). Errors are {@link ConfigException}s naming the file,
 * the node's line and its field ({@code sources[2].name}, or a name given with {@link #named}).
 *
 * <p>Immutable; reading a file is blocking, for start-up and reloads.
 */
public final class ConfigNode {
  private final Node node;
  private final String file;
  private final String field;

  private ConfigNode(Node node, String file, String field) {
    this.node = node;
    this.file = file;
    this.field = field;
  }

  /**
   * Parses a document as Ceilometer does: a repeated key is allowed (its last value wins), and up
   * to 1000 aliases (Ceilometer's definition files use anchors). {@code null} node content (an
   * empty file) is allowed.
   */
  public static ConfigNode load(String file, Reader reader) {
    return load(file, reader, 1000);
  }

  /**
   * As {@link #load}, with at most 50 aliases: for files whose values are materialised with
   * {@link #value}, where an alias of aliases would multiply them.
   */
  public static ConfigNode loadForValues(String file, Reader reader) {
    return load(file, reader, 50);
  }

  private static ConfigNode load(String file, Reader reader, int aliases) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(aliases);
    options.setAllowDuplicateKeys(true);
    try {
      Node root = new Yaml(options).compose(reader);
      return new ConfigNode(root, file, "");
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new ConfigException(file, m == null ? 1 : m.getLine() + 1, "", "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new ConfigException(file, 1, "", "not valid YAML: " + e.getMessage());
    }
  }

  /** An empty document of the file: what is left of a file skipped whole. */
  public static ConfigNode empty(String file) {
    return new ConfigNode(null, file, "");
  }

  public boolean isNull() {
    return node == null || (node instanceof ScalarNode && node.getTag().equals(Tag.NULL));
  }

  public boolean isMapping() {
    return node instanceof MappingNode;
  }

  public boolean isSequence() {
    return node instanceof SequenceNode;
  }

  public boolean isScalar() {
    return node instanceof ScalarNode && !isNull();
  }

  public int line() {
    return node == null ? 1 : node.getStartMark().getLine() + 1;
  }

  /** The file as it was given. */
  public String file() {
    return file;
  }

  /** Where in the file, e.g. {@code sources[2].name}; empty for the document. */
  public String field() {
    return field;
  }

  /** An error at this node, naming its file, line and field. */
  public ConfigException error(String reason) {
    return new ConfigException(file, line(), field, reason);
  }

  /** A copy naming the field differently (for messages). */
  public ConfigNode named(String newField) {
    return new ConfigNode(node, file, newField);
  }

  /** The entries of a mapping with merges applied, in PyYAML's order. */
  public Map<String, ConfigNode> entries() {
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

  /**
   * The key nodes of a mapping (merges applied as in {@link #entries}), for errors about a key
   * itself (an unknown key is reported on its own line, not its value's).
   */
  public Map<String, ConfigNode> keys() {
    if (!isMapping()) throw error("must be a mapping");
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    for (NodeTuple t : flatten((MappingNode) node)) {
      if (t.getKeyNode() instanceof ScalarNode key) {
        out.put(key.getValue(), new ConfigNode(key, file, sub(key.getValue())));
      }
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
  public List<ConfigNode> items() {
    if (!isSequence()) throw error("must be a list");
    List<ConfigNode> out = new ArrayList<>();
    List<Node> values = ((SequenceNode) node).getValue();
    for (int i = 0; i < values.size(); i++) out.add(new ConfigNode(values.get(i), file, field + "[" + i + "]"));
    return out;
  }

  /**
   * The scalar as Java, as {@code yaml.safe_load} (YAML 1.1) types it: Long (BigInteger past 64
   * bits; {@code 0x}, {@code 0o}, {@code 0b} and a leading-0 octal), Double ({@code .inf}, {@code
   * .nan}), Boolean ({@code yes/no/on/off}), String, or null.
   */
  public Object scalar() {
    if (isNull()) return null;
    if (!(node instanceof ScalarNode s)) throw error("must be a single value");
    Tag tag = s.getTag();
    String v = s.getValue();
    if (tag.equals(Tag.INT)) {
      String t = v.replace("_", "");
      boolean negative = t.startsWith("-");
      String digits = negative || t.startsWith("+") ? t.substring(1) : t;
      try {
        BigInteger i;
        if (digits.startsWith("0x")) i = new BigInteger(digits.substring(2), 16);
        else if (digits.startsWith("0o")) i = new BigInteger(digits.substring(2), 8);
        else if (digits.startsWith("0b")) i = new BigInteger(digits.substring(2), 2);
        else if (digits.length() > 1 && digits.startsWith("0")) i = new BigInteger(digits.substring(1), 8);
        else i = new BigInteger(digits);
        if (negative) i = i.negate();
        return i.bitLength() < 64 ? (Object) i.longValue() : i;
      } catch (NumberFormatException e) {
        return v;
      }
    }
    if (tag.equals(Tag.FLOAT)) {
      String f = v.replace("_", "").toLowerCase(java.util.Locale.ROOT);
      if (f.endsWith(".inf")) return f.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      if (f.equals(".nan")) return Double.NaN;
      try {
        return Double.parseDouble(f);
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

  /**
   * The node as Java: maps (merges applied, unmodifiable, in order), lists and {@link #scalar}s.
   *
   * @throws ConfigException for an alias that contains itself
   */
  public Object value() {
    return value(new IdentityHashMap<>());
  }

  private Object value(Map<Node, Boolean> path) {
    if (isNull()) return null;
    if (isScalar()) return scalar();
    if (path.put(node, Boolean.TRUE) != null) throw error("recursive YAML alias");
    try {
      if (isSequence()) {
        List<Object> out = new ArrayList<>();
        for (ConfigNode n : items()) out.add(n.value(path));
        return Collections.unmodifiableList(out);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      entries().forEach((k, n) -> out.put(k, n.value(path)));
      return Collections.unmodifiableMap(out);
    } finally {
      path.remove(node);
    }
  }

  /** A scalar as it is written, whatever its type ({@code 123}, {@code yes}, {@code ~}): for names. */
  public String written() {
    if (!(node instanceof ScalarNode)) throw error("must be a single value");
    return ((ScalarNode) node).getValue();
  }

  /** A scalar that must be a string. */
  public String text() {
    Object v = scalar();
    if (!(v instanceof String s)) throw error("must be a string");
    return s;
  }
}
