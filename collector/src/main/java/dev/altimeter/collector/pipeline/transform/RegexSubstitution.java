package dev.altimeter.collector.pipeline.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Python's {@code re.sub(pattern, repl, value)}: every non-overlapping match of a Python regular
 * expression replaced by a Python replacement template ({@code \1}, {@code \g<1>}, {@code \g<name>},
 * {@code \\}, {@code \n}). Named groups {@code (?P<n>…)} and {@code (?P=n)} are translated to Java's
 * syntax. Unmatched groups substitute the empty string (Python 3.5+). Immutable.
 */
final class RegexSubstitution {
  private final Pattern pattern;
  private final List<Object> template; // String literals and Integer/String group references

  RegexSubstitution(String pythonPattern, String replacement) {
    try {
      this.pattern = Pattern.compile(pythonPattern
          .replaceAll("\\(\\?P<", "(?<")
          .replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>"));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("is not a valid regular expression: " + e.getDescription());
    }
    this.template = parseTemplate(replacement, pattern.matcher("").groupCount());
  }

  private static List<Object> parseTemplate(String repl, int groups) {
    List<Object> parts = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int i = 0;
    while (i < repl.length()) {
      char c = repl.charAt(i++);
      if (c != '\\') {
        lit.append(c);
        continue;
      }
      if (i >= repl.length()) throw new IllegalArgumentException("bad escape (end of pattern) in replacement");
      char e = repl.charAt(i++);
      Object ref = null;
      if (Character.isDigit(e)) {
        int n = e - '0';
        if (i < repl.length() && Character.isDigit(repl.charAt(i))) n = n * 10 + (repl.charAt(i++) - '0');
        ref = n;
      } else if (e == 'g') {
        int close = repl.indexOf('>', i);
        if (i >= repl.length() || repl.charAt(i) != '<' || close < 0) {
          throw new IllegalArgumentException("missing group name in replacement");
        }
        String name = repl.substring(i + 1, close);
        i = close + 1;
        ref = name.chars().allMatch(Character::isDigit) && !name.isEmpty() ? (Object) Integer.parseInt(name) : name;
      } else {
        switch (e) {
          case '\\': lit.append('\\'); break;
          case 'n': lit.append('\n'); break;
          case 't': lit.append('\t'); break;
          case 'r': lit.append('\r'); break;
          default:
            if (Character.isLetter(e)) throw new IllegalArgumentException("bad escape \\" + e + " in replacement");
            lit.append('\\').append(e);
        }
      }
      if (ref != null) {
        if (ref instanceof Integer n && n > groups) {
          throw new IllegalArgumentException("invalid group reference " + n + " in replacement");
        }
        if (lit.length() > 0) {
          parts.add(lit.toString());
          lit.setLength(0);
        }
        parts.add(ref);
      }
    }
    if (lit.length() > 0) parts.add(lit.toString());
    return List.copyOf(parts);
  }

  String apply(String value) {
    Matcher m = pattern.matcher(value);
    if (!m.find()) return value;
    StringBuilder out = new StringBuilder();
    int last = 0;
    do {
      out.append(value, last, m.start());
      for (Object part : template) {
        if (part instanceof String s) {
          out.append(s);
        } else {
          String g = part instanceof Integer n ? m.group(n) : m.group((String) part);
          if (g != null) out.append(g);
        }
      }
      last = m.end();
      if (m.end() == m.start()) {
        if (m.end() < value.length()) out.append(value.charAt(m.end()));
        last = m.end() + 1;
        if (last > value.length() || !m.find(last)) break;
        continue;
      }
    } while (m.find());
    if (last < value.length()) out.append(value, last, value.length());
    return out.toString();
  }
}
