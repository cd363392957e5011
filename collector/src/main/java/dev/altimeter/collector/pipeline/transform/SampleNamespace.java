package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.collector.python.Dialect;
import dev.altimeter.storage.Sample;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The namespace an expression sees for a sample: Ceilometer's {@code sample.as_dict()} keys
 * ({@code name, type, unit, volume, user_id, project_id, resource_id, timestamp, resource_metadata,
 * source, id, monotonic_time}). Nested metadata maps are namespaces; a missing key is an empty,
 * falsy namespace (see {@link #EXPRESSIONS}).
 *
 * <p>The map is a read-only view computed per key on lookup: a scale expression is evaluated for
 * every sample of a rate_of_change sink and reads one or two keys, so building twelve entries
 * (with the timestamp and id rendered as text) per sample was most of its cost.
 */
final class SampleNamespace {
  private static final List<String> KEYS = List.of("name", "type", "unit", "volume", "user_id", "project_id",
      "resource_id", "timestamp", "resource_metadata", "source", "id", "monotonic_time");
  private static final Set<String> KEY_SET = Set.copyOf(KEYS);

  /**
   * The dialect of transformer expressions: any name of the namespace, {@code a.b} reads a
   * namespace's key, {@code $(meter)} references (arithmetic), and the built-ins Ceilometer's
   * expressions use.
   */
  static final Dialect EXPRESSIONS = new Dialect(null, true, true,
      Set.of("abs", "min", "max", "round", "int", "float"), Set.of());

  private SampleNamespace() {}

  static Map<String, Object> of(Sample s) {
    return new View(s);
  }

  private static final class View extends AbstractMap<String, Object> {
    private final Sample s;

    View(Sample s) {
      this.s = s;
    }

    @Override
    public boolean containsKey(Object key) {
      return KEY_SET.contains(key);
    }

    @Override
    public Object get(Object key) {
      if (!(key instanceof String k)) return null;
      switch (k) {
        case "name": return s.meter();
        case "type": return s.type().wireName();
        case "unit": return s.unit();
        case "volume": return s.volume();
        case "user_id": return s.userId();
        case "project_id": return s.projectId();
        case "resource_id": return s.resourceId();
        case "timestamp": return s.timestamp().toString();
        case "resource_metadata": return s.resourceMetadata();
        case "source": return s.source();
        case "id": return s.messageId().toString();
        default: return null; // monotonic_time: not in the model (None), or not a key
      }
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      Map<String, Object> all = new LinkedHashMap<>();
      for (String k : KEYS) all.put(k, get(k));
      return java.util.Collections.unmodifiableMap(all).entrySet();
    }
  }
}
