package dev.altimeter.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deep immutable copies of JSON-shaped values (maps, lists, scalars). */
final class Json {
  private Json() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> immutableCopy(Map<String, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(k, copyValue(v)));
    return Collections.unmodifiableMap(copy);
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
