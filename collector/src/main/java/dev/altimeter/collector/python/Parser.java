package dev.altimeter.collector.python;

import dev.altimeter.collector.python.Lexer.Kind;
import dev.altimeter.collector.python.Lexer.Token;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A recursive-descent parser of the Python subset, compiling to a tree of {@link Node}s. Grammar,
 * loosest first: {@code x if c else y}; {@code or}; {@code and}; {@code not}; chained comparisons
 * ({@code < <= > >= == != in, not in, is, is not}); {@code + -}; {@code * / // %}; unary {@code + -};
 * {@code **} (right-associative); primaries with subscripts, slices, {@code .attr} and {@code
 * .method(...)}; atoms: literals, names, built-in calls, {@code ( )}, list displays and list
 * comprehensions with {@code if}, {@code $(meter)}. The {@link Dialect} decides which names,
 * attributes, functions and methods exist. One instance parses one text; not thread-safe.
 */
final class Parser {
  private static final Set<String> KEYWORDS = Set.of("if", "else", "for", "in", "not", "and", "or", "is",
      "None", "True", "False", "lambda", "import", "def", "class", "del", "global", "yield", "await");
  private static final Set<String> COMPARISONS = Set.of("<", "<=", ">", ">=", "==", "!=");
  private static final int MAX_DEPTH = 100;

  /** A compiled piece of an expression. Immutable; evaluation is pure. */
  @FunctionalInterface
  interface Node {
    Object eval(Scope scope);
  }

  /** The variables an evaluation sees: the caller's, and the loop variables of comprehensions. */
  record Scope(Map<String, ?> variables, Scope parent, String name, Object value) {
    Object lookup(String n) {
      for (Scope s = this; s.parent != null; s = s.parent) if (s.name.equals(n)) return s.value;
      if (!variables.containsKey(n)) throw new ExpressionException("name '" + n + "' is not defined");
      return Values.normalise(variables.get(n));
    }
  }

  /** A literal, or an operation on literals computed once at parse time. */
  record Const(Object value) implements Node {
    @Override
    public Object eval(Scope scope) {
      return value;
    }
  }

  /** An empty namespace: what a missing attribute of a namespace resolves to (falsy). */
  static final Map<String, Object> EMPTY = Map.of();

  private final String text;
  private final Dialect dialect;
  private final List<Token> tokens;
  private int i;
  private int depth;
  private final List<String> loopVariables = new ArrayList<>();
  final Set<String> meters = new LinkedHashSet<>();
  final Set<String> names = new LinkedHashSet<>();

  Parser(String text, Dialect dialect) {
    if (text == null) throw new ExpressionException.Syntax("expression is missing");
    this.text = text;
    this.dialect = dialect;
    this.tokens = Lexer.lex(text, dialect.meterReferences());
  }

  Node parse() {
    Node n = expression();
    if (peek().kind() != Kind.END) throw error("unexpected '" + peek().text() + "'", peek());
    return n;
  }

  private ExpressionException.Syntax error(String what, Token t) {
    return Lexer.error(text, what, t.pos());
  }

  private Token peek() {
    return tokens.get(i);
  }

  private boolean at(String op) {
    Token t = peek();
    return (t.kind() == Kind.OP || t.kind() == Kind.NAME) && t.text().equals(op);
  }

  private boolean accept(String op) {
    if (at(op)) {
      i++;
      return true;
    }
    return false;
  }

  private void expect(String op) {
    if (!accept(op)) throw error("expected '" + op + "'", peek());
  }

  private Node expression() {
    if (++depth > MAX_DEPTH) throw error("expression nested too deeply", peek());
    try {
      Node body = disjunction();
      if (accept("if")) {
        Node cond = disjunction();
        expect("else");
        Node other = expression();
        return s -> Values.truthy(cond.eval(s)) ? body.eval(s) : other.eval(s);
      }
      return body;
    } finally {
      depth--;
    }
  }

  private Node disjunction() {
    return logical("or", this::conjunction);
  }

  private Node conjunction() {
    return logical("and", this::inversion);
  }

  /** {@code a or b} / {@code a and b}: Python's, returning the operand that decided. */
  private Node logical(String op, Supplier<Node> operand) {
    boolean or = op.equals("or");
    Node left = operand.get();
    while (accept(op)) {
      Node l = left;
      Node r = operand.get();
      left = s -> {
        Object v = l.eval(s);
        return Values.truthy(v) == or ? v : r.eval(s);
      };
    }
    return left;
  }

  private Node inversion() {
    if (accept("not")) {
      Node operand = inversion();
      return s -> !Values.truthy(operand.eval(s));
    }
    return comparison();
  }

  private Node comparison() {
    Node first = sum();
    List<String> ops = new ArrayList<>();
    List<Node> operands = new ArrayList<>();
    operands.add(first);
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.OP && COMPARISONS.contains(t.text()) || at("in")) {
        i++;
        ops.add(t.text());
      } else if (at("not") && tokens.get(i + 1).text().equals("in")) {
        i += 2;
        ops.add("not in");
      } else if (accept("is")) {
        ops.add(accept("not") ? "is not" : "is");
      } else {
        break;
      }
      operands.add(sum());
    }
    if (ops.isEmpty()) return first;
    return s -> {
      Object left = operands.get(0).eval(s);
      for (int k = 0; k < ops.size(); k++) {
        Object right = operands.get(k + 1).eval(s);
        if (!comparison(ops.get(k), left, right)) return false;
        left = right;
      }
      return true;
    };
  }

  private static boolean comparison(String op, Object a, Object b) {
    switch (op) {
      case "in": return Values.contains(b, a);
      case "not in": return !Values.contains(b, a);
      case "is": return same(a, b);
      case "is not": return !same(a, b);
      default: return Values.compareStrict(op, a, b);
    }
  }

  /** Python's {@code is} for what can be compared by identity here: None, True, False. */
  private static boolean same(Object a, Object b) {
    return a == null ? b == null : a instanceof Boolean && a.equals(b);
  }

  private Node sum() {
    Node left = term();
    while (at("+") || at("-")) {
      String op = tokens.get(i++).text();
      left = folded(op, left, term());
    }
    return left;
  }

  private Node term() {
    Node left = factor();
    while (at("*") || at("/") || at("//") || at("%")) {
      String op = tokens.get(i++).text();
      left = folded(op, left, factor());
    }
    return left;
  }

  private Node factor() {
    if (at("-") || at("+")) {
      String op = tokens.get(i++).text();
      Node operand = factor();
      return s -> Values.unary(op, operand.eval(s));
    }
    return power();
  }

  private Node power() {
    Node base = primary();
    if (accept("**")) return folded("**", base, factor()); // right-associative, tighter than a unary minus on its left
    return base;
  }

  /**
   * {@code l op r}, computed at parse time when both sides are constants (e.g. {@code 10**9} in
   * cpu_util's scale). An operation that fails on constants is left to fail at evaluation, where
   * Python would raise.
   */
  private static Node folded(String op, Node l, Node r) {
    if (l instanceof Const a && r instanceof Const b) {
      Object v = Values.binaryOrNull(op, a.value(), b.value());
      if (v != null) return new Const(v);
    }
    return s -> Values.binary(op, l.eval(s), r.eval(s));
  }

  private Node primary() {
    Node node = atom();
    while (true) {
      if (accept("[")) {
        node = subscript(node);
      } else if (accept(".")) {
        node = attribute(node);
      } else if (at("(")) {
        throw error("calls are not allowed, but to " + dialect.functionList(), peek());
      } else {
        return node;
      }
    }
  }

  private Node subscript(Node target) {
    Node from = at(":") ? null : expression();
    if (accept(":")) {
      Node to = at("]") ? null : expression();
      expect("]");
      return s -> Values.slice(target.eval(s), from == null ? null : from.eval(s), to == null ? null : to.eval(s));
    }
    expect("]");
    return s -> Values.subscript(target.eval(s), from.eval(s));
  }

  private Node attribute(Node target) {
    Token name = peek();
    if (name.kind() != Kind.NAME) throw error("expected an attribute name", name);
    i++;
    String attr = name.text();
    if (dialect.namespaces() && !at("(")) return s -> namespaceAttribute(target.eval(s), attr);
    if (!dialect.methods().contains(attr)) throw error("method '" + attr + "' is not allowed", name);
    if (!accept("(")) throw error("only method calls are allowed after '.'", peek());
    List<Node> args = arguments();
    return s -> Builtins.method(target.eval(s), attr, evalAll(args, s));
  }

  private static Object namespaceAttribute(Object target, String name) {
    if (target instanceof Map<?, ?> m) return m.containsKey(name) ? Values.normalise(m.get(name)) : EMPTY;
    throw new ExpressionException("'" + Values.typeName(target) + "' object has no attribute '" + name + "'");
  }

  private List<Node> arguments() {
    List<Node> args = new ArrayList<>();
    if (accept(")")) return args;
    do {
      if (at(")")) break;
      args.add(expression());
    } while (accept(","));
    expect(")");
    return args;
  }

  private static List<Object> evalAll(List<Node> nodes, Scope s) {
    List<Object> out = new ArrayList<>(nodes.size());
    for (Node n : nodes) out.add(Values.normalise(n.eval(s)));
    return out;
  }

  private Node atom() {
    Token t = peek();
    switch (t.kind()) {
      case NUMBER, STRING -> {
        i++;
        return new Const(t.value());
      }
      case METER -> {
        i++;
        String meter = (String) t.value();
        meters.add(meter);
        String key = "$(" + meter + ")";
        if (at(".")) return s -> s.variables().containsKey(key) ? s.variables().get(key) : EMPTY;
        return s -> namespaceAttribute(s.variables().containsKey(key) ? s.variables().get(key) : EMPTY, "volume");
      }
      case NAME -> {
        i++;
        return name(t);
      }
      case OP -> {
        if (accept("(")) {
          Node n = expression();
          expect(")");
          return n;
        }
        if (accept("[")) return listOrComprehension();
        throw error("unexpected '" + t.text() + "'", t);
      }
      default -> throw error("unexpected end", t);
    }
  }

  private Node name(Token t) {
    switch (t.text()) {
      case "None": return new Const(null);
      case "True": return new Const(Boolean.TRUE);
      case "False": return new Const(Boolean.FALSE);
      default: break;
    }
    if (KEYWORDS.contains(t.text())) throw error("unexpected keyword '" + t.text() + "'", t);
    String name = t.text();
    if (at("(")) {
      if (!dialect.functions().contains(name)) {
        throw error("calls are not allowed, but to " + dialect.functionList() + ": '" + name + "' is not allowed", t);
      }
      i++;
      List<Node> args = arguments();
      return s -> Builtins.call(name, evalAll(args, s));
    }
    if (!loopVariables.contains(name)) {
      if (dialect.variables() != null && !dialect.variables().contains(name)) throw error("unknown name '" + name + "'", t);
      names.add(name);
    }
    return s -> s.lookup(name);
  }

  private Node listOrComprehension() {
    if (accept("]")) return s -> new ArrayList<>();
    // a comprehension's variable must be known while its element expression is parsed
    int mark = i;
    String variable = comprehensionVariable();
    if (variable != null) loopVariables.add(variable);
    Node first = expression();
    if (accept("for")) {
      Token v = peek();
      if (v.kind() != Kind.NAME || KEYWORDS.contains(v.text())) throw error("expected a loop variable", v);
      i++;
      expect("in");
      Node iterable = disjunction();
      List<Node> conditions = new ArrayList<>();
      while (accept("if")) conditions.add(disjunction());
      expect("]");
      loopVariables.remove(loopVariables.size() - 1);
      return comprehension(v.text(), first, iterable, conditions);
    }
    if (variable != null) {
      i = mark;
      loopVariables.remove(loopVariables.size() - 1);
      first = expression();
    }
    List<Node> items = new ArrayList<>();
    items.add(first);
    while (accept(",")) {
      if (at("]")) break;
      items.add(expression());
    }
    expect("]");
    return s -> evalAll(items, s);
  }

  private static Node comprehension(String name, Node element, Node iterable, List<Node> conditions) {
    return s -> {
      List<Object> out = new ArrayList<>();
      for (Object item : Values.iterate(iterable.eval(s))) {
        Scope inner = new Scope(s.variables(), s, name, Values.normalise(item));
        boolean keep = true;
        for (Node c : conditions) {
          if (!Values.truthy(c.eval(inner))) {
            keep = false;
            break;
          }
        }
        if (keep) out.add(element.eval(inner));
      }
      return out;
    };
  }

  /** Looks ahead for {@code for NAME in} at this bracket depth and returns NAME. */
  private String comprehensionVariable() {
    int nesting = 0;
    for (int k = i; k < tokens.size(); k++) {
      Token t = tokens.get(k);
      if (t.kind() == Kind.OP && (t.text().equals("[") || t.text().equals("(") || t.text().equals("{"))) {
        nesting++;
      } else if (t.kind() == Kind.OP && (t.text().equals("]") || t.text().equals(")") || t.text().equals("}"))) {
        if (nesting == 0) return null;
        nesting--;
      } else if (nesting == 0 && t.kind() == Kind.NAME && t.text().equals("for") && k + 1 < tokens.size()) {
        return tokens.get(k + 1).text();
      }
    }
    return null;
  }
}
