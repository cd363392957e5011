package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.python.Values;
import dev.altimeter.wire.PythonText;
import dev.altimeter.wire.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Ceilometer's trait plugins ({@code ceilometer.event.trait_plugin}): they turn the (path, value)
 * matches of a field's paths into one value. Used by meter attributes and event traits alike.
 * {@code null} means "no value".
 */
abstract class TraitPlugin {

  abstract Object value(List<JsonPath.Match> matches);

  /** Builds the plugin {@code name} with its {@code parameters}; errors are reported on {@code at}. */
  static TraitPlugin create(String name, Map<String, ConfigNode> parameters, ConfigNode at) {
    return switch (name) {
      case "split" -> Split.create(parameters, at);
      case "bitfield" -> Bitfield.create(parameters, at);
      case "timedelta" -> {
        onlyKnown(parameters, Set.of(), at);
        yield new Timedelta();
      }
      case "map" -> MapValues.create(parameters, at);
      default -> throw at.error("no plugin named '" + name + "' (known: split, bitfield, timedelta, map)");
    };
  }

  private static void onlyKnown(Map<String, ConfigNode> parameters, Set<String> known, ConfigNode at) {
    for (Map.Entry<String, ConfigNode> e : parameters.entrySet()) {
      if (!known.contains(e.getKey())) throw e.getValue().error("unknown plugin parameter '" + e.getKey() + "'");
    }
  }

  private static Long integer(ConfigNode n) {
    Object v = n.scalar();
    Long i = v instanceof String ? null : Values.intOrNull(v);
    if (i == null) throw n.error("must be an integer");
    return i;
  }

  /** {@code split}: {@code str(first value).split(separator, max_split)[segment]}. */
  static final class Split extends TraitPlugin {
    final String separator;
    final int segment;
    final Integer maxSplit;

    Split(String separator, int segment, Integer maxSplit) {
      this.separator = separator;
      this.segment = segment;
      this.maxSplit = maxSplit;
    }

    static Split create(Map<String, ConfigNode> p, ConfigNode at) {
      onlyKnown(p, Set.of("separator", "segment", "max_split"), at);
      String sep = p.containsKey("separator") ? PythonText.str(p.get("separator").scalar()) : ".";
      if (sep.isEmpty()) throw p.get("separator").error("empty separator");
      int segment = p.containsKey("segment") ? integer(p.get("segment")).intValue() : 0;
      Integer max = p.containsKey("max_split") && !p.get("max_split").isNull()
          ? integer(p.get("max_split")).intValue() : null;
      return new Split(sep, segment, max);
    }

    @Override
    Object value(List<JsonPath.Match> matches) {
      if (matches.isEmpty()) return null;
      List<String> parts = Values.split(PythonText.str(matches.get(0).value()), separator,
          maxSplit == null ? -1 : maxSplit, false);
      int i = segment < 0 ? parts.size() + segment : segment; // Python's negative index
      return i >= 0 && i < parts.size() ? parts.get(i) : null;
    }
  }

  /** {@code bitfield}: sets bit {@code bit} for each flag whose path matched (with {@code value}, if given). */
  static final class Bitfield extends TraitPlugin {
    record Flag(String path, long bit, boolean hasValue, Object value) {}

    final long initial;
    final List<Flag> flags;

    Bitfield(long initial, List<Flag> flags) {
      this.initial = initial;
      this.flags = flags;
    }

    static Bitfield create(Map<String, ConfigNode> p, ConfigNode at) {
      onlyKnown(p, Set.of("initial_bitfield", "flags"), at);
      long initial = p.containsKey("initial_bitfield") ? integer(p.get("initial_bitfield")) : 0;
      List<Flag> flags = new ArrayList<>();
      if (p.containsKey("flags") && !p.get("flags").isNull()) {
        for (ConfigNode f : p.get("flags").items()) {
          Map<String, ConfigNode> e = f.entries();
          if (!e.containsKey("path")) throw f.error("a flag needs a 'path'");
          if (!e.containsKey("bit")) throw f.error("a flag needs a 'bit'");
          long bit = integer(e.get("bit"));
          if (bit < 0 || bit > 62) throw e.get("bit").error("bit must be between 0 and 62");
          flags.add(new Flag(e.get("path").text(), 1L << bit, e.containsKey("value"),
              e.containsKey("value") ? e.get("value").scalar() : null));
        }
      }
      return new Bitfield(initial, flags);
    }

    @Override
    Object value(List<JsonPath.Match> matches) {
      Map<String, Object> byPath = new LinkedHashMap<>();
      for (JsonPath.Match m : matches) byPath.put(m.path(), m.value());
      long bits = initial;
      for (Flag f : flags) {
        if (!byPath.containsKey(f.path())) continue;
        if (!f.hasValue() || Values.compare(byPath.get(f.path()), "==", f.value())) bits |= f.bit();
      }
      return bits;
    }
  }

  /** {@code timedelta}: absolute seconds between exactly two datetimes. */
  static final class Timedelta extends TraitPlugin {
    @Override
    Object value(List<JsonPath.Match> matches) {
      if (matches.size() != 2) return null;
      Object a = matches.get(0).value();
      Object b = matches.get(1).value();
      Instant start = a instanceof String s ? Timestamps.parseIsotime(s) : null;
      Instant end = b instanceof String s ? Timestamps.parseIsotime(s) : null;
      if (start == null || end == null) return null;
      Duration d = Duration.between(start, end).abs();
      return d.getSeconds() + d.getNano() / 1e9;
    }
  }

  /** {@code map}: looks the first value up in {@code values}, else {@code default}. */
  static final class MapValues extends TraitPlugin {
    final Map<Object, Object> values;
    final Object fallback;
    final boolean caseSensitive;

    MapValues(Map<Object, Object> values, Object fallback, boolean caseSensitive) {
      this.values = values;
      this.fallback = fallback;
      this.caseSensitive = caseSensitive;
    }

    static MapValues create(Map<String, ConfigNode> p, ConfigNode at) {
      onlyKnown(p, Set.of("values", "default", "case_sensitive"), at);
      if (!p.containsKey("values") || !p.get("values").isMapping()) {
        throw at.error("plugin 'map' needs a mapping 'values'");
      }
      boolean caseSensitive = !p.containsKey("case_sensitive")
          || Values.truthy(p.get("case_sensitive").scalar());
      Map<Object, Object> values = new LinkedHashMap<>();
      for (Map.Entry<String, ConfigNode> e : p.get("values").entries().entrySet()) {
        String key = caseSensitive ? e.getKey() : e.getKey().toLowerCase(Locale.ROOT);
        values.put(key, e.getValue().scalar());
      }
      Object fallback = p.containsKey("default") ? p.get("default").scalar() : null;
      return new MapValues(values, fallback, caseSensitive);
    }

    @Override
    Object value(List<JsonPath.Match> matches) {
      if (matches.isEmpty()) return null;
      String key = PythonText.str(matches.get(0).value());
      if (!caseSensitive) key = key.toLowerCase(Locale.ROOT);
      return values.getOrDefault(key, fallback);
    }
  }
}
