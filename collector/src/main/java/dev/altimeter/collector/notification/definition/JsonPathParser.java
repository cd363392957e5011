package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.notification.definition.JsonPath.Child;
import dev.altimeter.collector.notification.definition.JsonPath.Condition;
import dev.altimeter.collector.notification.definition.JsonPath.Descendants;
import dev.altimeter.collector.notification.definition.JsonPath.Fields;
import dev.altimeter.collector.notification.definition.JsonPath.Filter;
import dev.altimeter.collector.notification.definition.JsonPath.Index;
import dev.altimeter.collector.notification.definition.JsonPath.Len;
import dev.altimeter.collector.notification.definition.JsonPath.Literal;
import dev.altimeter.collector.notification.definition.JsonPath.Operation;
import dev.altimeter.collector.notification.definition.JsonPath.ParseException;
import dev.altimeter.collector.notification.definition.JsonPath.Root;
import dev.altimeter.collector.notification.definition.JsonPath.Slice;
import dev.altimeter.collector.notification.definition.JsonPath.Split;
import dev.altimeter.collector.notification.definition.JsonPath.Sub;
import dev.altimeter.collector.notification.definition.JsonPath.This;
import dev.altimeter.collector.notification.definition.JsonPath.Union;
import dev.altimeter.collector.notification.definition.JsonPath.Where;
import dev.altimeter.collector.notification.definition.JsonPathLexer.Kind;
import dev.altimeter.collector.notification.definition.JsonPathLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Pratt parser of jsonpath-rw's grammar (with jsonpath-rw-ext's arithmetic, filters and named
 * operators) into {@link JsonPath} nodes. Binding powers, loosest first: {@code + -}, {@code * /},
 * {@code ..}, {@code .}, {@code |}, {@code &} (refused), {@code where}; brackets bind to the step
 * before them. One instance parses one text.
 */
final class JsonPathParser {
  private final List<Token> tokens;
  private final String text;
  private int pos;
  private boolean inFilter;

  JsonPathParser(List<Token> tokens, String text) {
    this.tokens = tokens;
    this.text = text;
  }

  JsonPath parseAll() throws ParseException {
    JsonPath p = parse(0);
    if (peek().kind() != Kind.END) throw error(peek());
    return p;
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private Token next() {
    return tokens.get(pos++);
  }

  private ParseException error(Token t) {
    return new ParseException("unexpected " + (t.kind() == Kind.END ? "end of path" : "'" + t.text() + "'")
        + " at column " + t.column());
  }

  private void expect(String literal) throws ParseException {
    Token t = next();
    if (!t.is(literal)) throw error(t);
  }

  /** Binding power of an infix token; -1 when it is not an infix operator here. */
  private int infix(Token t) {
    if (t.kind() == Kind.DOUBLEDOT) return 40;
    if (t.kind() == Kind.WHERE) return 80;
    if (t.kind() != Kind.LITERAL) return -1;
    return switch (t.text()) {
      case "+", "-" -> 10;
      case "*", "/" -> 20;
      case "." -> 50;
      case "|" -> 60;
      case "&" -> inFilter ? -1 : 70;
      default -> -1;
    };
  }

  private JsonPath parse(int minPower) throws ParseException {
    JsonPath left = prefix();
    while (true) {
      Token t = peek();
      if (t.is("[")) {
        next();
        left = new Child(left, bracket());
        continue;
      }
      int power = infix(t);
      if (power < 0 || power <= minPower) return left;
      next();
      JsonPath right = parse(power);
      boolean arithmetic = t.kind() == Kind.LITERAL && "+-*/".contains(t.text());
      if (!arithmetic && (left instanceof Literal || right instanceof Literal)) {
        // jsonpath-rw has no rule for a number beside '.', '|', '..' or 'where'
        throw new ParseException("a number cannot be a step of a path, near '" + t.text() + "' at column "
            + t.column());
      }
      if (t.kind() == Kind.DOUBLEDOT) {
        left = new Descendants(left, right);
      } else if (t.kind() == Kind.WHERE) {
        left = new Where(left, right);
      } else {
        switch (t.text()) {
          case "." -> left = new Child(left, right);
          case "|" -> left = new Union(left, right);
          case "&" -> throw new ParseException("'&' (intersection) is not supported, at column " + t.column());
          default -> left = new Operation(operand(left), t.text(), operand(right));
        }
      }
    }
  }

  /** jsonpath-rw-ext: beside an operator a one-field path is a string and a number a constant. */
  private static Object operand(JsonPath p) {
    if (p instanceof Fields f && f.names.size() == 1) return f.names.get(0);
    if (p instanceof Literal l) return l.value;
    return p;
  }

  private JsonPath prefix() throws ParseException {
    Token t = next();
    switch (t.kind()) {
      case ID -> {
        List<String> names = new ArrayList<>(List.of(t.text()));
        while (peek().is(",") && tokens.get(pos + 1).kind() == Kind.ID) {
          next();
          names.add(next().text());
        }
        return new Fields(names);
      }
      case NUMBER, FLOAT -> {
        return new Literal(t.value());
      }
      case NAMED_OPERATOR -> {
        return namedOperator(t);
      }
      case LITERAL -> {
        switch (t.text()) {
          case "$":
            return new Root();
          case "@":
            return new This();
          case "*":
            return new Fields(List.of("*"));
          case "(": {
            JsonPath inner = parse(0);
            expect(")");
            return inner;
          }
          case "[":
            return bracket();
          default:
            throw error(t);
        }
      }
      default -> throw error(t);
    }
  }

  private JsonPath namedOperator(Token t) throws ParseException {
    String op = t.text();
    if (op.equals("this")) return new This();
    if (op.equals("len")) return new Len();
    if (op.startsWith("split(")) {
      Matcher m = Split.SYNTAX.matcher(op);
      if (!m.lookingAt()) throw new ParseException("`" + op + "` is not valid, expected `split(c, segment, max_split)`");
      return new Split(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }
    if (op.startsWith("sub(")) {
      Matcher m = Sub.SYNTAX.matcher(op);
      if (!m.lookingAt()) throw new ParseException("`" + op + "` is not valid, expected `sub(/regex/, repl)`");
      try {
        return new Sub(Pattern.compile(m.group(1).strip()), m.group(2).strip());
      } catch (PatternSyntaxException e) {
        throw new ParseException("bad regular expression in `" + op + "`: " + e.getDescription());
      }
    }
    throw new ParseException("unknown named operator `" + op + "` at column " + t.column());
  }

  /** After '[': an index, a slice, field names or a filter, then ']'. */
  private JsonPath bracket() throws ParseException {
    Token t = peek();
    JsonPath result;
    if (t.is("?")) {
      next();
      boolean outer = inFilter;
      inFilter = true;
      try {
        result = new Filter(expressions());
      } finally {
        inFilter = outer;
      }
    } else if (t.is("*")) {
      next();
      result = new Slice(null, null);
    } else if (t.kind() == Kind.NUMBER || t.is(":")) {
      Integer start = null;
      if (t.kind() == Kind.NUMBER) {
        next();
        start = ((Long) t.value()).intValue();
        if (!peek().is(":")) {
          expect("]");
          return new Index(start);
        }
      }
      expect(":");
      Integer end = null;
      if (peek().kind() == Kind.NUMBER) end = ((Long) next().value()).intValue();
      result = new Slice(start, end);
    } else if (t.kind() == Kind.ID) {
      List<String> names = new ArrayList<>(List.of(next().text()));
      while (peek().is(",")) {
        next();
        Token n = next();
        if (n.kind() != Kind.ID) throw error(n);
        names.add(n.text());
      }
      result = new Fields(names);
    } else {
      throw error(t);
    }
    expect("]");
    return result;
  }

  private List<Condition> expressions() throws ParseException {
    List<Condition> out = new ArrayList<>(expression());
    while (peek().is("&")) {
      next();
      out.addAll(expression());
    }
    return out;
  }

  private List<Condition> expression() throws ParseException {
    if (peek().is("(")) {
      next();
      List<Condition> inner = expressions();
      expect(")");
      return inner;
    }
    JsonPath target = parse(0);
    if (peek().kind() != Kind.FILTER_OP) return List.of(new Condition(target, null, null));
    String op = next().text();
    Token v = next();
    if (v.kind() != Kind.ID && v.kind() != Kind.NUMBER && v.kind() != Kind.FLOAT) throw error(v);
    return List.of(new Condition(target, op, Objects.requireNonNull(v.value())));
  }
}
