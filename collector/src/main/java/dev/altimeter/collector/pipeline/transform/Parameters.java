package dev.altimeter.collector.pipeline.transform;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of a transformer's {@code parameters} map (as SnakeYAML produced it) with messages
 * naming the parameter by its dotted path. Unknown keys are rejected by {@link #rejectUnknown}.
 */
final class Parameters {
  private final Map<String, Object> map;
  private final String prefix;

  Parameters(Map<String, Object> map, String prefix) {
    this.map = map == null ? Map.of() : map;
    this.prefix = prefix;
  }

  static Parameters of(Map<String, Object> map) {
    return new Parameters(map, "");
  }

  private String path(String key) {
    return prefix + key;
  }

  boolean has(String key) {
    return map.containsKey(key) && map.get(key) != null;
  }

  Object raw(String key) {
    return map.get(key);
  }

  IllegalArgumentException error(String key, String rule) {
    return new IllegalArgumentException("parameter '" + path(key) + "' " + rule);
  }

  @SuppressWarnings("unchecked")
  Parameters section(String key) {
    Object v = map.get(key);
    if (v == null) return new Parameters(Map.of(), path(key) + ".");
    if (!(v instanceof Map)) throw error(key, "must be a mapping");
    return new Parameters((Map<String, Object>) v, path(key) + ".");
  }

  String string(String key) {
    Object v = map.get(key);
    if (v == null) return null;
    if (v instanceof String s) return s;
    if (v instanceof Number || v instanceof Boolean) return String.valueOf(v);
    throw error(key, "must be a string");
  }

  Double number(String key) {
    Object v = map.get(key);
    if (v == null) return null;
    if (v instanceof Number n) return n.doubleValue();
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw error(key, "must be a number, got '" + s + "'");
      }
    }
    throw error(key, "must be a number");
  }

  Integer integer(String key) {
    Double d = number(key);
    if (d == null) return null;
    if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) throw error(key, "must be an integer, got " + map.get(key));
    return d.intValue();
  }

  Boolean bool(String key) {
    Object v = map.get(key);
    if (v == null) return null;
    if (v instanceof Boolean b) return b;
    if (v instanceof String s) {
      switch (s.trim().toLowerCase()) {
        case "true": case "yes": case "on": case "1": return true;
        case "false": case "no": case "off": case "0": return false;
        default: break;
      }
    }
    throw error(key, "must be a boolean, got '" + v + "'");
  }

  String oneOf(String key, String... allowed) {
    String v = string(key);
    if (v == null) return null;
    for (String a : allowed) {
      if (a.equals(v)) return v;
    }
    throw error(key, "must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
  }

  void rejectUnknown(String... known) {
    Set<String> allowed = Set.of(known);
    Set<String> unknown = new LinkedHashSet<>();
    for (String k : map.keySet()) {
      if (!allowed.contains(k)) unknown.add(path(k));
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown parameter" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown.stream().map(u -> "'" + u + "'").toList()));
    }
  }
}
