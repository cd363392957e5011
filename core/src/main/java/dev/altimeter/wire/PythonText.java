package dev.altimeter.wire;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Python 3's {@code str()} of JSON-shaped values: {@code None}, {@code True}, ints, float {@code
 * repr} (shortest round-trip digits, exponent form below 1e-4 and from 1e16), strings as-is, and
 * lists / dicts as their {@code repr}. Ceilometer feeds these to the signature HMAC, and its
 * definitions turn values into text with them, so both use this one rendering.
 */
public final class PythonText {
  private PythonText() {}

  /** Python {@code str(v)}. */
  public static String str(Object v) {
    if (v instanceof String s) return s;
    return repr(v);
  }

  /** Python {@code repr(v)}. */
  public static String repr(Object v) {
    if (v == null) return "None";
    if (v instanceof Boolean b) return b ? "True" : "False";
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      return floatRepr(((Number) v).doubleValue());
    }
    if (v instanceof Number n) return n.toString();
    if (v instanceof String s) return stringRepr(s);
    if (v instanceof List<?> l) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) b.append(", ");
        b.append(repr(l.get(i)));
      }
      return b.append(']').toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) b.append(", ");
        first = false;
        b.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
      }
      return b.append('}').toString();
    }
    return stringRepr(v.toString());
  }

  /** Python {@code repr(float)}. */
  public static String floatRepr(double d) {
    if (Double.isNaN(d)) return "nan";
    if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
    if (d == 0) return 1 / d < 0 ? "-0.0" : "0.0";
    BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = bd.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - bd.scale();
    String sign = d < 0 ? "-" : "";
    if (exp < -4 || exp >= 16) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String e = String.valueOf(Math.abs(exp));
      return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }
    if (exp < 0) return sign + "0." + "0".repeat(-exp - 1) + digits;
    if (digits.length() <= exp + 1) return sign + digits + "0".repeat(exp + 1 - digits.length()) + ".0";
    return sign + digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
  }

  private static String stringRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder b = new StringBuilder().append(quote);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == quote || c == '\\') b.append('\\').append(c);
      else if (c == '\n') b.append("\\n");
      else if (c == '\r') b.append("\\r");
      else if (c == '\t') b.append("\\t");
      else if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
      else b.append(c);
    }
    return b.append(quote).toString();
  }
}
