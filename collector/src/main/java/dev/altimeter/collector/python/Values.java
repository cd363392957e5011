package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.python.PythonText;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The few Python value rules Ceilometer's definitions depend on, for JSON values (maps, lists,
 * strings, numbers, booleans, {@code null}): truthiness, {@code int()}, {@code float()}, {@code
 * str()}, {@code str.split}, comparisons and arithmetic. Where Python raises, these return {@code
 * null} (or {@code false}) and the caller decides.
 */
final class PyValues {
  private PyValues() {}

  /** Python truthiness: {@code None}, {@code False}, zero, and empty strings and containers are false. */
  static boolean truthy(Object v) {
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    if (v instanceof Number n) return n.doubleValue() != 0;
    if (v instanceof String s) return !s.isEmpty();
    if (v instanceof Collection<?> c) return !c.isEmpty();
    if (v instanceof Map<?, ?> m) return !m.isEmpty();
    return true;
  }

  static boolean isIntegral(Object v) {
    return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger;
  }

  /** Python {@code int(v)} as a Long, or {@code null} where Python raises. */
  static Long toInt(Object v) {
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
  static Double toFloat(Object v) {
    if (v instanceof Boolean b) return b ? 1.0 : 0.0;
    if (v instanceof Number n) return n.doubleValue();
    if (v instanceof String s) {
      String t = s.strip();
      String lower = t.toLowerCase(java.util.Locale.ROOT);
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

  /** Python {@code str(v)}: strings as they are, {@code True}, {@code None}, reprs for containers. */
  static String str(Object v) {
    return PythonText.str(v);
  }

  /** Python {@code s.split(sep, maxSplit)}; {@code maxSplit} -1 means no limit. */
  static List<String> split(String s, String sep, int maxSplit) {
    List<String> out = new ArrayList<>();
    int from = 0;
    while (maxSplit < 0 || out.size() < maxSplit) {
      int at = s.indexOf(sep, from);
      if (at < 0) break;
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  /** Python comparison {@code a op b}; {@code false} where Python would raise. */
  static boolean compare(Object a, String op, Object b) {
    boolean numbers = isNumber(a) && isNumber(b);
    if (op.equals("=") || op.equals("==")) return equal(a, b, numbers);
    if (op.equals("!=")) return !equal(a, b, numbers);
    int c;
    if (numbers) {
      c = Double.compare(number(a), number(b));
    } else if (a instanceof String x && b instanceof String y) {
      c = x.compareTo(y);
    } else {
      return false;
    }
    return switch (op) {
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      default -> false;
    };
  }

  private static boolean equal(Object a, Object b, boolean numbers) {
    if (numbers) return number(a) == number(b);
    return a == null ? b == null : a.equals(b);
  }

  private static boolean isNumber(Object v) {
    return v instanceof Number || v instanceof Boolean;
  }

  private static double number(Object v) {
    return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
  }

  /** Python {@code a op b} for + - * /; {@code null} where Python raises. */
  static Object arithmetic(Object a, String op, Object b) {
    if (isNumber(a) && isNumber(b)) {
      boolean integral = (isIntegral(a) || a instanceof Boolean) && (isIntegral(b) || b instanceof Boolean);
      if (integral && !op.equals("/")) {
        long x = toInt(a), y = toInt(b);
        try {
          return switch (op) {
            case "+" -> Math.addExact(x, y);
            case "-" -> Math.subtractExact(x, y);
            default -> Math.multiplyExact(x, y);
          };
        } catch (ArithmeticException overflow) {
          // Python ints do not overflow; a double keeps the magnitude
        }
      }
      double x = number(a), y = number(b);
      return switch (op) {
        case "+" -> x + y;
        case "-" -> x - y;
        case "*" -> x * y;
        default -> y == 0 ? null : x / y;
      };
    }
    if (op.equals("+")) {
      if (a instanceof String x && b instanceof String y) return x + y;
      if (a instanceof List<?> x && b instanceof List<?> y) {
        List<Object> out = new ArrayList<>(x);
        out.addAll(y);
        return out;
      }
    }
    if (op.equals("*")) {
      if (a instanceof String s && isIntegral(b)) return s.repeat((int) Math.max(0, toInt(b)));
      if (b instanceof String s && isIntegral(a)) return s.repeat((int) Math.max(0, toInt(a)));
    }
    return null;
  }
}
