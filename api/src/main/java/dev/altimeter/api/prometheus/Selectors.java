package dev.altimeter.api.prometheus;

import dev.altimeter.promql.LabelMatcher;
import dev.altimeter.promql.Labels;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a series selector as the {@code match[]} parameter takes it: {@code name{label op
 * "value", ...}}, either part optional, strings in double, single or back quotes with Go's escapes.
 * As in Prometheus, at least one matcher must not match the empty string. Errors are bad_data.
 *
 * <p>Only selectors: queries go to the engine's parser. (Replace with the engine's selector parser
 * once the promql module exposes one.) Not thread-safe; one per input.
 */
final class Selectors {
  private final String in;
  private int pos;

  private Selectors(String in) {
    this.in = in;
  }

  static List<LabelMatcher> parse(String selector) {
    Selectors p = new Selectors(selector);
    List<LabelMatcher> out = p.selector();
    if (out.stream().allMatch(m -> m.matches(""))) {
      throw p.error("vector selector must contain at least one non-empty matcher");
    }
    for (LabelMatcher m : out) m.matcher(); // a bad regular expression is bad_data here
    return out;
  }

  private List<LabelMatcher> selector() {
    List<LabelMatcher> out = new ArrayList<>();
    space();
    String name = identifier(true);
    if (name != null) out.add(new LabelMatcher(Labels.METRIC_NAME, LabelMatcher.Type.EQ, name));
    space();
    if (peek() == '{') {
      pos++;
      space();
      while (peek() != '}') {
        String label = identifier(false);
        if (label == null) throw error("unexpected character in label matchers, expected a label name");
        space();
        LabelMatcher.Type type = operator();
        space();
        String value = string();
        if (name != null && label.equals(Labels.METRIC_NAME)) throw error("metric name must not be set twice");
        out.add(new LabelMatcher(label, type, value));
        space();
        if (peek() == ',') {
          pos++;
          space();
        } else if (peek() != '}') {
          throw error("unexpected character in label matchers, expected \",\" or \"}\"");
        }
      }
      pos++;
      space();
    }
    if (pos < in.length()) throw error("unexpected character " + quote(in.charAt(pos)) + " after the selector");
    if (out.isEmpty()) throw error("no expression found in input");
    return out;
  }

  private LabelMatcher.Type operator() {
    if (in.startsWith("=~", pos)) return advance(2, LabelMatcher.Type.RE);
    if (in.startsWith("!~", pos)) return advance(2, LabelMatcher.Type.NRE);
    if (in.startsWith("!=", pos)) return advance(2, LabelMatcher.Type.NEQ);
    if (in.startsWith("=", pos)) return advance(1, LabelMatcher.Type.EQ);
    throw error("expected a label matching operator (=, !=, =~, !~)");
  }

  private <T> T advance(int n, T value) {
    pos += n;
    return value;
  }

  /** A metric name ({@code :} allowed) or label name, or null when none starts here. */
  private String identifier(boolean metric) {
    int start = pos;
    while (pos < in.length()) {
      char c = in.charAt(pos);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || (metric && c == ':')
          || (pos > start && c >= '0' && c <= '9');
      if (!ok) break;
      pos++;
    }
    return pos == start ? null : in.substring(start, pos);
  }

  private String string() {
    char q = peek();
    if (q != '"' && q != '\'' && q != '`') throw error("expected a quoted string");
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= in.length()) throw error("unterminated quoted string");
      char c = in.charAt(pos++);
      if (c == q) return b.toString();
      if (c != '\\' || q == '`') {
        if (c == '\n' && q != '`') throw error("unterminated quoted string");
        b.append(c);
        continue;
      }
      if (pos >= in.length()) throw error("unterminated quoted string");
      char e = in.charAt(pos++);
      switch (e) {
        case 'a' -> b.append('\u0007');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'v' -> b.append('\u000b');
        case '\\' -> b.append('\\');
        case '"', '\'' -> {
          if (e != q) throw error("unknown escape sequence \\" + e);
          b.append(e);
        }
        case 'x' -> b.append((char) hex(2));
        case 'u' -> b.appendCodePoint(codePoint(hex(4)));
        case 'U' -> b.appendCodePoint(codePoint(hex(8)));
        default -> {
          if (e >= '0' && e <= '7') {
            pos--;
            int v = 0;
            for (int i = 0; i < 3; i++) {
              char d = pos < in.length() ? in.charAt(pos++) : 'x';
              if (d < '0' || d > '7') throw error("invalid octal escape");
              v = v * 8 + (d - '0');
            }
            if (v > 255) throw error("octal escape value > 255");
            b.append((char) v);
          } else {
            throw error("unknown escape sequence \\" + e);
          }
        }
      }
    }
  }

  private int codePoint(int v) {
    if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) throw error("invalid Unicode code point in escape");
    return v;
  }

  private int hex(int digits) {
    if (pos + digits > in.length()) throw error("truncated escape sequence");
    long v = 0;
    for (int i = 0; i < digits; i++) {
      int d = Character.digit(in.charAt(pos++), 16);
      if (d < 0) throw error("invalid hexadecimal escape");
      v = v * 16 + d;
    }
    return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
  }

  private char peek() {
    return pos < in.length() ? in.charAt(pos) : '\0';
  }

  private void space() {
    while (pos < in.length() && Character.isWhitespace(in.charAt(pos))) pos++;
  }

  private static String quote(char c) {
    return "\"" + c + "\"";
  }

  private PrometheusError error(String message) {
    return PrometheusError.badData("1:" + (pos + 1) + ": parse error: " + message);
  }
}
