package dev.altimeter.promql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads scripts in the format of Prometheus' promql/testdata/*.test files (the subset used here):
 *
 * <pre>
 * load 5m
 *   metric{label="v"} 0+10x10 _ 3 NaN
 * eval instant at 50m query
 *   {label="v"} 100
 * eval range from 0 to 10m step 5m query
 *   {label="v"} 1 2 3
 * eval_fail instant at 0 query
 * clear
 * </pre>
 *
 * Sample times start at 0 ms. A line {@code metric 0+10x3} is 0 10 20 30; {@code _} skips a step;
 * {@code 1x3} is 1 1 1 1. Expected scalar answers are a bare number.
 */
final class PromqlTestScript {

  record Case(int line, String command, String query, long start, long end, long step, boolean fail,
      Map<Labels, double[]> expected, Double scalar, List<Series> data) {
    @Override
    public String toString() {
      return "line " + line + ": " + command;
    }
  }

  private static final Pattern SERIES = Pattern.compile("^(\\S*\\{[^}]*\\}|[a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(.*)$");
  private static final Pattern EVAL_INSTANT = Pattern.compile("^eval(_fail)? instant at (\\S+) (.+)$");
  private static final Pattern EVAL_RANGE = Pattern.compile("^eval(_fail)? range from (\\S+) to (\\S+) step (\\S+) (.+)$");

  private PromqlTestScript() {
  }

  static List<Case> parse(String script) {
    List<Case> cases = new ArrayList<>();
    List<Series> data = new ArrayList<>();
    String[] lines = script.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.equals("clear")) {
        data = new ArrayList<>();
      } else if (line.startsWith("load ")) {
        long interval = duration(line.substring(5).strip());
        while (i + 1 < lines.length && isIndented(lines[i + 1])) {
          data.add(series(lines[++i].strip(), interval));
        }
      } else if (line.startsWith("eval")) {
        Matcher in = EVAL_INSTANT.matcher(line);
        Matcher rg = EVAL_RANGE.matcher(line);
        boolean fail;
        String query;
        long start;
        long end;
        long step;
        if (in.matches()) {
          fail = in.group(1) != null;
          start = end = duration(in.group(2));
          step = 0;
          query = in.group(3);
        } else if (rg.matches()) {
          fail = rg.group(1) != null;
          start = duration(rg.group(2));
          end = duration(rg.group(3));
          step = duration(rg.group(4));
          query = rg.group(5);
        } else {
          throw new IllegalArgumentException("line " + (i + 1) + ": bad eval: " + line);
        }
        int at = i + 1;
        Map<Labels, double[]> expected = new LinkedHashMap<>();
        Double scalar = null;
        while (i + 1 < lines.length && isIndented(lines[i + 1])) {
          String e = lines[++i].strip();
          if (!e.startsWith("{") && !Character.isLetter(e.charAt(0)) || e.equalsIgnoreCase("nan")
              || e.equalsIgnoreCase("inf")) {
            scalar = number(e);
          } else {
            Series s = series(e, 1);
            expected.put(s.labels(), s.values());
          }
        }
        cases.add(new Case(at, line, query, start, end, step, fail, expected, scalar, List.copyOf(data)));
      } else {
        throw new IllegalArgumentException("line " + (i + 1) + ": unknown command: " + line);
      }
    }
    return cases;
  }

  private static boolean isIndented(String line) {
    return !line.isBlank() && Character.isWhitespace(line.charAt(0));
  }

  static long duration(String d) {
    if (d.equals("0")) {
      return 0;
    }
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(d);
    long ms = 0;
    int pos = 0;
    while (m.find() && m.start() == pos) {
      long n = Long.parseLong(m.group(1));
      ms += n * switch (m.group(2)) {
        case "ms" -> 1L;
        case "s" -> 1000L;
        case "m" -> 60_000L;
        case "h" -> 3_600_000L;
        default -> 86_400_000L;
      };
      pos = m.end();
    }
    if (pos != d.length()) {
      throw new IllegalArgumentException("bad duration " + d);
    }
    return ms;
  }

  /** A series line; values at 0, interval, 2 × interval, ... ("_" leaves a step out). */
  static Series series(String line, long interval) {
    Matcher m = SERIES.matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad series line: " + line);
    }
    Labels labels = labels(m.group(1));
    List<Long> ts = new ArrayList<>();
    List<Double> vs = new ArrayList<>();
    long step = 0;
    for (String tok : m.group(2).trim().split("\\s+")) {
      if (tok.isEmpty()) {
        continue;
      }
      Matcher x = Pattern.compile("^(-?[^+x-]+|_)(?:([+-])([^x]+))?x(\\d+)$").matcher(tok);
      if (x.matches()) {
        int n = Integer.parseInt(x.group(4));
        if (x.group(1).equals("_")) {
          step += n;
          continue;
        }
        double a = number(x.group(1));
        double b = x.group(3) == null ? 0 : number(x.group(3)) * (x.group(2).equals("-") ? -1 : 1);
        for (int k = 0; k <= n; k++) {
          ts.add(step++ * interval);
          vs.add(a + k * b);
        }
      } else if (tok.equals("_")) {
        step++;
      } else {
        ts.add(step++ * interval);
        vs.add(number(tok));
      }
    }
    return new Series(labels, ts.stream().mapToLong(Long::longValue).toArray(),
        vs.stream().mapToDouble(Double::doubleValue).toArray());
  }

  static double number(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "nan" -> Double.NaN;
      case "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  static Labels labels(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    int brace = text.indexOf('{');
    String name = brace < 0 ? text : text.substring(0, brace);
    if (!name.isEmpty()) {
      m.put(Labels.METRIC_NAME, name);
    }
    if (brace >= 0) {
      Matcher l = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
          .matcher(text.substring(brace));
      while (l.find()) {
        m.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
    }
    return Labels.of(m);
  }
}
