package dev.altimeter.storage;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/** Deep immutable copies of JSON-shaped values (maps, lists, scalars). */
final class Json {
  private Json() {}

  /**
   * As {@link #immutableCopy}, checked by {@link Values#json} first; a map made here (or by {@link
   * #immutableCopy}) is not checked again, so derived samples sharing their input's metadata cost
   * nothing.
   */
  static Map<String, Object> storableCopy(Map<String, ?> map, String field) {
    if (map instanceof Frozen f) return f;
    return immutableCopy(Values.json(map, field));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> immutableCopy(Map<String, ?> map) {
    // a copy made here is deeply immutable already: derived samples (transformers) share their
    // input's metadata instead of copying it again per sample
    if (map instanceof Frozen f) return f;
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(k, copyValue(v)));
    return new Frozen(Collections.unmodifiableMap(copy));
  }

  /** A map made by {@link #immutableCopy}: read-only, with read-only values all the way down. */
  private static final class Frozen extends AbstractMap<String, Object> {
    private final Map<String, Object> entries;
    /**
     * The hash, once computed (0: not yet): the store groups a batch's samples by metadata, and the
     * samples of one notification share one map, so the same deep hash was computed per sample.
     * Immutable all the way down (values are Frozen maps, read-only lists, immutable scalars).
     */
    private int hash;

    Frozen(Map<String, Object> entries) {
      this.entries = entries;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return entries.entrySet();
    }

    @Override
    public Object get(Object key) {
      return entries.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return entries.containsKey(key);
    }

    @Override
    public int size() {
      return entries.size();
    }

    // the walks of every sample's metadata (grouping by it, estimating its size, checking and
    // flattening it) go to the entries themselves: AbstractMap's would wrap each entry read-only

    @Override
    public Set<String> keySet() {
      return entries.keySet();
    }

    @Override
    public Collection<Object> values() {
      return entries.values();
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
      entries.forEach(action);
    }

    @Override
    public int hashCode() {
      int h = hash;
      if (h == 0) {
        h = entries.hashCode();
        hash = h;
      }
      return h;
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof Frozen f ? entries.equals(f.entries) : entries.equals(o));
    }
  }

  @SuppressWarnings("unchecked")
  private static Object copyValue(Object v) {
    if (v instanceof Map<?, ?> m) return immutableCopy((Map<String, ?>) m);
    if (v instanceof List<?> l) {
      List<Object> copy = new ArrayList<>(l.size());
      for (Object o : l) copy.add(copyValue(o));
      return Collections.unmodifiableList(copy);
    }
    return v;
  }
}
