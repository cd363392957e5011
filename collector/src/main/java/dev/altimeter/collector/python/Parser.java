package dev.altimeter.collector.pipeline.transform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small, safe evaluator for the Python arithmetic expressions Ceilometer's pipeline files contain
 * ({@code scale} of unit_conversion / rate_of_change / aggregator, {@code expr} of arithmetic).
 *
 * <p>It is a recursive-descent parser over a closed grammar; nothing in it can reach the JVM: no
 * reflection, no scripting engine, no method calls other than the built-ins {@code min}, {@code max},
 * {@code abs}, {@code round}, {@code int} and {@code float}. Supported: integer and float literals,
 * string literals, {@code True False None}, {@code + - * / // % **}, unary {@code + -}, parentheses,
 * chained comparisons ({@code < <= > >= == !=}), {@code and or not} (returning operands like Python),
 * {@code x if c else y}, attribute access ({@code resource_metadata.cpu_number}), subscripts, and
 * arithmetic's meter references {@code $(meter.name)} (that sample's volume) and
 * {@code $(meter.name).attr} (an attribute of that sample).
 *
 * <p>Values follow Python: {@code /} is true division, {@code //} and {@code %} floor, ints stay
 * integral ({@code 10**9} is an int), a missing attribute of a namespace is an empty (falsy)
 * namespace, as in Ceilometer's {@code transformer.Namespace}. Errors (type errors, division by
 * zero, unknown names) raise {@link ExpressionException}.
 *
 * <p>Immutable and thread-safe once parsed.
 */
public final class Expression {
  private final String source;
  private final Node root;
  private final Set<String> meterReferences;

  private Expression(String source, Node root, Set<String> meterReferences) {
    this.source = source;
    this.root = root;
    this.meterReferences = Collections.unmodifiableSet(meterReferences);
  }

  /** Parses {@code text}; throws {@link ExpressionException} naming the position of a syntax error. */
  public static Expression parse(String text) {
    Parser p = new Parser(text);
    Node n = p.parseExpression();
    p.expectEnd();
    return new Expression(text, n, p.meters);
  }

  /** Meter names referenced as {@code $(name)}, in order of first appearance. */
  public Set<String> meterReferences() {
    return meterReferences;
  }

  /**
   * Evaluates against {@code namespace}: top-level names, and for meter references the key
   * {@code "$(" + name + ")"} holding that sample's namespace map.
   */
  public Object evaluate(Map<String, Object> namespace) {
    return root.eval(namespace);
  }

  /** Evaluates and converts the result to a double like Python's {@code float()}. */
  public double evaluateNumber(Map<String, Object> namespace) {
    Object v = evaluate(namespace);
    if (v instanceof Boolean b) return b ? 1 : 0;
    if (v instanceof Number n) return n.doubleValue();
    throw new ExpressionException("expression '" + source + "' gave a non-number: " + typeName(v));
  }

  @Override
  public String toString() {
    return source;
  }

  /** An expression failed to parse or evaluate. */
  public static final class ExpressionException extends RuntimeException {
    public ExpressionException(String message) {
      super(message);
    }
  }

  // ---------------------------------------------------------------- evaluation helpers

  @FunctionalInterface
  interface Node {
    Object eval(Map<String, Object> ns);
  }

  /** A literal, or an operation on literals computed once at parse time. */
  record Const(Object value) implements Node {
    @Override
    public Object eval(Map<String, Object> ns) {
      return value;
    }
  }

  /**
   * {@code l op r}, computed at parse time when both sides are constants (e.g. {@code 10**9} in
   * cpu_util's scale, otherwise evaluated for every sample). An operation that fails on constants
   * is left to fail at evaluation, where Python would raise.
   */
  static Node folded(String op, Node l, Node r) {
    if (l instanceof Const a && r instanceof Const b) {
      try {
        return new Const(binary(op, a.value, b.value));
      } catch (RuntimeException e) {
        // evaluated (and reported) per sample, as before folding
      }
    }
    return ns -> binary(op, l.eval(ns), r.eval(ns));
  }

  /** An empty namespace: what a missing attribute resolves to (falsy). */
  static final Map<String, Object> EMPTY = Map.of();

  static boolean truthy(Object v) {
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    if (v instanceof Long l) return l != 0;
    if (v instanceof Double d) return d != 0.0;
    if (v instanceof Number n) return n.doubleValue() != 0.0;
    if (v instanceof String s) return !s.isEmpty();
    if (v instanceof Map<?, ?> m) return !m.isEmpty();
    if (v instanceof List<?> l) return !l.isEmpty();
    return true;
  }

  static String typeName(Object v) {
    if (v == null) return "NoneType";
    if (v instanceof Boolean) return "bool";
    if (v instanceof Long || v instanceof Integer) return "int";
    if (v instanceof Double || v instanceof Float) return "float";
    if (v instanceof String) return "str";
    if (v instanceof Map) return "namespace";
    if (v instanceof List) return "list";
    return v.getClass().getSimpleName();
  }

  /** Normalises a number to Long (ints, bools) or Double; null if not numeric. */
  private static Number num(Object v) {
    if (v instanceof Boolean b) return b ? 1L : 0L;
    if (v instanceof Long || v instanceof Double) return (Number) v;
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
    if (v instanceof Number n) return n.doubleValue();
    return null;
  }

  private static Number requireNum(Object v, String op, Object other) {
    Number n = num(v);
    if (n == null) {
      throw new ExpressionException("unsupported operand type(s) for " + op + ": '" + typeName(v)
          + "' and '" + typeName(other) + "'");
    }
    return n;
  }

  static Object binary(String op, Object a, Object b) {
    if (op.equals("+") && a instanceof String sa && b instanceof String sb) return sa + sb;
    Number x = requireNum(a, op, b);
    Number y = requireNum(b, op, a);
    boolean ints = x instanceof Long && y instanceof Long;
    switch (op) {
      case "+":
        if (ints) {
          try { return Math.addExact(x.longValue(), y.longValue()); } catch (ArithmeticException e) { /* float */ }
        }
        return x.doubleValue() + y.doubleValue();
      case "-":
        if (ints) {
          try { return Math.subtractExact(x.longValue(), y.longValue()); } catch (ArithmeticException e) { /* float */ }
        }
        return x.doubleValue() - y.doubleValue();
      case "*":
        if (ints) {
          try { return Math.multiplyExact(x.longValue(), y.longValue()); } catch (ArithmeticException e) { /* float */ }
        }
        return x.doubleValue() * y.doubleValue();
      case "/":
        if (y.doubleValue() == 0.0) throw new ExpressionException("division by zero");
        return x.doubleValue() / y.doubleValue();
      case "//":
        if (y.doubleValue() == 0.0) throw new ExpressionException("integer division or modulo by zero");
        if (ints) return Math.floorDiv(x.longValue(), y.longValue());
        return Math.floor(x.doubleValue() / y.doubleValue());
      case "%":
        if (y.doubleValue() == 0.0) throw new ExpressionException("integer division or modulo by zero");
        if (ints) return Math.floorMod(x.longValue(), y.longValue());
        double dx = x.doubleValue();
        double dy = y.doubleValue();
        return dx - dy * Math.floor(dx / dy);
      case "**":
        if (ints && y.longValue() >= 0) {
          long base = x.longValue();
          long exp = y.longValue();
          if (base == -1) return exp % 2 == 0 ? 1L : -1L;
          long result = 1;
          try {
            for (long i = 0; i < exp; i++) {
              result = Math.multiplyExact(result, base);
              if (result == 0 || result == 1 && base == 1) break;
            }
            return result;
          } catch (ArithmeticException e) {
            return Math.pow(x.doubleValue(), y.doubleValue());
          }
        }
        if (x.doubleValue() == 0.0 && y.doubleValue() < 0) {
          throw new ExpressionException("0.0 cannot be raised to a negative power");
        }
        return Math.pow(x.doubleValue(), y.doubleValue());
      default:
        throw new IllegalStateException(op);
    }
  }

  static boolean compare(String op, Object a, Object b) {
    if (op.equals("==")) return equal(a, b);
    if (op.equals("!=")) return !equal(a, b);
    int c;
    if (a instanceof String sa && b instanceof String sb) {
      c = sa.compareTo(sb);
    } else {
      Number x = num(a);
      Number y = num(b);
      if (x == null || y == null) {
        throw new ExpressionException("'" + op + "' not supported between instances of '" + typeName(a)
            + "' and '" + typeName(b) + "'");
      }
      c = x instanceof Long && y instanceof Long
          ? Long.compare(x.longValue(), y.longValue())
          : Double.compare(x.doubleValue(), y.doubleValue());
      if (Double.isNaN(x.doubleValue()) || Double.isNaN(y.doubleValue())) return false;
    }
    switch (op) {
      case "<": return c < 0;
      case "<=": return c <= 0;
      case ">": return c > 0;
      case ">=": return c >= 0;
      default: throw new IllegalStateException(op);
    }
  }

  private static boolean equal(Object a, Object b) {
    Number x = num(a);
    Number y = num(b);
    if (x != null && y != null) return x.doubleValue() == y.doubleValue();
    return a == null ? b == null : a.equals(b);
  }

  static Object attribute(Object target, String name) {
    if (target instanceof Map<?, ?> m) {
      if (!m.containsKey(name)) return EMPTY;
      return m.get(name);
    }
    throw new ExpressionException("'" + typeName(target) + "' object has no attribute '" + name + "'");
  }

  static Object subscript(Object target, Object key) {
    if (target instanceof Map<?, ?> m) {
      if (!m.containsKey(key)) throw new ExpressionException("KeyError: " + key);
      return m.get(key);
    }
    if (target instanceof List<?> l && num(key) instanceof Long i) {
      long idx = i < 0 ? l.size() + i : i;
      if (idx < 0 || idx >= l.size()) throw new ExpressionException("list index out of range");
      return l.get((int) idx);
    }
    throw new ExpressionException("'" + typeName(target) + "' object is not subscriptable");
  }

  static Object call(String fn, List<Object> args) {
    switch (fn) {
      case "abs": {
        arity(fn, args, 1, 1);
        Number n = requireNum(args.get(0), "abs()", null);
        return n instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(n.doubleValue());
      }
      case "min":
      case "max": {
        if (args.isEmpty()) throw new ExpressionException(fn + " expected at least 1 argument, got 0");
        Object best = args.get(0);
        for (Object o : args.subList(1, args.size())) {
          boolean better = fn.equals("min") ? compare("<", o, best) : compare(">", o, best);
          if (better) best = o;
        }
        return best;
      }
      case "round": {
        arity(fn, args, 1, 2);
        Number n = requireNum(args.get(0), "round()", null);
        if (args.size() == 1) {
          return n instanceof Long ? n : (Object) (long) Math.rint(n.doubleValue());
        }
        Number digits = requireNum(args.get(1), "round()", null);
        if (n instanceof Long) return n;
        double factor = Math.pow(10, digits.longValue());
        return Math.rint(n.doubleValue() * factor) / factor;
      }
      case "int": {
        arity(fn, args, 1, 1);
        Object v = args.get(0);
        if (v instanceof String s) {
          try { return Long.parseLong(s.trim()); } catch (NumberFormatException e) {
            throw new ExpressionException("invalid literal for int(): '" + s + "'");
          }
        }
        Number n = requireNum(v, "int()", null);
        return n instanceof Long ? n : (Object) (long) n.doubleValue();
      }
      case "float": {
        arity(fn, args, 1, 1);
        Object v = args.get(0);
        if (v instanceof String s) {
          try { return Double.parseDouble(s.trim()); } catch (NumberFormatException e) {
            throw new ExpressionException("could not convert string to float: '" + s + "'");
          }
        }
        return requireNum(v, "float()", null).doubleValue();
      }
      default:
        throw new ExpressionException("name '" + fn + "' is not defined");
    }
  }

  private static void arity(String fn, List<Object> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw new ExpressionException(fn + "() takes " + (min == max ? "" + min : min + " or " + max)
          + " argument(s), " + args.size() + " given");
    }
  }

  static final Set<String> FUNCTIONS = Set.of("abs", "min", "max", "round", "int", "float");

  // ---------------------------------------------------------------- parser

  private enum Kind { NUMBER, STRING, NAME, OP, METER, END }

  private record Token(Kind kind, String text, Object value, int pos) {}

  private static final class Parser {
    private final String text;
    private final List<Token> tokens;
    private int i;
    final Set<String> meters = new LinkedHashSet<>();
    private int depth;

    Parser(String text) {
      if (text == null) throw new ExpressionException("expression is missing");
      this.text = text;
      this.tokens = lex(text);
    }

    private ExpressionException error(String what, Token t) {
      return new ExpressionException("invalid expression '" + text + "': " + what + " at position " + (t.pos + 1));
    }

    private List<Token> lex(String s) {
      List<Token> out = new ArrayList<>();
      int p = 0;
      while (p < s.length()) {
        char c = s.charAt(p);
        if (Character.isWhitespace(c)) { p++; continue; }
        int start = p;
        if (Character.isDigit(c) || c == '.' && p + 1 < s.length() && Character.isDigit(s.charAt(p + 1))) {
          boolean isFloat = false;
          while (p < s.length() && (Character.isDigit(s.charAt(p)) || s.charAt(p) == '_')) p++;
          if (p < s.length() && s.charAt(p) == '.') {
            isFloat = true;
            p++;
            while (p < s.length() && Character.isDigit(s.charAt(p))) p++;
          }
          if (p < s.length() && (s.charAt(p) == 'e' || s.charAt(p) == 'E')) {
            int q = p + 1;
            if (q < s.length() && (s.charAt(q) == '+' || s.charAt(q) == '-')) q++;
            if (q < s.length() && Character.isDigit(s.charAt(q))) {
              isFloat = true;
              p = q;
              while (p < s.length() && Character.isDigit(s.charAt(p))) p++;
            }
          }
          String lit = s.substring(start, p).replace("_", "");
          Object value;
          try {
            value = isFloat ? (Object) Double.parseDouble(lit) : (Object) Long.parseLong(lit);
          } catch (NumberFormatException e) {
            value = Double.parseDouble(lit);
          }
          out.add(new Token(Kind.NUMBER, lit, value, start));
        } else if (Character.isLetter(c) || c == '_') {
          while (p < s.length() && (Character.isLetterOrDigit(s.charAt(p)) || s.charAt(p) == '_')) p++;
          out.add(new Token(Kind.NAME, s.substring(start, p), null, start));
        } else if (c == '\'' || c == '"') {
          StringBuilder sb = new StringBuilder();
          p++;
          boolean closed = false;
          while (p < s.length()) {
            char d = s.charAt(p++);
            if (d == c) { closed = true; break; }
            if (d == '\\' && p < s.length()) {
              char e = s.charAt(p++);
              sb.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            } else {
              sb.append(d);
            }
          }
          if (!closed) throw new ExpressionException("invalid expression '" + s + "': unterminated string at position " + (start + 1));
          out.add(new Token(Kind.STRING, s.substring(start, p), sb.toString(), start));
        } else if (c == '$' && p + 1 < s.length() && s.charAt(p + 1) == '(') {
          int q = p + 2;
          while (q < s.length() && (Character.isLetterOrDigit(s.charAt(q)) || "_.-".indexOf(s.charAt(q)) >= 0)) q++;
          if (q == p + 2 || q >= s.length() || s.charAt(q) != ')') {
            throw new ExpressionException("invalid expression '" + s + "': bad meter reference at position " + (start + 1));
          }
          out.add(new Token(Kind.METER, s.substring(start, q + 1), s.substring(p + 2, q), start));
          p = q + 1;
        } else {
          String two = p + 1 < s.length() ? s.substring(p, p + 2) : "";
          if (List.of("**", "//", "==", "!=", "<=", ">=").contains(two)) {
            out.add(new Token(Kind.OP, two, null, start));
            p += 2;
          } else if ("+-*/%()<>.,[]".indexOf(c) >= 0) {
            out.add(new Token(Kind.OP, String.valueOf(c), null, start));
            p++;
          } else {
            throw new ExpressionException("invalid expression '" + s + "': unexpected character '" + c
                + "' at position " + (start + 1));
          }
        }
      }
      out.add(new Token(Kind.END, "", null, s.length()));
      return out;
    }

    private Token peek() {
      return tokens.get(i);
    }

    private boolean at(String op) {
      Token t = peek();
      return (t.kind == Kind.OP || t.kind == Kind.NAME) && t.text.equals(op);
    }

    private boolean accept(String op) {
      if (at(op)) { i++; return true; }
      return false;
    }

    private void expect(String op) {
      if (!accept(op)) throw error("expected '" + op + "'", peek());
    }

    void expectEnd() {
      if (peek().kind != Kind.END) throw error("unexpected '" + peek().text + "'", peek());
    }

    Node parseExpression() {
      if (++depth > 100) throw error("expression nested too deeply", peek());
      try {
        Node body = parseOr();
        if (accept("if")) {
          Node cond = parseOr();
          expect("else");
          Node other = parseExpression();
          return ns -> truthy(cond.eval(ns)) ? body.eval(ns) : other.eval(ns);
        }
        return body;
      } finally {
        depth--;
      }
    }

    private Node parseOr() {
      Node left = parseAnd();
      while (accept("or")) {
        Node l = left;
        Node r = parseAnd();
        left = ns -> {
          Object v = l.eval(ns);
          return truthy(v) ? v : r.eval(ns);
        };
      }
      return left;
    }

    private Node parseAnd() {
      Node left = parseNot();
      while (accept("and")) {
        Node l = left;
        Node r = parseNot();
        left = ns -> {
          Object v = l.eval(ns);
          return truthy(v) ? r.eval(ns) : v;
        };
      }
      return left;
    }

    private Node parseNot() {
      if (accept("not")) {
        Node operand = parseNot();
        return ns -> !truthy(operand.eval(ns));
      }
      return parseComparison();
    }

    private Node parseComparison() {
      Node first = parseArith();
      List<String> ops = new ArrayList<>();
      List<Node> operands = new ArrayList<>();
      operands.add(first);
      while (true) {
        Token t = peek();
        if (t.kind == Kind.OP && List.of("<", "<=", ">", ">=", "==", "!=").contains(t.text)) {
          i++;
          ops.add(t.text);
          operands.add(parseArith());
        } else {
          break;
        }
      }
      if (ops.isEmpty()) return first;
      return ns -> {
        Object left = operands.get(0).eval(ns);
        for (int k = 0; k < ops.size(); k++) {
          Object right = operands.get(k + 1).eval(ns);
          if (!compare(ops.get(k), left, right)) return false;
          left = right;
        }
        return true;
      };
    }

    private Node parseArith() {
      Node left = parseTerm();
      while (at("+") || at("-")) {
        String op = tokens.get(i++).text;
        Node l = left;
        Node r = parseTerm();
        left = folded(op, l, r);
      }
      return left;
    }

    private Node parseTerm() {
      Node left = parseFactor();
      while (at("*") || at("/") || at("//") || at("%")) {
        String op = tokens.get(i++).text;
        Node l = left;
        Node r = parseFactor();
        left = folded(op, l, r);
      }
      return left;
    }

    private Node parseFactor() {
      if (accept("-")) {
        Node operand = parseFactor();
        return ns -> {
          Object v = operand.eval(ns);
          Number n = requireNum(v, "unary -", null);
          if (n instanceof Long l) {
            if (l == Long.MIN_VALUE) return -(double) l;
            return -l;
          }
          return -n.doubleValue();
        };
      }
      if (accept("+")) {
        Node operand = parseFactor();
        return ns -> requireNum(operand.eval(ns), "unary +", null);
      }
      return parsePower();
    }

    private Node parsePower() {
      Node base = parsePrimary();
      if (accept("**")) {
        Node exp = parseFactor(); // right-associative, binds tighter than unary minus on its left
        return folded("**", base, exp);
      }
      return base;
    }

    private Node parsePrimary() {
      Token t = peek();
      Node node;
      if (t.kind == Kind.METER) {
        i++;
        String meter = (String) t.value;
        meters.add(meter);
        String key = "$(" + meter + ")";
        if (at(".")) {
          node = ns -> ns.getOrDefault(key, EMPTY);
        } else {
          return ns -> attribute(ns.getOrDefault(key, EMPTY), "volume");
        }
      } else if (t.kind == Kind.NUMBER || t.kind == Kind.STRING) {
        i++;
        node = new Const(t.value);
      } else if (t.kind == Kind.NAME) {
        i++;
        switch (t.text) {
          case "True": node = ns -> Boolean.TRUE; break;
          case "False": node = ns -> Boolean.FALSE; break;
          case "None": node = ns -> null; break;
          case "and": case "or": case "not": case "if": case "else": case "lambda": case "import":
            throw error("unexpected '" + t.text + "'", t);
          default:
            if (FUNCTIONS.contains(t.text) && at("(")) {
              node = parseCall(t.text);
            } else {
              String name = t.text;
              node = ns -> {
                if (!ns.containsKey(name)) throw new ExpressionException("name '" + name + "' is not defined");
                return ns.get(name);
              };
            }
        }
      } else if (accept("(")) {
        node = parseExpression();
        expect(")");
      } else {
        throw error(t.kind == Kind.END ? "unexpected end" : "unexpected '" + t.text + "'", t);
      }
      while (true) {
        if (accept(".")) {
          Token name = peek();
          if (name.kind != Kind.NAME) throw error("expected an attribute name", name);
          i++;
          Node target = node;
          String attr = name.text;
          node = ns -> attribute(target.eval(ns), attr);
        } else if (accept("[")) {
          Node target = node;
          Node key = parseExpression();
          expect("]");
          node = ns -> subscript(target.eval(ns), key.eval(ns));
        } else if (at("(")) {
          throw error("calls are not allowed", peek());
        } else {
          return node;
        }
      }
    }

    private Node parseCall(String fn) {
      expect("(");
      List<Node> args = new ArrayList<>();
      if (!at(")")) {
        do {
          args.add(parseExpression());
        } while (accept(","));
      }
      expect(")");
      return ns -> {
        List<Object> values = new ArrayList<>(args.size());
        for (Node a : args) values.add(a.eval(ns));
        return call(fn, values);
      };
    }
  }
}
