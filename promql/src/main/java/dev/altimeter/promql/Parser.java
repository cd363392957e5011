package dev.altimeter.promql;

import dev.altimeter.promql.Expr.AggregateOp;
import dev.altimeter.promql.Expr.BinaryOp;
import dev.altimeter.promql.Expr.ValueType;
import dev.altimeter.promql.Expr.VectorMatching;
import dev.altimeter.promql.Expr.VectorMatching.Card;
import dev.altimeter.promql.Lexer.Kind;
import dev.altimeter.promql.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recursive-descent parser with precedence climbing for binary operators, following Prometheus
 * 2.42's grammar (promql/parser/generated_parser.y) and its type checks (parser.checkAST).
 * Precedence, lowest first: {@code or}; {@code and unless}; comparisons; {@code + -};
 * {@code * / % atan2}; {@code ^} (right-associative). Unary minus binds like {@code *}, so
 * {@code -2^2} is -4. Every error is a {@link QueryException} BAD_DATA with "line:col: parse error:".
 * Not thread-safe; one instance per query.
 */
final class Parser {

  private static final Pattern DURATION = Pattern.compile(
      "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final long[] UNIT_MS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
  /**
   * The longest duration accepted, in ms: Prometheus holds durations as Go's time.Duration (int64
   * ns, about 292 years) and refuses longer ones with "duration out of range".
   */
  static final long MAX_DURATION_MS = Long.MAX_VALUE / 1_000_000;
  static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /**
   * The deepest expression tree accepted. Parsing and evaluation recurse along the tree; a bound
   * keeps a hostile query from overflowing a thread's stack (Reactor rethrows StackOverflowError
   * instead of signalling it). Prometheus' own test queries stay far below it.
   */
  static final int MAX_DEPTH = 200;

  private final String input;
  private final List<Token> tokens;
  private int i;
  private int nesting;
  /** The depth of every inner node's subtree (leaves are 1, and absent). */
  private final java.util.Map<Expr, Integer> depths = new java.util.IdentityHashMap<>();

  private Parser(String input) {
    this.input = input;
    this.tokens = Lexer.lex(input);
  }

  /** Parses and type-checks a whole query. */
  static Expr parse(String query) {
    Parser p = new Parser(query);
    if (p.peek().kind() == Kind.EOF) {
      throw error(query, 0, "no expression found in input");
    }
    Expr e = p.expr(0);
    if (p.peek().kind() != Kind.EOF) {
      throw p.unexpected("");
    }
    return e;
  }

  /**
   * Parses a bare series selector, {@code name{label op "value", ...}} with either part optional,
   * as Prometheus' ParseMetricSelector: no ranges, offsets or operators. The matchers come in
   * written order, the name's first; they are not checked for a non-empty one (the caller's
   * contract differs: a query's selector and the API's match[] word it differently).
   */
  static List<LabelMatcher> parseSelector(String input) {
    Parser p = new Parser(input);
    Token t = p.peek();
    String name = null;
    if (t.kind() == Kind.IDENT || t.kind() == Kind.METRIC_IDENT) {
      name = p.next().text();
    } else if (t.kind() == Kind.EOF) {
      throw error(input, 0, "no expression found in input");
    } else if (t.kind() != Kind.LBRACE) {
      throw p.unexpected("");
    }
    List<LabelMatcher> matchers = p.matchers(name);
    if (p.peek().kind() != Kind.EOF) {
      throw p.unexpected("");
    }
    return matchers;
  }

  static QueryException error(String input, int pos, String message) {
    int line = 1;
    int col = 1;
    for (int k = 0; k < pos && k < input.length(); k++) {
      if (input.charAt(k) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return QueryException.badData(line + ":" + col + ": parse error: " + message);
  }

  private QueryException error(Token at, String message) {
    return error(input, at.pos(), message);
  }

  private QueryException unexpected(String context) {
    Token t = peek();
    return error(t, "unexpected " + t + (context.isEmpty() ? "" : " in " + context));
  }

  private Token peek() {
    return tokens.get(i);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(i + ahead, tokens.size() - 1));
  }

  private Token next() {
    return tokens.get(i++);
  }

  private Token expect(Kind kind, String context) {
    if (peek().kind() != kind) {
      throw unexpected(context);
    }
    return next();
  }

  private boolean isKeyword(String word) {
    return peek().kind() == Kind.IDENT && peek().text().equalsIgnoreCase(word);
  }

  // --- expressions ---

  private Expr expr(int minPrecedence) {
    if (++nesting > MAX_DEPTH) {
      throw error(peek(), "query is nested too deeply (more than " + MAX_DEPTH + " levels)");
    }
    try {
      return binaryChain(minPrecedence);
    } finally {
      nesting--;
    }
  }

  private int depth(Expr e) {
    return depths.getOrDefault(e, 1);
  }

  /** Records a new inner node's depth, refusing trees deeper than MAX_DEPTH. */
  private Expr track(Expr node, Expr... children) {
    int d = 0;
    for (Expr c : children) {
      if (c != null) {
        d = Math.max(d, depth(c));
      }
    }
    if (d + 1 > MAX_DEPTH) {
      throw error(peek(), "query is nested too deeply (more than " + MAX_DEPTH + " levels)");
    }
    depths.put(node, d + 1);
    return node;
  }

  private Expr binaryChain(int minPrecedence) {
    Expr lhs = unary();
    while (true) {
      Token t = peek();
      BinaryOp op = binaryOp(t);
      if (op == null || op.precedence < minPrecedence) {
        return lhs;
      }
      next();
      boolean returnBool = false;
      if (isKeyword("bool")) {
        next();
        returnBool = true;
      }
      List<String> matchingLabels = List.of();
      boolean on = false;
      boolean matchingGiven = false;
      if (isKeyword("on") || isKeyword("ignoring")) {
        on = next().text().equalsIgnoreCase("on");
        matchingGiven = true;
        matchingLabels = labelList("grouping opts");
      }
      Card card = op.isSet() ? Card.MANY_TO_MANY : Card.ONE_TO_ONE;
      List<String> include = List.of();
      if (isKeyword("group_left") || isKeyword("group_right")) {
        Token g = next();
        if (op.isSet()) {
          throw error(g, "no grouping allowed for \"" + op.text + "\" operation");
        }
        if (!matchingGiven) {
          throw error(g, "unexpected <group_left/group_right> without on/ignoring");
        }
        card = g.text().equalsIgnoreCase("group_left") ? Card.MANY_TO_ONE : Card.ONE_TO_MANY;
        if (peek().kind() == Kind.LPAREN) {
          include = labelList("grouping opts");
        }
      }
      Expr rhs = expr(op.rightAssociative() ? op.precedence : op.precedence + 1);
      Expr left = lhs;
      lhs = track(binary(t, op, lhs, rhs, returnBool, new VectorMatching(card, matchingLabels, on, include),
          matchingGiven || card != Card.ONE_TO_ONE && card != Card.MANY_TO_MANY), left, rhs);
    }
  }

  private static BinaryOp binaryOp(Token t) {
    return switch (t.kind()) {
      case ADD -> BinaryOp.ADD;
      case SUB -> BinaryOp.SUB;
      case MUL -> BinaryOp.MUL;
      case DIV -> BinaryOp.DIV;
      case MOD -> BinaryOp.MOD;
      case POW -> BinaryOp.POW;
      case EQL -> BinaryOp.EQL;
      case NEQ -> BinaryOp.NEQ;
      case LTE -> BinaryOp.LTE;
      case LSS -> BinaryOp.LSS;
      case GTE -> BinaryOp.GTE;
      case GTR -> BinaryOp.GTR;
      case IDENT -> switch (t.text().toLowerCase(Locale.ROOT)) {
        case "and" -> BinaryOp.AND;
        case "or" -> BinaryOp.OR;
        case "unless" -> BinaryOp.UNLESS;
        case "atan2" -> BinaryOp.ATAN2;
        default -> null;
      };
      default -> null;
    };
  }

  /** Builds a binary expression with parser.checkAST's rules. */
  private Expr binary(Token at, BinaryOp op, Expr lhs, Expr rhs, boolean returnBool, VectorMatching matching,
      boolean matchingGiven) {
    ValueType lt = lhs.type();
    ValueType rt = rhs.type();
    if (op == BinaryOp.ATAN2) {
      throw error(at, "the atan2 operator is not supported by this server");
    }
    if (returnBool && !op.isComparison()) {
      throw error(at, "bool modifier can only be used on comparison operators");
    }
    if ((lt != ValueType.SCALAR && lt != ValueType.VECTOR) || (rt != ValueType.SCALAR && rt != ValueType.VECTOR)) {
      throw error(at, "binary expression must contain only scalar and instant vector types");
    }
    if (op.isComparison() && !returnBool && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
      throw error(at, "comparisons between scalars must use BOOL modifier");
    }
    if (op.isSet() && (lt == ValueType.SCALAR || rt == ValueType.SCALAR)) {
      throw error(at, "set operator \"" + op.text + "\" not allowed in binary scalar expression");
    }
    boolean vectors = lt == ValueType.VECTOR && rt == ValueType.VECTOR;
    if (matchingGiven && !vectors) {
      throw error(at, "vector matching only allowed between instant vectors");
    }
    for (String l : matching.include()) {
      if (matching.on() && matching.matchingLabels().contains(l)) {
        throw error(at, "label \"" + l + "\" must not occur in ON and GROUP clause at once");
      }
    }
    // Prometheus folds "-1" into a literal; a literal operation stays an expression here.
    return new Expr.Binary(op, lhs, rhs, vectors ? matching : null, returnBool);
  }

  private Expr unary() {
    Token t = peek();
    if (t.kind() == Kind.ADD || t.kind() == Kind.SUB) {
      next();
      Expr operand = expr(BinaryOp.POW.precedence);
      if (operand.type() != ValueType.SCALAR && operand.type() != ValueType.VECTOR) {
        throw error(t, "unary expression only allowed on expressions of type scalar or instant vector, got \""
            + operand.type() + "\"");
      }
      if (t.kind() == Kind.ADD) {
        return operand;
      }
      if (operand instanceof Expr.NumberLiteral n) {
        return new Expr.NumberLiteral(-n.value());
      }
      return track(new Expr.Unary(true, operand), operand);
    }
    return postfix(primary());
  }

  private Expr primary() {
    Token t = peek();
    switch (t.kind()) {
      case NUMBER:
        next();
        return new Expr.NumberLiteral(parseNumber(t));
      case STRING:
        next();
        return new Expr.StringLiteral(t.text());
      case LPAREN: {
        next();
        Expr e = expr(0);
        expect(Kind.RPAREN, "paren expression");
        return track(new Expr.Paren(e), e);
      }
      case LBRACE:
        return selector(null, t);
      case IDENT:
      case METRIC_IDENT: {
        String name = t.text();
        AggregateOp agg = t.kind() == Kind.IDENT ? aggregateOp(name) : null;
        Kind after = peek(1).kind();
        if (agg != null && (after == Kind.LPAREN || isIdent(peek(1), "by") || isIdent(peek(1), "without"))) {
          return aggregate(agg);
        }
        if (t.kind() == Kind.IDENT && after == Kind.LPAREN) {
          return call();
        }
        if (t.kind() == Kind.IDENT && isReservedInExpression(name) && after != Kind.LBRACE) {
          throw unexpected("");
        }
        next();
        return selector(name, t);
      }
      default:
        throw unexpected("");
    }
  }

  private static boolean isIdent(Token t, String word) {
    return t.kind() == Kind.IDENT && t.text().equalsIgnoreCase(word);
  }

  private static boolean isReservedInExpression(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or",
          "unless", "atan2" -> true;
      default -> false;
    };
  }

  private static AggregateOp aggregateOp(String name) {
    for (AggregateOp op : AggregateOp.values()) {
      if (op.text.equalsIgnoreCase(name)) {
        return op;
      }
    }
    return null;
  }

  private double parseNumber(Token t) {
    String s = t.text();
    if (s.equalsIgnoreCase("inf")) {
      return Double.POSITIVE_INFINITY;
    }
    if (s.equalsIgnoreCase("nan")) {
      return Double.NaN;
    }
    try {
      if (s.startsWith("0x") || s.startsWith("0X")) {
        return Long.parseLong(s.substring(2), 16);
      }
      double v = Double.parseDouble(s);
      if (Double.isInfinite(v)) {
        // Go's strconv.ParseFloat fails with "value out of range" where Java rounds to Infinity
        throw error(t, "error parsing number: strconv.ParseFloat: parsing \"" + s + "\": value out of range");
      }
      return v;
    } catch (NumberFormatException e) {
      throw error(t, "bad number or duration syntax: \"" + s + "\"");
    }
  }

  private Expr selector(String name, Token at) {
    List<LabelMatcher> matchers = matchers(name);
    boolean nonEmpty = false;
    for (LabelMatcher m : matchers) {
      nonEmpty |= !m.matches("");
    }
    if (!nonEmpty) {
      throw error(at, "vector selector must contain at least one non-empty matcher");
    }
    return new Expr.VectorSelector(name, matchers, 0);
  }

  /** The optional name (already consumed) as a matcher, then the {@code {...}} ones if any follow. */
  private List<LabelMatcher> matchers(String name) {
    List<LabelMatcher> matchers = new ArrayList<>();
    if (name != null) {
      matchers.add(new LabelMatcher(Labels.METRIC_NAME, LabelMatcher.Type.EQ, name));
    }
    if (peek().kind() == Kind.LBRACE) {
      next();
      while (peek().kind() != Kind.RBRACE) {
        Token label = next();
        if (label.kind() != Kind.IDENT && !(label.kind() == Kind.NUMBER && LABEL_NAME.matcher(label.text()).matches())) {
          i--;
          throw unexpected("label matching");
        }
        LabelMatcher.Type type = switch (peek().kind()) {
          case ASSIGN -> LabelMatcher.Type.EQ;
          case NEQ -> LabelMatcher.Type.NEQ;
          case EQL_REGEX -> LabelMatcher.Type.RE;
          case NEQ_REGEX -> LabelMatcher.Type.NRE;
          default -> throw unexpected("label matching, expected label matching operator");
        };
        next();
        Token value = expect(Kind.STRING, "label matching, expected string");
        LabelMatcher m = new LabelMatcher(label.text(), type, value.text());
        try {
          m.pattern(); // validates regular expressions now
        } catch (QueryException e) {
          throw error(value, e.getMessage());
        }
        if (name != null && m.name().equals(Labels.METRIC_NAME)) {
          throw error(label, "metric name must not be set twice: \"" + name + "\" or \"" + m.value() + "\"");
        }
        matchers.add(m);
        if (peek().kind() == Kind.COMMA) {
          next();
        } else if (peek().kind() != Kind.RBRACE) {
          throw unexpected("label matching, expected \",\" or \"}\"");
        }
      }
      next();
    }
    return matchers;
  }

  /** {@code [range]}, {@code [range:step]}, {@code offset d}, {@code @} after a primary expression. */
  private Expr postfix(Expr e) {
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.LBRACKET) {
        next();
        long range = duration(expect(Kind.DURATION, "range or subquery, expected duration"));
        if (peek().kind() == Kind.COLON) {
          next();
          long step = 0;
          if (peek().kind() == Kind.DURATION) {
            step = duration(next());
          }
          expect(Kind.RBRACKET, "subquery selector, expected \"]\"");
          if (e.type() != ValueType.VECTOR) {
            throw error(t, "subquery is only allowed on instant vector, got " + e.type() + " instead");
          }
          if (e instanceof Expr.Subquery || e instanceof Expr.MatrixSelector) {
            throw error(t, "subquery is only allowed on instant vector, got range vector instead");
          }
          e = track(new Expr.Subquery(e, range, step, 0), e);
        } else {
          expect(Kind.RBRACKET, "range selector, expected \"]\"");
          if (!(e instanceof Expr.VectorSelector vs)) {
            throw error(t, "ranges only allowed for vector selectors");
          }
          if (vs.offsetMs != 0) {
            throw error(t, "no offset modifiers allowed before range");
          }
          e = new Expr.MatrixSelector(vs, range);
        }
      } else if (isKeyword("offset")) {
        next();
        boolean negative = false;
        if (peek().kind() == Kind.SUB || peek().kind() == Kind.ADD) {
          negative = next().kind() == Kind.SUB;
        }
        long offset = duration(expect(Kind.DURATION, "offset, expected duration"));
        e = withOffset(e, negative ? -offset : offset, t);
      } else if (t.kind() == Kind.AT) {
        throw error(t, "the @ modifier is not supported by this server");
      } else {
        return e;
      }
    }
  }

  private Expr withOffset(Expr e, long offset, Token at) {
    if (e instanceof Expr.VectorSelector vs) {
      if (vs.offsetMs != 0) {
        throw error(at, "offset may not be set multiple times");
      }
      return new Expr.VectorSelector(vs.name, vs.matchers, offset);
    }
    if (e instanceof Expr.MatrixSelector ms) {
      if (ms.selector().offsetMs != 0) {
        throw error(at, "offset may not be set multiple times");
      }
      return new Expr.MatrixSelector(new Expr.VectorSelector(ms.selector().name, ms.selector().matchers, offset),
          ms.rangeMs());
    }
    if (e instanceof Expr.Subquery sq) {
      if (sq.offsetMs != 0) {
        throw error(at, "offset may not be set multiple times");
      }
      return track(new Expr.Subquery(sq.expr, sq.rangeMs, sq.stepMs, offset), sq.expr);
    }
    throw error(at, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
  }

  private long duration(Token t) {
    Matcher m = DURATION.matcher(t.text());
    if (!m.matches()) {
      throw error(t, "not a valid duration string: \"" + t.text() + "\"");
    }
    long ms = 0;
    try {
      for (int g = 1; g <= 7; g++) {
        if (m.group(g) != null) {
          ms = Math.addExact(ms, Math.multiplyExact(Long.parseLong(m.group(g)), UNIT_MS[g - 1]));
        }
      }
    } catch (ArithmeticException | NumberFormatException e) { // beyond 64 bits of ms, or of digits
      ms = Long.MAX_VALUE;
    }
    if (ms > MAX_DURATION_MS) {
      throw error(t, "duration out of range");
    }
    if (ms == 0) {
      throw error(t, "duration must be greater than 0");
    }
    return ms;
  }

  private List<String> labelList(String context) {
    expect(Kind.LPAREN, context);
    List<String> labels = new ArrayList<>();
    while (peek().kind() != Kind.RPAREN) {
      Token l = next();
      if (l.kind() != Kind.IDENT || !LABEL_NAME.matcher(l.text()).matches()) {
        i--;
        throw unexpected(context + ", expected label");
      }
      labels.add(l.text());
      if (peek().kind() == Kind.COMMA) {
        next();
      } else if (peek().kind() != Kind.RPAREN) {
        throw unexpected(context + ", expected \",\" or \")\"");
      }
    }
    next();
    return labels;
  }

  private Expr aggregate(AggregateOp op) {
    Token at = next();
    List<String> grouping = List.of();
    boolean without = false;
    boolean groupingGiven = false;
    if (isKeyword("by") || isKeyword("without")) {
      without = next().text().equalsIgnoreCase("without");
      grouping = labelList("grouping opts");
      groupingGiven = true;
    }
    List<Expr> args = arguments("aggregation");
    if (isKeyword("by") || isKeyword("without")) {
      if (groupingGiven) {
        throw unexpected("aggregation");
      }
      without = next().text().equalsIgnoreCase("without");
      grouping = labelList("grouping opts");
    }
    int expected = op.hasParam() ? 2 : 1;
    if (args.size() != expected) {
      throw error(at, "wrong number of arguments for aggregate expression provided, expected " + expected
          + ", got " + args.size());
    }
    Expr param = op.hasParam() ? args.get(0) : null;
    Expr e = args.get(args.size() - 1);
    if (e.type() != ValueType.VECTOR) {
      throw error(at, "expected type instant vector in aggregation expression, got " + e.type());
    }
    if (param != null) {
      ValueType want = op == AggregateOp.COUNT_VALUES ? ValueType.STRING : ValueType.SCALAR;
      if (param.type() != want) {
        throw error(at, "expected type " + want + " in aggregation parameter, got " + param.type());
      }
    }
    if (op == AggregateOp.COUNT_VALUES && param instanceof Expr.StringLiteral s
        && !LABEL_NAME.matcher(s.value()).matches()) {
      throw error(at, "invalid label name \"" + s.value() + "\"");
    }
    return track(new Expr.Aggregate(op, e, param, List.copyOf(grouping), without), e, param);
  }

  private List<Expr> arguments(String context) {
    expect(Kind.LPAREN, context);
    List<Expr> args = new ArrayList<>();
    while (peek().kind() != Kind.RPAREN) {
      args.add(expr(0));
      if (peek().kind() == Kind.COMMA) {
        next();
      } else if (peek().kind() != Kind.RPAREN) {
        throw unexpected(context + ", expected \",\" or \")\"");
      }
    }
    next();
    return args;
  }

  private Expr call() {
    Token at = next();
    String name = at.text();
    Function f = Function.byName(name);
    if (f == null) {
      if (Function.UNSUPPORTED.contains(name)) {
        throw error(at, "function \"" + name + "\" is not supported by this server");
      }
      throw error(at, "unknown function with name \"" + name + "\"");
    }
    List<Expr> args = arguments("function call");
    int declared = f.argTypes.size();
    boolean unbounded = f.optional < 0;
    int min = unbounded ? declared - 1 : declared - f.optional;
    int max = unbounded ? Integer.MAX_VALUE : declared;
    if (args.size() < min || args.size() > max) {
      String expected = min == max ? "expected " + max + " argument(s)"
          : args.size() < min ? "expected at least " + min + " argument(s)" : "expected at most " + max + " argument(s)";
      throw error(at, expected + " in call to \"" + name + "\", got " + args.size());
    }
    for (int k = 0; k < args.size(); k++) {
      ValueType want = f.argTypes.get(Math.min(k, declared - 1));
      ValueType got = args.get(k).type();
      if (got != want) {
        throw error(at, "expected type " + want + " in call to function \"" + name + "\", got " + got);
      }
    }
    return track(new Expr.Call(f, List.copyOf(args)), args.toArray(new Expr[0]));
  }
}
