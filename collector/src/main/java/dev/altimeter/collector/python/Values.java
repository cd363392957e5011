package dev.altimeter.collector.python;

import dev.altimeter.wire.PythonText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Python's value rules over JSON-shaped Java values ({@code null} for None, Boolean, Long for int,
 * Double for float, String, List, Map; other JSON numbers are accepted and normalised), the one
 * place truthiness, equality, ordering, arithmetic, indexing and {@code int()} / {@code float()}
 * are decided for expressions, dynamic pollsters and notification definitions.
 *
 * <p>Two forms: the {@code ...OrNull} / boolean forms answer {@code null} (or {@code false}) where
 * Python raises, so a caller on a hot path (the definitions' JSONPath filters) decides without an
 * exception; the strict forms raise {@link ExpressionException} with Python's message. Stateless.
 */
public final class Values {
  private Values() {}

  /** Python truthiness: {@code None}, {@code False}, zero, and empty strings and containers are false. */
  public static boolean truthy(Object v) {
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    if (v instanceof Long l) return l != 0;
    if (v instanceof Double d) return d != 0.0;
    if (v instanceof BigInteger bi) return bi.signum() != 0;
    if (v instanceof Number n) return n.doubleValue() != 0;
    if (v instanceof String s) return !s.isEmpty();
    if (v instanceof Collection<?> c) return !c.isEmpty();
    if (v instanceof Map<?, ?> m) return !m.isEmpty();
    return true;
  }

  /** Python's type name of a value ({@code dict} for maps). */
  public static String typeName(Object v) {
    if (v == null) return "NoneType";
    if (v instanceof Boolean) return "bool";
    if (isIntegral(v)) return "int";
    if (v instanceof Number) return "float";
    if (v instanceof String) return "str";
    if (v instanceof List<?>) return "list";
    if (v instanceof Map<?, ?>) return "dict";
    return v.getClass().getSimpleName();
  }

  /** Integer JSON numbers as Long (BigInteger past 64 bits as Double), other non-Double numbers as Double. */
  public static Object normalise(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
    if (v instanceof BigInteger b) return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
    if (v instanceof Float || v instanceof BigDecimal) return ((Number) v).doubleValue();
    return v;
  }

  /** Whether {@code v} is a Python int (booleans are not counted). */
  public static boolean isIntegral(Object v) {
    return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger;
  }

  /** A number (or bool) as Long or Double; {@code null} when {@code v} is not numeric. */
  static Number number(Object v) {
    if (v instanceof Long || v instanceof Double) return (Number) v;
    if (!isNumeric(v)) return null;
    return isExact(v) ? (Number) asLong(v) : (Number) asDouble(v);
  }

  // the primitive views below let comparisons and arithmetic on the definitions' hot path run
  // without boxing a JSON Integer into a Long first

  private static boolean isNumeric(Object v) {
    return v instanceof Number || v instanceof Boolean;
  }

  /** An int (or bool) that a long holds exactly. */
  private static boolean isExact(Object v) {
    return v instanceof Long || v instanceof Integer || v instanceof Boolean || v instanceof Short
        || v instanceof Byte || v instanceof BigInteger b && b.bitLength() < 64;
  }

  private static long asLong(Object v) {
    return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue();
  }

  private static double asDouble(Object v) {
    return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
  }

  // ---------------------------------------------------------------- conversions

  /** Python {@code int(v)} as a Long, or {@code null} where Python raises. */
  public static Long intOrNull(Object v) {
    if (v instanceof Boolean b) return b ? 1L : 0L;
    if (v instanceof BigInteger bi) return bi.bitLength() < 64 ? bi.longValue() : null;
    if (isIntegral(v)) return ((Number) v).longValue();
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (!Double.isFinite(d)) return null;
      return (long) d; // truncation toward zero, as int(3.9) == 3
    }
    if (v instanceof String s) {
      String t = s.strip().replace("_", "");
      try {
        return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** Python {@code float(v)}, or {@code null} where Python raises. */
  public static Double floatOrNull(Object v) {
    if (v instanceof Boolean b) return b ? 1.0 : 0.0;
    if (v instanceof Number n) return n.doubleValue();
    if (v instanceof String s) {
      String t = s.strip();
      String lower = t.toLowerCase(Locale.ROOT);
      if (lower.matches("[+-]?(inf|infinity|nan)")) {
        return lower.contains("nan") ? Double.NaN
            : lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
      if (!t.matches("[+-]?(\\d[\\d_]*\\.?[\\d_]*|\\.\\d[\\d_]*)([eE][+-]?\\d+)?")) return null;
      try {
        return Double.parseDouble(t.replace("_", ""));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- comparison

  /** Python {@code a == b}: numbers by value across int, float and bool; lists element-wise. */
  public static boolean equal(Object a, Object b) {
    if (isNumeric(a) && isNumeric(b)) {
      if (isExact(a) && isExact(b)) return asLong(a) == asLong(b);
      return asDouble(a) == asDouble(b);
    }
    if (a instanceof List<?> la && b instanceof List<?> lb) {
      if (la.size() != lb.size()) return false;
      for (int i = 0; i < la.size(); i++) if (!equal(la.get(i), lb.get(i))) return false;
      return true;
    }
    return Objects.equals(a, b);
  }

  /**
   * Python {@code a op b} for {@code == != < <= > >=} (and {@code =} for {@code ==}); {@code false}
   * where Python would raise (ordering across types).
   */
  public static boolean compare(Object a, String op, Object b) {
    return Boolean.TRUE.equals(compareOrNull(op, a, b));
  }

  /** As {@link #compare}, {@code null} where Python raises. Comparisons with NaN are false. */
  static Boolean compareOrNull(String op, Object a, Object b) {
    switch (op) {
      case "==", "=": return equal(a, b);
      case "!=": return !equal(a, b);
      default: break;
    }
    int c;
    if (a instanceof String sa && b instanceof String sb) {
      c = sa.compareTo(sb);
    } else {
      if (!isNumeric(a) || !isNumeric(b)) return null;
      if (isExact(a) && isExact(b)) {
        c = Long.compare(asLong(a), asLong(b));
      } else {
        double x = asDouble(a);
        double y = asDouble(b);
        if (Double.isNaN(x) || Double.isNaN(y)) return false;
        c = Double.compare(x, y);
      }
    }
    return switch (op) {
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      default -> null;
    };
  }

  /** Strict {@link #compare}: raises Python's TypeError message. */
  static boolean compareStrict(String op, Object a, Object b) {
    Boolean r = compareOrNull(op, a, b);
    if (r == null) {
      throw new ExpressionException("'" + op + "' not supported between instances of '" + typeName(a)
          + "' and '" + typeName(b) + "'");
    }
    return r;
  }

  // ---------------------------------------------------------------- arithmetic

  /** Python {@code a op b} for {@code + - * /}; {@code null} where Python raises. */
  public static Object arithmetic(Object a, String op, Object b) {
    return binaryOrNull(op, a, b);
  }

  /**
   * Python {@code a op b} for {@code + - * / // % **}: ints stay ints (a result past 64 bits
   * becomes a float, where Python's ints would grow), {@code /} is true division, {@code //} and
   * {@code %} floor; {@code +} joins strings and lists, {@code *} repeats a string. {@code null}
   * where Python raises (a type error, or a division by zero).
   */
  static Object binaryOrNull(String op, Object a, Object b) {
    if (!isNumeric(a) || !isNumeric(b)) return sequenceOrNull(op, a, b);
    boolean ints = isExact(a) && isExact(b);
    long i = ints ? asLong(a) : 0;
    long j = ints ? asLong(b) : 0;
    double dx = asDouble(a);
    double dy = asDouble(b);
    switch (op) {
      case "+":
        if (ints) {
          try { return Math.addExact(i, j); } catch (ArithmeticException e) { /* float */ }
        }
        return dx + dy;
      case "-":
        if (ints) {
          try { return Math.subtractExact(i, j); } catch (ArithmeticException e) { /* float */ }
        }
        return dx - dy;
      case "*":
        if (ints) {
          try { return Math.multiplyExact(i, j); } catch (ArithmeticException e) { /* float */ }
        }
        return dx * dy;
      case "/":
        return dy == 0.0 ? null : dx / dy;
      case "//":
        if (dy == 0.0) return null;
        return ints ? (Object) Math.floorDiv(i, j) : (Object) Math.floor(dx / dy);
      case "%":
        if (dy == 0.0) return null;
        return ints ? (Object) Math.floorMod(i, j) : (Object) (dx - dy * Math.floor(dx / dy));
      case "**":
        return ints ? power(i, j) : power(dx, dy);
      default:
        return null;
    }
  }

  private static Object power(long base, long exp) {
    if (exp < 0) return power((double) base, (double) exp);
    if (base == -1) return exp % 2 == 0 ? 1L : -1L;
    long result = 1;
    try {
      for (long k = 0; k < exp; k++) {
        result = Math.multiplyExact(result, base);
        if (result == 0 || result == 1 && base == 1) break;
      }
      return result;
    } catch (ArithmeticException e) {
      return Math.pow(base, exp);
    }
  }

  private static Object power(double base, double exp) {
    if (base == 0.0 && exp < 0) return null;
    return Math.pow(base, exp);
  }

  private static Object sequenceOrNull(String op, Object a, Object b) {
    if (op.equals("+")) {
      if (a instanceof String x && b instanceof String y) return x + y;
      if (a instanceof List<?> x && b instanceof List<?> y) {
        List<Object> out = new ArrayList<>(x);
        out.addAll(y);
        return out;
      }
    }
    if (op.equals("*")) {
      if (a instanceof String s && isIntegral(b)) return s.repeat((int) Math.max(0, intOrNull(b)));
      if (b instanceof String s && isIntegral(a)) return s.repeat((int) Math.max(0, intOrNull(a)));
    }
    return null;
  }

  /** Strict {@link #binaryOrNull}: raises Python's ZeroDivisionError or TypeError message. */
  static Object binary(String op, Object a, Object b) {
    Object r = binaryOrNull(op, a, b);
    if (r != null) return r;
    if (isNumeric(a) && isNumeric(b)) {
      if (op.equals("**")) throw new ExpressionException("0.0 cannot be raised to a negative power");
      throw new ExpressionException(op.equals("/") ? "division by zero" : "integer division or modulo by zero");
    }
    throw new ExpressionException("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
        + typeName(b) + "'");
  }

  /** Python's unary {@code -v} and {@code +v}. */
  static Object unary(String op, Object v) {
    Number n = number(v);
    if (n == null) throw new ExpressionException("bad operand type for unary " + op + ": '" + typeName(v) + "'");
    if (op.equals("+")) return n;
    if (n instanceof Long l) return l == Long.MIN_VALUE ? (Object) (-(double) l) : (Object) (-l);
    return -n.doubleValue();
  }

  // ---------------------------------------------------------------- containers

  /** Python {@code item in container}. */
  static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (!(item instanceof String i)) throw new ExpressionException("'in <string>' requires string as left operand");
      return s.contains(i);
    }
    if (container instanceof Map<?, ?> m) return m.containsKey(item) || m.containsKey(PythonText.str(item));
    if (container instanceof List<?> l) {
      for (Object o : l) if (equal(o, item)) return true;
      return false;
    }
    throw new ExpressionException("argument of type '" + typeName(container) + "' is not iterable");
  }

  /** Python {@code target[key]} for dicts, lists and strings (negative indexes from the end). */
  static Object subscript(Object target, Object key) {
    if (target instanceof Map<?, ?> m) {
      if (!m.containsKey(key)) throw new ExpressionException("KeyError: " + PythonText.repr(key));
      return normalise(m.get(key));
    }
    if (target instanceof List<?> l) return normalise(l.get(index(key, l.size())));
    if (target instanceof String s) return String.valueOf(s.charAt(index(key, s.length())));
    throw new ExpressionException("'" + typeName(target) + "' object is not subscriptable");
  }

  private static int index(Object key, int size) {
    if (!(number(key) instanceof Long l) || key instanceof Double) {
      throw new ExpressionException("indices must be integers, not " + typeName(key));
    }
    long i = l < 0 ? l + size : l;
    if (i < 0 || i >= size) throw new ExpressionException("IndexError: index " + l + " out of range");
    return (int) i;
  }

  /** Python {@code target[from:to]} of a list or string; {@code null} bounds are open. */
  static Object slice(Object target, Object from, Object to) {
    int size = target instanceof List<?> l ? l.size() : target instanceof String s ? s.length() : -1;
    if (size < 0) throw new ExpressionException("'" + typeName(target) + "' object is not sliceable");
    int a = bound(from, 0, size);
    int b = Math.max(a, bound(to, size, size));
    return target instanceof List<?> l ? new ArrayList<>(l.subList(a, b)) : ((String) target).substring(a, b);
  }

  private static int bound(Object v, int dflt, int size) {
    if (v == null) return dflt;
    if (!(v instanceof Long l)) throw new ExpressionException("slice indices must be integers");
    long i = l < 0 ? l + size : l;
    return (int) Math.max(0, Math.min(size, i));
  }

  /** What {@code for x in o} walks: a list's items, a dict's keys, a string's characters. */
  static Iterable<?> iterate(Object o) {
    if (o instanceof List<?> l) return l;
    if (o instanceof Map<?, ?> m) return m.keySet();
    if (o instanceof String s) {
      List<String> chars = new ArrayList<>();
      for (int i = 0; i < s.length(); i++) chars.add(String.valueOf(s.charAt(i)));
      return chars;
    }
    throw new ExpressionException("'" + typeName(o) + "' object is not iterable");
  }

  /**
   * Python {@code s.split(sep, max)} ({@code sep} null: runs of whitespace) and {@code s.rsplit};
   * {@code max} -1 means no limit.
   */
  public static List<String> split(String s, String sep, long max, boolean fromRight) {
    List<String> out = new ArrayList<>();
    if (sep == null) {
      String t = s.strip();
      if (t.isEmpty()) return out;
      for (String part : fromRight || max < 0 ? t.split("\\s+") : t.split("\\s+", (int) max + 1)) out.add(part);
      return out;
    }
    if (sep.isEmpty()) throw new ExpressionException("empty separator");
    if (fromRight && max >= 0) {
      String rest = s;
      while (max-- > 0) {
        int at = rest.lastIndexOf(sep);
        if (at < 0) break;
        out.add(0, rest.substring(at + sep.length()));
        rest = rest.substring(0, at);
      }
      out.add(0, rest);
      return out;
    }
    int from = 0;
    long splits = 0;
    while (max < 0 || splits < max) {
      int at = s.indexOf(sep, from);
      if (at < 0) break;
      out.add(s.substring(from, at));
      from = at + sep.length();
      splits++;
    }
    out.add(s.substring(from));
    return out;
  }
}
