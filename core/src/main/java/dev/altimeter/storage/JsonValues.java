package dev.altimeter.storage;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL {@code jsonb} semantics on JSON-shaped Java values (maps, lists, strings, numbers,
 * booleans), for the in-memory stores: path lookup as {@code #>}, equality as {@code =} (numbers by
 * value, so {@code 2 = 2.0} but never {@code 2 = "2"}), text as {@code #>>}.
 */
final class JsonValues {
  private JsonValues() {}

  /** What {@link #at} returns when the path leads nowhere (SQL NULL), unlike a JSON {@code null}. */
  static final Object MISSING = new Object();

  /** The value at a dotted path ({@code flavor.name}); list elements by index, as {@code #>}. */
  static Object at(Map<String, Object> doc, String path) {
    Object v = doc;
    for (String key : path.split("\\.")) {
      if (v instanceof Map<?, ?> m) {
        if (!m.containsKey(key)) return MISSING;
        v = m.get(key);
      } else if (v instanceof List<?> l) {
        int i;
        try {
          i = Integer.parseInt(key);
        } catch (NumberFormatException e) {
          return MISSING;
        }
        if (i < 0) i += l.size();
        if (i < 0 || i >= l.size()) return MISSING;
        v = l.get(i);
      } else {
        return MISSING;
      }
    }
    return v;
  }

  /** jsonb equality; {@link #MISSING} equals nothing. */
  static boolean equal(Object a, Object b) {
    if (a == MISSING || b == MISSING) return false;
    if (a == null || b == null) return a == b;
    if (a instanceof Number x && b instanceof Number y) return decimal(x).compareTo(decimal(y)) == 0;
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) return false;
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()))) return false;
      }
      return true;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) return false;
      Iterator<?> i = y.iterator();
      for (Object o : x) if (!equal(o, i.next())) return false;
      return true;
    }
    return (a instanceof String || a instanceof Boolean) && a.equals(b);
  }

  /** The order of two scalars of the same JSON type (number, string, boolean), or null for any other pair. */
  static Integer compareSameType(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) return decimal(x).compareTo(decimal(y));
    if (a instanceof String x && b instanceof String y) return x.compareTo(y);
    if (a instanceof Boolean x && b instanceof Boolean y) return x.compareTo(y);
    return null;
  }

  /** The text {@code #>>} gives: a string as is, anything else as its JSON text. */
  static String text(Object v) {
    if (v == null || v == MISSING) return null;
    if (v instanceof BigDecimal d) return d.toPlainString();
    return v.toString();
  }

  private static BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal d) return d;
    if (n instanceof Double || n instanceof Float) return new BigDecimal(n.toString());
    if (n instanceof java.math.BigInteger i) return new BigDecimal(i);
    return BigDecimal.valueOf(n.longValue());
  }
}
