package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.python.Values;
import dev.altimeter.wire.PythonText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One configured value of a definition (Ceilometer's {@code declarative.Definition}): a path, a
 * list of paths (tried in order: {@code (a)|(b)}), an integer constant, or {@code {fields: ...,
 * plugin: name | {name, parameters}}}.
 */
final class Attribute {
  private final JsonPath path;
  private final Object constant;
  private final TraitPlugin plugin;

  private Attribute(JsonPath path, Object constant, TraitPlugin plugin) {
    this.path = path;
    this.constant = constant;
    this.plugin = plugin;
  }

  /** A built-in attribute from trusted text. */
  static Attribute of(String path) {
    try {
      return new Attribute(JsonPath.parse(path), null, null);
    } catch (JsonPath.ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  static Attribute parse(ConfigNode cfg) {
    TraitPlugin plugin = null;
    ConfigNode fields = cfg;
    if (cfg.isMapping()) {
      Map<String, ConfigNode> e = cfg.entries();
      if (!e.containsKey("fields")) throw cfg.error("the field 'fields' is required");
      fields = e.get("fields");
      if (e.containsKey("plugin")) {
        ConfigNode p = e.get("plugin");
        if (p.isMapping()) {
          Map<String, ConfigNode> pe = p.entries();
          if (!pe.containsKey("name")) throw p.error("plugin specified, but no plugin name supplied");
          ConfigNode params = pe.get("parameters");
          plugin = TraitPlugin.create(pe.get("name").text(),
              params == null || params.isNull() ? Map.of() : params.entries(), pe.get("name"));
        } else {
          plugin = TraitPlugin.create(p.text(), Map.of(), p);
        }
      }
    }
    String text;
    if (fields.isSequence()) {
      List<ConfigNode> items = fields.items();
      if (items.isEmpty()) throw fields.error("an empty list of paths");
      if (items.size() == 1) {
        fields = items.get(0);
        text = null;
      } else {
        List<String> parts = new ArrayList<>();
        for (ConfigNode item : items) parts.add("(" + item.text() + ")");
        text = String.join("|", parts);
      }
    } else {
      text = null;
    }
    if (text == null) {
      Object v = fields.scalar();
      if (Values.isIntegral(v)) return new Attribute(null, v, plugin);
      if (!(v instanceof String s)) throw fields.error("must be a JSONPath or an integer, not " + PythonText.str(v));
      text = s;
    }
    try {
      return new Attribute(JsonPath.parse(text), null, plugin);
    } catch (JsonPath.ParseException e) {
      throw fields.error("parse error in JSONPath '" + text + "': " + e.getMessage());
    }
  }

  boolean isConstant() {
    return path == null;
  }

  /** The first non-null value, or {@code null}. */
  Object first(Map<String, Object> body) {
    if (path == null) return constant;
    if (plugin == null) {
      for (JsonPath.Match m : path.find(body)) if (m.value() != null) return m.value();
      return null;
    }
    List<Object> values = values(body, false);
    return values.isEmpty() ? null : values.get(0);
  }

  /**
   * Every value, {@code null}s included when {@code all} (Ceilometer's {@code return_all_values},
   * used for multi-meter lookups).
   */
  List<Object> values(Map<String, Object> body, boolean all) {
    if (path == null) return List.of(constant);
    List<JsonPath.Match> matches = new ArrayList<>();
    for (JsonPath.Match m : path.find(body)) if (all || m.value() != null) matches.add(m);
    List<Object> out = new ArrayList<>();
    if (plugin != null) {
      Object v = plugin.value(matches);
      if (v != null) out.add(v);
    } else {
      for (JsonPath.Match m : matches) out.add(m.value());
    }
    return out;
  }
}
