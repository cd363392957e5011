package dev.altimeter.collector.polling.prometheus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of the Prometheus text exposition format 0.0.4 and of OpenMetrics 1.0 text.
 *
 * <p>Handles {@code # HELP} (escapes {@code \\}, {@code \n}, and {@code \"} in OpenMetrics),
 * {@code # TYPE}, {@code # UNIT}, {@code # EOF}, label values with escapes {@code \\ \" \n},
 * trailing commas in label sets, {@code +Inf}/{@code -Inf}/{@code NaN} values, timestamps
 * (milliseconds in 0.0.4, seconds in OpenMetrics; both returned in milliseconds) and OpenMetrics
 * exemplars (skipped). Samples are grouped into the family their {@code # TYPE} declares, including
 * the suffixed samples ({@code _total}, {@code _bucket}, {@code _sum}, {@code _count},
 * {@code _created}, {@code _gsum}, {@code _gcount}, {@code _info}); a sample of no declared family
 * makes an {@code untyped} family of its own. Stateless; thread-safe.
 */
final class Exposition {

  /** A metric family in exposition order. {@code type} is lower case: counter, gauge, histogram, summary, untyped, ... */
  record Family(String name, String type, String help, String unit, List<Point> points) {}

  /**
   * One sample line.
   *
   * @param labels in exposition order
   * @param timestampMillis {@code null} when the line has none
   */
  record Point(String name, Map<String, String> labels, double value, Long timestampMillis) {}

  /** A line that breaks the format; the message names the line number. */
  static final class ParseException extends RuntimeException {
    ParseException(int line, String message) {
      super("line " + line + ": " + message);
    }
  }

  private Exposition() {}

  static List<Family> parse(String text, boolean openMetrics) {
    Map<String, MutableFamily> families = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = lines[i];
      if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
      if (line.isBlank()) continue;
      if (line.startsWith("#")) {
        if (line.equals("# EOF")) break;
        comment(line, lineNo, openMetrics, families);
        continue;
      }
      Point p = new LineReader(line, lineNo, openMetrics).point();
      familyOf(p.name(), families).points.add(p);
    }
    List<Family> out = new ArrayList<>(families.size());
    for (MutableFamily f : families.values()) {
      out.add(new Family(f.name, f.type, f.help, f.unit, Collections.unmodifiableList(f.points)));
    }
    return out;
  }

  private static void comment(String line, int lineNo, boolean openMetrics, Map<String, MutableFamily> families) {
    String[] parts = line.substring(1).stripLeading().split("[ \t]+", 3);
    if (parts.length < 2) return;
    String keyword = parts[0];
    if (!keyword.equals("HELP") && !keyword.equals("TYPE") && !keyword.equals("UNIT")) return; // plain comment
    String name = parts[1];
    String rest = parts.length > 2 ? parts[2] : "";
    MutableFamily f = families.computeIfAbsent(name, MutableFamily::new);
    switch (keyword) {
      case "HELP" -> f.help = unescapeHelp(rest, openMetrics);
      case "UNIT" -> f.unit = rest.strip();
      default -> {
        String type = rest.strip().toLowerCase(java.util.Locale.ROOT);
        if (type.isEmpty()) throw new ParseException(lineNo, "TYPE without a type");
        f.type = type.equals("unknown") ? "untyped" : type;
      }
    }
  }

  private static final String[] SUFFIXES = {"_total", "_bucket", "_sum", "_count", "_created", "_gsum", "_gcount", "_info"};

  private static MutableFamily familyOf(String sampleName, Map<String, MutableFamily> families) {
    MutableFamily exact = families.get(sampleName);
    if (exact != null && exact.type != null) return exact;
    for (String suffix : SUFFIXES) {
      if (sampleName.endsWith(suffix)) {
        MutableFamily f = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
        if (f != null && f.type != null && accepts(f.type, suffix)) return f;
      }
    }
    if (exact != null) {
      exact.type = "untyped";
      return exact;
    }
    MutableFamily f = new MutableFamily(sampleName);
    f.type = "untyped";
    families.put(sampleName, f);
    return f;
  }

  private static boolean accepts(String type, String suffix) {
    return switch (type) {
      case "counter" -> suffix.equals("_total") || suffix.equals("_created");
      case "histogram" -> suffix.equals("_bucket") || suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
      case "gaugehistogram" -> suffix.equals("_bucket") || suffix.equals("_gsum") || suffix.equals("_gcount");
      case "summary" -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
      case "info" -> suffix.equals("_info");
      default -> false;
    };
  }

  static String unescapeHelp(String s, boolean openMetrics) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(i + 1);
        if (n == '\\') { b.append('\\'); i++; continue; }
        if (n == 'n') { b.append('\n'); i++; continue; }
        if (n == '"' && openMetrics) { b.append('"'); i++; continue; }
      }
      b.append(c);
    }
    return b.toString();
  }

  /** Parses a Go-style float: decimal and exponent forms, {@code [+-]Inf}, {@code NaN}. */
  static double parseValue(String s) {
    switch (s) {
      case "+Inf", "Inf", "+inf", "inf" -> { return Double.POSITIVE_INFINITY; }
      case "-Inf", "-inf" -> { return Double.NEGATIVE_INFINITY; }
      case "NaN", "nan" -> { return Double.NaN; }
      default -> { }
    }
    if (s.isEmpty() || !s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E'
        || c == '+' || c == '-' || c == '_')) {
      throw new NumberFormatException("not a number: " + s);
    }
    return Double.parseDouble(s.replace("_", ""));
  }

  private static final class MutableFamily {
    final String name;
    String type;
    String help = "";
    String unit = "";
    final List<Point> points = new ArrayList<>();

    MutableFamily(String name) {
      this.name = name;
    }
  }

  /** A cursor over one sample line. */
  private static final class LineReader {
    final String s;
    final int lineNo;
    final boolean openMetrics;
    int i;

    LineReader(String s, int lineNo, boolean openMetrics) {
      this.s = s;
      this.lineNo = lineNo;
      this.openMetrics = openMetrics;
    }

    Point point() {
      skipBlanks();
      String name = name(true);
      if (name.isEmpty()) throw fail("expected a metric name");
      Map<String, String> labels = new LinkedHashMap<>();
      int afterName = i;
      skipBlanks();
      if (i < s.length() && s.charAt(i) == '{') {
        i++;
        labels(labels);
      } else {
        i = afterName;
      }
      if (i >= s.length() || (s.charAt(i) != ' ' && s.charAt(i) != '\t')) throw fail("expected a blank before the value");
      skipBlanks();
      String valueText = token();
      double value;
      try {
        value = parseValue(valueText);
      } catch (NumberFormatException e) {
        throw fail("bad value '" + valueText + "'");
      }
      skipBlanks();
      Long ts = null;
      if (i < s.length() && s.charAt(i) != '#') {
        String t = token();
        try {
          ts = openMetrics ? Math.round(parseValue(t) * 1000) : Long.parseLong(t);
        } catch (NumberFormatException e) {
          throw fail("bad timestamp '" + t + "'");
        }
        skipBlanks();
      }
      if (i < s.length() && !(openMetrics && s.charAt(i) == '#')) throw fail("unexpected text after the value");
      return new Point(name, Collections.unmodifiableMap(labels), value, ts);
    }

    private void labels(Map<String, String> labels) {
      while (true) {
        skipBlanks();
        if (i >= s.length()) throw fail("unterminated label set");
        if (s.charAt(i) == '}') { i++; return; }
        String label = name(false);
        if (label.isEmpty()) throw fail("expected a label name");
        skipBlanks();
        expect('=');
        skipBlanks();
        expect('"');
        StringBuilder v = new StringBuilder();
        while (true) {
          if (i >= s.length()) throw fail("unterminated label value of " + label);
          char c = s.charAt(i++);
          if (c == '"') break;
          if (c == '\\') {
            if (i >= s.length()) throw fail("dangling escape in label value of " + label);
            char n = s.charAt(i++);
            switch (n) {
              case '\\' -> v.append('\\');
              case '"' -> v.append('"');
              case 'n' -> v.append('\n');
              default -> v.append('\\').append(n);
            }
          } else {
            v.append(c);
          }
        }
        if (labels.put(label, v.toString()) != null) throw fail("duplicated label " + label);
        skipBlanks();
        if (i < s.length() && s.charAt(i) == ',') { i++; continue; }
        skipBlanks();
        if (i < s.length() && s.charAt(i) == '}') { i++; return; }
        throw fail("expected ',' or '}' in the label set");
      }
    }

    private String name(boolean metric) {
      int start = i;
      while (i < s.length()) {
        char c = s.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
            || (i > start && c >= '0' && c <= '9') || (metric && c == ':');
        if (!ok) break;
        i++;
      }
      return s.substring(start, i);
    }

    private String token() {
      int start = i;
      while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') i++;
      return s.substring(start, i);
    }

    private void expect(char c) {
      if (i >= s.length() || s.charAt(i) != c) throw fail("expected '" + c + "'");
      i++;
    }

    private void skipBlanks() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
    }

    private ParseException fail(String message) {
      return new ParseException(lineNo, message + " in: " + s);
    }
  }
}
