package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.python.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A compiled path in the dialect Ceilometer's definitions are written in: jsonpath-rw with the
 * jsonpath-rw-ext extensions, evaluated with their semantics so that operators' files mean what they
 * meant under Ceilometer.
 *
 * <p>Supported: {@code $}, {@code @}, fields (bare or quoted, {@code a,b}, {@code *}), {@code .},
 * {@code ..}, {@code |} (union: all matches of the left, then of the right), {@code where}, {@code
 * [n]}, {@code [*]} and {@code [a:b]} (a scalar or an object counts as a one-element list), filters
 * {@code [?(@.k = v)]} / {@code [?k=v]} with {@code & }, arithmetic {@code + - * /} between paths and
 * literals (a one-field path beside an operator is a string literal, as jsonpath-rw-ext decides),
 * and the named operators {@code `split(c, segment, max)`}, {@code `sub(/regex/, repl)`}, {@code
 * `len`} and {@code `this`}. Precedence is jsonpath-rw's: arithmetic lowest, then {@code ..},
 * {@code .}, {@code |}, {@code where}; brackets bind to the step before them.
 *
 * <p>This file holds the nodes a path compiles to; {@link JsonPathLexer} and {@link JsonPathParser}
 * read the text.
 *
 * <p>Evaluation never throws: where the Python library would raise on mismatched types (a field of a
 * string, {@code "a" + 1}), the expression simply matches nothing. Instances are immutable.
 */
abstract class JsonPath {

  /**
   * One match: the value found (possibly {@code null}) and where, as {@code payload.metrics.[0]}.
   * The path is rendered only when asked for (only the bitfield plugin does): a match otherwise
   * costs one small object per step. Not thread-safe; matches live within one evaluation.
   */
  static final class Match {
    private final Object value;
    private final Match parent;
    private final String step;
    private String path;

    Match(Object value, String path) {
      this(value, null, null);
      this.path = path;
    }

    private Match(Object value, Match parent, String step) {
      this.value = value;
      this.parent = parent;
      this.step = step;
    }

    Object value() {
      return value;
    }

    String path() {
      if (path == null) {
        String up = parent.path();
        path = up.isEmpty() ? step : up + "." + step;
      }
      return path;
    }

    Match child(Object v, String step) {
      return new Match(v, this, step);
    }
  }

  /** Thrown for text that is not a valid path; the message says where. */
  static final class ParseException extends Exception {
    ParseException(String message) {
      super(message);
    }
  }

  abstract List<Match> find(Match datum, Object root);

  /** All matches in {@code document}, in document order. */
  final List<Match> find(Object document) {
    return find(new Match(document, ""), document);
  }

  static JsonPath parse(String text) throws ParseException {
    JsonPathParser p = new JsonPathParser(new JsonPathLexer(text).tokens(), text);
    JsonPath path = p.parseAll();
    if (path instanceof Literal) throw new ParseException("a path is expected, not the number '" + text + "'");
    return path;
  }

  // ------------------------------------------------------------------ nodes

  static final class Root extends JsonPath {
    @Override
    List<Match> find(Match datum, Object root) {
      return List.of(new Match(root, ""));
    }
  }

  static final class This extends JsonPath {
    @Override
    List<Match> find(Match datum, Object root) {
      return List.of(datum);
    }
  }

  static final class Fields extends JsonPath {
    final List<String> names;

    Fields(List<String> names) {
      this.names = List.copyOf(names);
    }

    @Override
    List<Match> find(Match datum, Object root) {
      if (!(datum.value() instanceof Map<?, ?> map)) return List.of();
      if (names.size() == 1 && !names.get(0).equals("*")) {
        // the common case (payload.x): one lookup, no list to grow
        String name = names.get(0);
        Object v = map.get(name);
        return v != null || map.containsKey(name) ? List.of(datum.child(v, name)) : List.of();
      }
      List<Match> out = new ArrayList<>();
      for (String name : names) {
        if (name.equals("*")) {
          for (Map.Entry<?, ?> e : map.entrySet()) out.add(datum.child(e.getValue(), String.valueOf(e.getKey())));
        } else if (map.containsKey(name)) {
          out.add(datum.child(map.get(name), name));
        }
      }
      return out;
    }
  }

  static final class Index extends JsonPath {
    final int index;

    Index(int index) {
      this.index = index;
    }

    @Override
    List<Match> find(Match datum, Object root) {
      if (datum.value() instanceof List<?> list && index < list.size()) {
        return List.of(datum.child(list.get(index), "[" + index + "]"));
      }
      return List.of();
    }
  }

  static final class Slice extends JsonPath {
    final Integer start;
    final Integer end;

    Slice(Integer start, Integer end) {
      this.start = start;
      this.end = end;
    }

    @Override
    List<Match> find(Match datum, Object root) {
      Object v = datum.value();
      if (v == null) return List.of();
      // jsonpath-rw's "hack": anything but a list is treated as a list of itself
      List<?> list = v instanceof List<?> l ? l : List.of(v);
      int from = start == null ? 0 : Math.min(start, list.size());
      int to = end == null ? list.size() : Math.min(end, list.size());
      List<Match> out = new ArrayList<>();
      for (int i = from; i < to; i++) out.add(datum.child(list.get(i), "[" + i + "]"));
      return out;
    }
  }

  /** A node combining the matches of two paths ({@code .}, {@code |}, {@code where}, {@code ..}). */
  abstract static class Binary extends JsonPath {
    final JsonPath left;
    final JsonPath right;

    Binary(JsonPath left, JsonPath right) {
      this.left = left;
      this.right = right;
    }
  }

  static final class Child extends Binary {
    Child(JsonPath left, JsonPath right) {
      super(left, right);
    }

    @Override
    List<Match> find(Match datum, Object root) {
      List<Match> found = left.find(datum, root);
      if (found.size() == 1) return right.find(found.get(0), root);
      List<Match> out = new ArrayList<>();
      for (Match m : found) out.addAll(right.find(m, root));
      return out;
    }
  }

  static final class Union extends Binary {
    Union(JsonPath left, JsonPath right) {
      super(left, right);
    }

    @Override
    List<Match> find(Match datum, Object root) {
      List<Match> out = new ArrayList<>(left.find(datum, root));
      out.addAll(right.find(datum, root));
      return out;
    }
  }

  static final class Where extends Binary {
    Where(JsonPath left, JsonPath right) {
      super(left, right);
    }

    @Override
    List<Match> find(Match datum, Object root) {
      List<Match> out = new ArrayList<>();
      for (Match m : left.find(datum, root)) if (!right.find(m, root).isEmpty()) out.add(m);
      return out;
    }
  }

  static final class Descendants extends Binary {
    Descendants(JsonPath left, JsonPath right) {
      super(left, right);
    }

    @Override
    List<Match> find(Match datum, Object root) {
      List<Match> out = new ArrayList<>();
      for (Match m : left.find(datum, root)) recurse(m, root, out);
      return out;
    }

    private void recurse(Match m, Object root, List<Match> out) {
      out.addAll(right.find(m, root));
      if (m.value() instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) recurse(m.child(e.getValue(), String.valueOf(e.getKey())), root, out);
      } else if (m.value() instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) recurse(m.child(list.get(i), "[" + i + "]"), root, out);
      }
    }
  }

  /** {@code [?expr & expr]}: the list elements for which every expression matches. */
  static final class Filter extends JsonPath {
    final List<Condition> expressions;

    Filter(List<Condition> expressions) {
      this.expressions = List.copyOf(expressions);
    }

    @Override
    List<Match> find(Match datum, Object root) {
      if (!(datum.value() instanceof List<?> list)) return List.of();
      List<Match> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        Match element = new Match(list.get(i), "");
        boolean all = true;
        for (Condition e : expressions) all &= e.test(element, root);
        if (all) out.add(datum.child(list.get(i), "[" + i + "]"));
      }
      return out;
    }
  }

  /** A filter condition: the target matches, and when an operator is given one match compares true. */
  record Condition(JsonPath target, String op, Object value) {
    boolean test(Match element, Object root) {
      List<Match> found = target.find(element, root);
      if (found.isEmpty()) return false;
      if (op == null) return true;
      for (Match m : found) {
        Object v = m.value();
        if (value instanceof Long) {
          // Python: int(value); values that do not convert are skipped
          v = Values.intOrNull(v);
          if (v == null) continue;
        }
        if (Values.compare(v, op, value)) return true;
      }
      return false;
    }
  }

  /** {@code `split(c, segment, max_split)`}: Python's {@code str.split(c, max_split)[segment]}. */
  static final class Split extends JsonPath {
    static final Pattern SYNTAX = Pattern.compile("split\\((.),\\s+(\\d+),\\s+(\\d+|-1)\\)");
    final String separator;
    final int segment;
    final int maxSplit;

    Split(String separator, int segment, int maxSplit) {
      this.separator = separator;
      this.segment = segment;
      this.maxSplit = maxSplit;
    }

    @Override
    List<Match> find(Match datum, Object root) {
      if (!(datum.value() instanceof String s)) return List.of();
      List<String> parts = Values.split(s, separator, maxSplit, false);
      if (segment >= parts.size()) return List.of();
      return List.of(new Match(parts.get(segment), datum.path()));
    }
  }

  /** {@code `sub(/regex/, repl)`}: Python's {@code re.sub(regex, repl, value)}. */
  static final class Sub extends JsonPath {
    static final Pattern SYNTAX = Pattern.compile("sub\\(/(.*)/,\\s+(.*)\\)");
    final Pattern regex;
    final String replacement;

    Sub(Pattern regex, String pythonReplacement) {
      this.regex = regex;
      // Python's \1 back references become Java's $1; everything else is literal
      StringBuilder r = new StringBuilder();
      for (int i = 0; i < pythonReplacement.length(); i++) {
        char c = pythonReplacement.charAt(i);
        if (c == '\\' && i + 1 < pythonReplacement.length() && Character.isDigit(pythonReplacement.charAt(i + 1))) {
          r.append('$').append(pythonReplacement.charAt(++i));
        } else if (c == '$' || c == '\\') {
          r.append('\\').append(c);
        } else {
          r.append(c);
        }
      }
      this.replacement = r.toString();
    }

    @Override
    List<Match> find(Match datum, Object root) {
      if (!(datum.value() instanceof String s)) return List.of();
      return List.of(new Match(regex.matcher(s).replaceAll(replacement), datum.path()));
    }
  }

  /** {@code `len`}: the length of a list, object or string. */
  static final class Len extends JsonPath {
    @Override
    List<Match> find(Match datum, Object root) {
      Object v = datum.value();
      if (v instanceof List<?> l) return List.of(new Match((long) l.size(), datum.path()));
      if (v instanceof Map<?, ?> m) return List.of(new Match((long) m.size(), datum.path()));
      if (v instanceof String s) return List.of(new Match((long) s.codePointCount(0, s.length()), datum.path()));
      return List.of();
    }
  }

  /** A number written in the path; only meaningful as an operand of arithmetic. */
  static final class Literal extends JsonPath {
    final Object value;

    Literal(Object value) {
      this.value = value;
    }

    @Override
    List<Match> find(Match datum, Object root) {
      return List.of(new Match(value, ""));
    }
  }

  /**
   * jsonpath-rw-ext arithmetic. Operands are paths or constants; path against path pairs the
   * matches when both sides have the same number of them, otherwise nothing matches.
   */
  static final class Operation extends JsonPath {
    final Object left;
    final String op;
    final Object right;

    Operation(Object left, String op, Object right) {
      this.left = left;
      this.op = op;
      this.right = right;
    }

    @Override
    List<Match> find(Match datum, Object root) {
      List<Object> results = new ArrayList<>();
      if (left instanceof JsonPath l && right instanceof JsonPath r) {
        List<Match> ls = l.find(datum, root);
        List<Match> rs = r.find(datum, root);
        if (ls.isEmpty() || ls.size() != rs.size()) return List.of();
        for (int i = 0; i < ls.size(); i++) {
          Object v = Values.arithmetic(ls.get(i).value(), op, rs.get(i).value());
          if (v == null) return List.of();
          results.add(v);
        }
      } else if (left instanceof JsonPath l) {
        for (Match m : l.find(datum, root)) {
          Object v = Values.arithmetic(m.value(), op, right);
          if (v == null) return List.of();
          results.add(v);
        }
      } else if (right instanceof JsonPath r) {
        for (Match m : r.find(datum, root)) {
          Object v = Values.arithmetic(left, op, m.value());
          if (v == null) return List.of();
          results.add(v);
        }
      } else {
        Object v = Values.arithmetic(left, op, right);
        if (v == null) return List.of();
        results.add(v);
      }
      List<Match> out = new ArrayList<>(results.size());
      for (Object v : results) out.add(new Match(v, ""));
      return out;
    }
  }
}
