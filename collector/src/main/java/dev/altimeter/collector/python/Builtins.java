package dev.altimeter.collector.polling.dynamic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A small, safe evaluator of the Python expressions Ceilometer's dynamic pollsters allow after a
 * {@code |} in an attribute (spec §5.3): {@code value / 1024}, {@code value.split('$')[0].strip()},
 * {@code value['x'] if 'x' in value else 0},
 * {@code [l['href'] for l in value if l['rel'] == 'next']}, {@code value[0] if value else None}.
 *
 * <p>It is not a scripting engine: there is no assignment, import, attribute access other than a
 * fixed list of string/dict methods, and no call other than a fixed list of pure builtins
 * ({@code int float str len abs round min max bool sum}). Values are Python-like: {@code null}
 * (None), Boolean, Long (int), Double (float), String, List, Map. Supported syntax: literals
 * (numbers, quoted strings, None/True/False, lists), the name {@code value}, subscripts and slices,
 * arithmetic {@code + - * / // %}, comparisons (chained), {@code in}/{@code not in},
 * {@code is None}, {@code and or not}, conditional expressions and list comprehensions with
 * {@code if}. Compiled once; evaluation is pure and thread-safe.
 */
final class Expression {

  /** A definition error (syntax, unknown name or function); found when the pollster is loaded. */
  static final class SyntaxError extends IllegalArgumentException {
    SyntaxError(String message) {
      super(message);
    }
  }

  /** An error while evaluating (missing key, wrong type): the pollster's cycle fails. */
  static final class EvaluationError extends RuntimeException {
    EvaluationError(String message) {
      super(message);
    }
  }

  private final String source;
  private final Node root;

  private Expression(String source, Node root) {
    this.source = source;
    this.root = root;
  }

  /** Compiles {@code text}; it must mention {@code value}, as Ceilometer requires. */
  static Expression compile(String text) {
    Parser p = new Parser(text);
    Node n = p.parse();
    if (!p.sawValue) throw new SyntaxError("operation '" + text.strip() + "' must use 'value'");
    return new Expression(text.strip(), n);
  }

  Object evaluate(Object value) {
    return root.eval(new Scope(null, "value", value));
  }

  @Override
  public String toString() {
    return source;
  }

  // ---------------------------------------------------------------- evaluation model

  private record Scope(Scope parent, String name, Object value) {
    Object lookup(String n) {
      for (Scope s = this; s != null; s = s.parent) if (s.name.equals(n)) return s.value;
      throw new EvaluationError("unknown name " + n);
    }
  }

  private interface Node {
    Object eval(Scope scope);
  }

  static boolean truthy(Object o) {
    if (o == null) return false;
    if (o instanceof Boolean b) return b;
    if (o instanceof Long l) return l != 0;
    if (o instanceof Double d) return d != 0;
    if (o instanceof String s) return !s.isEmpty();
    if (o instanceof Collection<?> c) return !c.isEmpty();
    if (o instanceof Map<?, ?> m) return !m.isEmpty();
    return true;
  }

  /** Normalises JSON numbers to Long or Double. */
  static Object normalise(Object o) {
    if (o instanceof Integer || o instanceof Short || o instanceof Byte) return ((Number) o).longValue();
    if (o instanceof java.math.BigInteger b) return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
    if (o instanceof Float || o instanceof java.math.BigDecimal) return ((Number) o).doubleValue();
    return o;
  }

  static String typeName(Object o) {
    if (o == null) return "NoneType";
    if (o instanceof Boolean) return "bool";
    if (o instanceof Long) return "int";
    if (o instanceof Double) return "float";
    if (o instanceof String) return "str";
    if (o instanceof List<?>) return "list";
    if (o instanceof Map<?, ?>) return "dict";
    return o.getClass().getSimpleName();
  }

  /** Python's str(). */
  static String str(Object o) {
    if (o == null) return "None";
    if (o instanceof Boolean b) return b ? "True" : "False";
    if (o instanceof Double d) {
      if (d.isNaN()) return "nan";
      if (d.isInfinite()) return d > 0 ? "inf" : "-inf";
      if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format(Locale.ROOT, "%.1f", d);
      return Double.toString(d);
    }
    if (o instanceof String s) return s;
    if (o instanceof List<?> l) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < l.size(); i++) b.append(i == 0 ? "" : ", ").append(repr(l.get(i)));
      return b.append(']').toString();
    }
    if (o instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(i++ == 0 ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
      }
      return b.append('}').toString();
    }
    return String.valueOf(o);
  }

  private static String repr(Object o) {
    return o instanceof String s ? "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'" : str(o);
  }

  private static boolean isNumber(Object o) {
    return o instanceof Long || o instanceof Double || o instanceof Boolean;
  }

  private static double asDouble(Object o) {
    if (o instanceof Boolean b) return b ? 1 : 0;
    return ((Number) o).doubleValue();
  }

  private static long asLong(Object o) {
    if (o instanceof Boolean b) return b ? 1 : 0;
    return (Long) o;
  }

  private static boolean integral(Object o) {
    return o instanceof Long || o instanceof Boolean;
  }

  static boolean equal(Object a, Object b) {
    a = normalise(a);
    b = normalise(b);
    if (isNumber(a) && isNumber(b)) return asDouble(a) == asDouble(b);
    if (a instanceof List<?> la && b instanceof List<?> lb) {
      if (la.size() != lb.size()) return false;
      for (int i = 0; i < la.size(); i++) if (!equal(la.get(i), lb.get(i))) return false;
      return true;
    }
    return Objects.equals(a, b);
  }

  private static int compare(Object a, Object b, String op) {
    if (isNumber(a) && isNumber(b)) return Double.compare(asDouble(a), asDouble(b));
    if (a instanceof String sa && b instanceof String sb) return sa.compareTo(sb);
    throw new EvaluationError("'" + op + "' not supported between " + typeName(a) + " and " + typeName(b));
  }

  private static Object arithmetic(String op, Object a, Object b) {
    a = normalise(a);
    b = normalise(b);
    if (op.equals("+")) {
      if (a instanceof String sa && b instanceof String sb) return sa + sb;
      if (a instanceof List<?> la && b instanceof List<?> lb) {
        List<Object> out = new ArrayList<>(la);
        out.addAll(lb);
        return out;
      }
    }
    if (op.equals("%") && a instanceof String) throw new EvaluationError("string formatting is not supported");
    if (!isNumber(a) || !isNumber(b)) {
      throw new EvaluationError("unsupported operand types for " + op + ": " + typeName(a) + " and " + typeName(b));
    }
    boolean ints = integral(a) && integral(b);
    switch (op) {
      case "+": return ints ? (Object) (asLong(a) + asLong(b)) : (Object) (asDouble(a) + asDouble(b));
      case "-": return ints ? (Object) (asLong(a) - asLong(b)) : (Object) (asDouble(a) - asDouble(b));
      case "*": return ints ? (Object) (asLong(a) * asLong(b)) : (Object) (asDouble(a) * asDouble(b));
      case "/":
        if (asDouble(b) == 0) throw new EvaluationError("division by zero");
        return asDouble(a) / asDouble(b);
      case "//":
        if (asDouble(b) == 0) throw new EvaluationError("division by zero");
        return ints ? (Object) Math.floorDiv(asLong(a), asLong(b)) : (Object) Math.floor(asDouble(a) / asDouble(b));
      case "%":
        if (asDouble(b) == 0) throw new EvaluationError("modulo by zero");
        if (ints) return Math.floorMod(asLong(a), asLong(b));
        double r = asDouble(a) % asDouble(b);
        return (r != 0 && (r < 0) != (asDouble(b) < 0)) ? r + asDouble(b) : r;
      default: throw new EvaluationError("unknown operator " + op);
    }
  }

  private static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (!(item instanceof String i)) throw new EvaluationError("'in <string>' requires string as left operand");
      return s.contains(i);
    }
    if (container instanceof Map<?, ?> m) return m.containsKey(item instanceof String ? item : str(item)) || m.containsKey(item);
    if (container instanceof List<?> l) {
      for (Object o : l) if (equal(o, item)) return true;
      return false;
    }
    throw new EvaluationError("argument of type '" + typeName(container) + "' is not iterable");
  }

  private static Object subscript(Object target, Object key) {
    target = normalise(target);
    key = normalise(key);
    if (target instanceof Map<?, ?> m) {
      if (!m.containsKey(key)) throw new EvaluationError("KeyError: " + repr(key));
      return normalise(m.get(key));
    }
    if (target instanceof List<?> l) {
      int i = index(key, l.size());
      return normalise(l.get(i));
    }
    if (target instanceof String s) {
      int i = index(key, s.length());
      return String.valueOf(s.charAt(i));
    }
    throw new EvaluationError("'" + typeName(target) + "' object is not subscriptable");
  }

  private static int index(Object key, int size) {
    if (!(key instanceof Long l)) throw new EvaluationError("indices must be integers, not " + typeName(key));
    long i = l < 0 ? l + size : l;
    if (i < 0 || i >= size) throw new EvaluationError("IndexError: index " + l + " out of range");
    return (int) i;
  }

  private static Object slice(Object target, Object from, Object to) {
    int size = target instanceof List<?> l ? l.size() : target instanceof String s ? s.length() : -1;
    if (size < 0) throw new EvaluationError("'" + typeName(target) + "' object is not sliceable");
    int a = bound(from, 0, size);
    int b = Math.max(a, bound(to, size, size));
    return target instanceof List<?> l ? new ArrayList<>(l.subList(a, b)) : ((String) target).substring(a, b);
  }

  private static int bound(Object v, int dflt, int size) {
    if (v == null) return dflt;
    if (!(v instanceof Long l)) throw new EvaluationError("slice indices must be integers");
    long i = l < 0 ? l + size : l;
    return (int) Math.max(0, Math.min(size, i));
  }

  private static Iterable<?> iterate(Object o) {
    if (o instanceof List<?> l) return l;
    if (o instanceof Map<?, ?> m) return m.keySet();
    if (o instanceof String s) {
      List<String> chars = new ArrayList<>();
      for (int i = 0; i < s.length(); i++) chars.add(String.valueOf(s.charAt(i)));
      return chars;
    }
    throw new EvaluationError("'" + typeName(o) + "' object is not iterable");
  }

  private static final Set<String> BUILTINS = Set.of("int", "float", "str", "len", "abs", "round", "min", "max", "bool", "sum");
  private static final Set<String> METHODS = Set.of("split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper",
      "replace", "startswith", "endswith", "join", "get", "keys", "values");

  private static Object builtin(String name, List<Object> args) {
    switch (name) {
      case "int": {
        Object a = one(name, args);
        if (a instanceof String s) {
          try {
            return Long.parseLong(s.strip());
          } catch (NumberFormatException e) {
            throw new EvaluationError("invalid literal for int(): " + repr(s));
          }
        }
        if (isNumber(a)) return integral(a) ? (Object) asLong(a) : (Object) (long) asDouble(a);
        throw new EvaluationError("int() argument must be a string or a number, not " + typeName(a));
      }
      case "float": {
        Object a = one(name, args);
        if (a instanceof String s) {
          try {
            return Double.parseDouble(s.strip());
          } catch (NumberFormatException e) {
            throw new EvaluationError("could not convert string to float: " + repr(s));
          }
        }
        if (isNumber(a)) return asDouble(a);
        throw new EvaluationError("float() argument must be a string or a number, not " + typeName(a));
      }
      case "str": return str(one(name, args));
      case "bool": return truthy(one(name, args));
      case "len": {
        Object a = one(name, args);
        if (a instanceof String s) return (long) s.length();
        if (a instanceof Collection<?> c) return (long) c.size();
        if (a instanceof Map<?, ?> m) return (long) m.size();
        throw new EvaluationError("object of type '" + typeName(a) + "' has no len()");
      }
      case "abs": {
        Object a = one(name, args);
        if (!isNumber(a)) throw new EvaluationError("bad operand type for abs(): " + typeName(a));
        return integral(a) ? (Object) Math.abs(asLong(a)) : (Object) Math.abs(asDouble(a));
      }
      case "round": {
        if (args.isEmpty() || args.size() > 2 || !isNumber(args.get(0))) throw new EvaluationError("round(number[, ndigits])");
        double x = asDouble(args.get(0));
        if (args.size() == 1) return (long) Math.rint(x);
        double scale = Math.pow(10, asLong(args.get(1)));
        return Math.rint(x * scale) / scale;
      }
      case "min", "max": {
        List<Object> items = new ArrayList<>();
        if (args.size() == 1) iterate(args.get(0)).forEach(o -> items.add(normalise(o)));
        else items.addAll(args);
        if (items.isEmpty()) throw new EvaluationError(name + "() arg is an empty sequence");
        Object best = items.get(0);
        for (Object o : items) {
          int c = compare(o, best, name);
          if (name.equals("min") ? c < 0 : c > 0) best = o;
        }
        return best;
      }
      case "sum": {
        Object total = 0L;
        for (Object o : iterate(one(name, args))) total = arithmetic("+", total, o);
        return total;
      }
      default: throw new EvaluationError("unknown function " + name);
    }
  }

  private static Object one(String name, List<Object> args) {
    if (args.size() != 1) throw new EvaluationError(name + "() takes exactly one argument");
    return args.get(0);
  }

  private static Object method(Object target, String name, List<Object> args) {
    if (target instanceof String s) {
      switch (name) {
        case "split", "rsplit": {
          String sep = args.isEmpty() || args.get(0) == null ? null : (String) stringArg(args.get(0));
          long max = args.size() > 1 ? asLong(args.get(1)) : -1;
          return split(s, sep, max, name.equals("rsplit"));
        }
        case "strip": return strip(s, args, true, true);
        case "lstrip": return strip(s, args, true, false);
        case "rstrip": return strip(s, args, false, true);
        case "lower": return s.toLowerCase(Locale.ROOT);
        case "upper": return s.toUpperCase(Locale.ROOT);
        case "replace":
          if (args.size() != 2) throw new EvaluationError("replace() takes two arguments");
          return s.replace(stringArg(args.get(0)), stringArg(args.get(1)));
        case "startswith": return s.startsWith(stringArg(one(name, args)));
        case "endswith": return s.endsWith(stringArg(one(name, args)));
        case "join": {
          StringBuilder b = new StringBuilder();
          int i = 0;
          for (Object o : iterate(one(name, args))) b.append(i++ == 0 ? "" : s).append(stringArg(o));
          return b.toString();
        }
        default: break;
      }
    }
    if (target instanceof Map<?, ?> m) {
      switch (name) {
        case "get":
          if (args.isEmpty() || args.size() > 2) throw new EvaluationError("get() takes one or two arguments");
          return m.containsKey(args.get(0)) ? normalise(m.get(args.get(0))) : args.size() > 1 ? args.get(1) : null;
        case "keys": return new ArrayList<Object>(m.keySet());
        case "values": {
          List<Object> out = new ArrayList<>();
          m.values().forEach(v -> out.add(normalise(v)));
          return out;
        }
        default: break;
      }
    }
    throw new EvaluationError("'" + typeName(target) + "' object has no attribute '" + name + "'");
  }

  private static String stringArg(Object o) {
    if (o instanceof String s) return s;
    throw new EvaluationError("expected str, got " + typeName(o));
  }

  private static List<Object> split(String s, String sep, long max, boolean fromRight) {
    List<Object> out = new ArrayList<>();
    if (sep == null) {
      String t = s.strip();
      if (t.isEmpty()) return out;
      for (String part : fromRight || max < 0 ? t.split("\\s+") : t.split("\\s+", (int) max + 1)) out.add(part);
      return out;
    }
    if (sep.isEmpty()) throw new EvaluationError("empty separator");
    if (fromRight && max >= 0) {
      List<String> parts = new ArrayList<>();
      String rest = s;
      while (max-- > 0) {
        int at = rest.lastIndexOf(sep);
        if (at < 0) break;
        parts.add(0, rest.substring(at + sep.length()));
        rest = rest.substring(0, at);
      }
      parts.add(0, rest);
      out.addAll(parts);
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

  private static String strip(String s, List<Object> args, boolean left, boolean right) {
    String chars = args.isEmpty() || args.get(0) == null ? null : stringArg(args.get(0));
    int a = 0;
    int b = s.length();
    while (left && a < b && (chars == null ? Character.isWhitespace(s.charAt(a)) : chars.indexOf(s.charAt(a)) >= 0)) a++;
    while (right && b > a && (chars == null ? Character.isWhitespace(s.charAt(b - 1)) : chars.indexOf(s.charAt(b - 1)) >= 0)) b--;
    return s.substring(a, b);
  }

  // ---------------------------------------------------------------- parser

  private enum Kind { NUMBER, STRING, NAME, OP, END }

  private record Token(Kind kind, String text, Object literal, int at) {}

  private static final class Parser {
    private static final Set<String> KEYWORDS = Set.of("if", "else", "for", "in", "not", "and", "or", "is",
        "None", "True", "False", "lambda", "import", "def", "class", "del", "global", "yield", "await");
    final String text;
    final List<Token> tokens = new ArrayList<>();
    int pos;
    boolean sawValue;
    final List<String> scope = new ArrayList<>(List.of("value"));

    Parser(String text) {
      this.text = text;
      tokenize();
    }

    Node parse() {
      Node n = expr();
      if (peek().kind != Kind.END) throw error("unexpected '" + peek().text + "'");
      return n;
    }

    private SyntaxError error(String message) {
      return new SyntaxError("in operation '" + text.strip() + "' at " + peek().at + ": " + message);
    }

    private void tokenize() {
      int i = 0;
      int n = text.length();
      while (i < n) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) { i++; continue; }
        int start = i;
        if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(text.charAt(i + 1)))) {
          while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
          boolean isFloat = false;
          if (i < n && text.charAt(i) == '.') {
            isFloat = true;
            i++;
            while (i < n && Character.isDigit(text.charAt(i))) i++;
          }
          if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            isFloat = true;
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) i++;
            while (i < n && Character.isDigit(text.charAt(i))) i++;
          }
          String t = text.substring(start, i).replace("_", "");
          try {
            tokens.add(new Token(Kind.NUMBER, t, isFloat ? (Object) Double.parseDouble(t) : (Object) Long.parseLong(t), start));
          } catch (NumberFormatException e) {
            throw new SyntaxError("in operation '" + text.strip() + "': bad number " + t);
          }
        } else if (Character.isLetter(c) || c == '_') {
          while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
          tokens.add(new Token(Kind.NAME, text.substring(start, i), null, start));
        } else if (c == '\'' || c == '"') {
          StringBuilder b = new StringBuilder();
          i++;
          while (true) {
            if (i >= n) throw new SyntaxError("in operation '" + text.strip() + "': unterminated string");
            char d = text.charAt(i++);
            if (d == c) break;
            if (d == '\\' && i < n) {
              char e = text.charAt(i++);
              switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case '\\', '\'', '"' -> b.append(e);
                default -> b.append('\\').append(e);
              }
            } else {
              b.append(d);
            }
          }
          tokens.add(new Token(Kind.STRING, text.substring(start, i), b.toString(), start));
        } else {
          String two = i + 1 < n ? text.substring(i, i + 2) : "";
          if (Set.of("==", "!=", "<=", ">=", "//").contains(two)) {
            tokens.add(new Token(Kind.OP, two, null, start));
            i += 2;
          } else if ("()[],.:<>+-*/%{}".indexOf(c) >= 0) {
            tokens.add(new Token(Kind.OP, String.valueOf(c), null, start));
            i++;
          } else {
            throw new SyntaxError("in operation '" + text.strip() + "': unexpected character '" + c + "'");
          }
        }
      }
      tokens.add(new Token(Kind.END, "<end>", null, n));
    }

    private Token peek() {
      return tokens.get(pos);
    }

    private Token peekAt(int ahead) {
      return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private boolean at(String t) {
      Token k = peek();
      return (k.kind == Kind.OP || k.kind == Kind.NAME) && k.text.equals(t);
    }

    private boolean accept(String t) {
      if (at(t)) {
        pos++;
        return true;
      }
      return false;
    }

    private void expect(String t) {
      if (!accept(t)) throw error("expected '" + t + "'");
    }

    Node expr() {
      Node body = disjunction();
      if (accept("if")) {
        Node cond = disjunction();
        expect("else");
        Node otherwise = expr();
        return s -> truthy(cond.eval(s)) ? body.eval(s) : otherwise.eval(s);
      }
      return body;
    }

    Node disjunction() {
      Node left = conjunction();
      while (accept("or")) {
        Node l = left;
        Node r = conjunction();
        left = s -> {
          Object v = l.eval(s);
          return truthy(v) ? v : r.eval(s);
        };
      }
      return left;
    }

    Node conjunction() {
      Node left = inversion();
      while (accept("and")) {
        Node l = left;
        Node r = inversion();
        left = s -> {
          Object v = l.eval(s);
          return truthy(v) ? r.eval(s) : v;
        };
      }
      return left;
    }

    Node inversion() {
      if (accept("not")) {
        Node n = inversion();
        return s -> !truthy(n.eval(s));
      }
      return comparison();
    }

    Node comparison() {
      Node first = sum();
      List<String> ops = new ArrayList<>();
      List<Node> operands = new ArrayList<>();
      operands.add(first);
      while (true) {
        String op;
        if (at("==") || at("!=") || at("<") || at(">") || at("<=") || at(">=") || at("in")) {
          op = peek().text;
          pos++;
        } else if (at("not") && peekAt(1).text.equals("in")) {
          pos += 2;
          op = "not in";
        } else if (at("is")) {
          pos++;
          op = accept("not") ? "is not" : "is";
        } else {
          break;
        }
        ops.add(op);
        operands.add(sum());
      }
      if (ops.isEmpty()) return first;
      return s -> {
        Object left = operands.get(0).eval(s);
        for (int i = 0; i < ops.size(); i++) {
          Object right = operands.get(i + 1).eval(s);
          if (!compareOp(ops.get(i), left, right)) return false;
          left = right;
        }
        return true;
      };
    }

    private static boolean compareOp(String op, Object a, Object b) {
      switch (op) {
        case "==": return equal(a, b);
        case "!=": return !equal(a, b);
        case "<": return compare(a, b, op) < 0;
        case ">": return compare(a, b, op) > 0;
        case "<=": return compare(a, b, op) <= 0;
        case ">=": return compare(a, b, op) >= 0;
        case "in": return contains(b, a);
        case "not in": return !contains(b, a);
        case "is": return a == null ? b == null : a.equals(b) && (a instanceof Boolean);
        case "is not": return !(a == null ? b == null : a.equals(b) && (a instanceof Boolean));
        default: throw new EvaluationError("unknown comparison " + op);
      }
    }

    Node sum() {
      Node left = term();
      while (at("+") || at("-")) {
        String op = peek().text;
        pos++;
        Node l = left;
        Node r = term();
        left = s -> arithmetic(op, l.eval(s), r.eval(s));
      }
      return left;
    }

    Node term() {
      Node left = factor();
      while (at("*") || at("/") || at("//") || at("%")) {
        String op = peek().text;
        pos++;
        Node l = left;
        Node r = factor();
        left = s -> arithmetic(op, l.eval(s), r.eval(s));
      }
      return left;
    }

    Node factor() {
      if (accept("-")) {
        Node n = factor();
        return s -> arithmetic("-", 0L, n.eval(s));
      }
      if (accept("+")) {
        Node n = factor();
        return s -> arithmetic("+", 0L, n.eval(s));
      }
      return primary();
    }

    Node primary() {
      Node node = atom();
      while (true) {
        if (accept("[")) {
          Node target = node;
          Node from = at(":") ? null : expr();
          if (accept(":")) {
            Node to = at("]") ? null : expr();
            expect("]");
            node = s -> slice(normalise(target.eval(s)), from == null ? null : from.eval(s), to == null ? null : to.eval(s));
          } else {
            expect("]");
            node = s -> subscript(target.eval(s), from.eval(s));
          }
        } else if (accept(".")) {
          Token name = peek();
          if (name.kind != Kind.NAME) throw error("expected a method name");
          pos++;
          if (!METHODS.contains(name.text)) throw error("method '" + name.text + "' is not allowed");
          if (!at("(")) throw error("only method calls are allowed after '.'");
          pos++;
          List<Node> args = arguments();
          Node target = node;
          node = s -> method(normalise(target.eval(s)), name.text, evalAll(args, s));
        } else {
          return node;
        }
      }
    }

    private List<Node> arguments() {
      List<Node> args = new ArrayList<>();
      if (accept(")")) return args;
      do {
        if (at(")")) break;
        args.add(expr());
      } while (accept(","));
      expect(")");
      return args;
    }

    private static List<Object> evalAll(List<Node> nodes, Scope s) {
      List<Object> out = new ArrayList<>(nodes.size());
      for (Node n : nodes) out.add(normalise(n.eval(s)));
      return out;
    }

    Node atom() {
      Token t = peek();
      switch (t.kind) {
        case NUMBER, STRING -> {
          pos++;
          Object v = t.literal;
          return s -> v;
        }
        case NAME -> {
          pos++;
          switch (t.text) {
            case "None": return s -> null;
            case "True": return s -> Boolean.TRUE;
            case "False": return s -> Boolean.FALSE;
            default: break;
          }
          if (KEYWORDS.contains(t.text)) throw error("unexpected keyword '" + t.text + "'");
          if (at("(")) {
            if (!BUILTINS.contains(t.text)) throw error("function '" + t.text + "' is not allowed");
            pos++;
            List<Node> args = arguments();
            return s -> builtin(t.text, evalAll(args, s));
          }
          if (!scope.contains(t.text)) throw error("unknown name '" + t.text + "'");
          if (t.text.equals("value")) sawValue = true;
          return s -> normalise(s.lookup(t.text));
        }
        case OP -> {
          if (accept("(")) {
            Node n = expr();
            expect(")");
            return n;
          }
          if (accept("[")) return listOrComprehension();
          throw error("unexpected '" + t.text + "'");
        }
        default -> throw error("unexpected end");
      }
    }

    private Node listOrComprehension() {
      if (accept("]")) return s -> new ArrayList<>();
      // a comprehension's variable must be in scope while its element expression is parsed
      int mark = pos;
      String variable = comprehensionVariable();
      if (variable != null) scope.add(variable);
      Node first = expr();
      if (accept("for")) {
        Token v = peek();
        if (v.kind != Kind.NAME || KEYWORDS.contains(v.text)) throw error("expected a loop variable");
        pos++;
        expect("in");
        Node iterable = disjunction();
        List<Node> conditions = new ArrayList<>();
        while (accept("if")) conditions.add(disjunction());
        expect("]");
        scope.remove(scope.size() - 1);
        String name = v.text;
        Node element = first;
        return s -> {
          List<Object> out = new ArrayList<>();
          for (Object item : iterate(normalise(iterable.eval(s)))) {
            Scope inner = new Scope(s, name, normalise(item));
            boolean keep = true;
            for (Node c : conditions) {
              if (!truthy(c.eval(inner))) {
                keep = false;
                break;
              }
            }
            if (keep) out.add(element.eval(inner));
          }
          return out;
        };
      }
      if (variable != null) {
        pos = mark;
        scope.remove(scope.size() - 1);
        first = expr();
      }
      List<Node> items = new ArrayList<>();
      items.add(first);
      while (accept(",")) {
        if (at("]")) break;
        items.add(expr());
      }
      expect("]");
      return s -> evalAll(items, s);
    }

    /** Looks ahead for {@code for NAME in} at this bracket depth and returns NAME. */
    private String comprehensionVariable() {
      int depth = 0;
      for (int i = pos; i < tokens.size(); i++) {
        Token t = tokens.get(i);
        if (t.kind == Kind.OP && (t.text.equals("[") || t.text.equals("(") || t.text.equals("{"))) depth++;
        else if (t.kind == Kind.OP && (t.text.equals("]") || t.text.equals(")") || t.text.equals("}"))) {
          if (depth == 0) return null;
          depth--;
        } else if (depth == 0 && t.kind == Kind.NAME && t.text.equals("for") && i + 1 < tokens.size()) {
          return tokens.get(i + 1).text;
        }
      }
      return null;
    }
  }
}
