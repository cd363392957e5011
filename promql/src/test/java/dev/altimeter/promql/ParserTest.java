package dev.altimeter.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Golden cases: the parse tree (printed fully parenthesised) and Prometheus' error messages. */
class ParserTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      1 + 2 * 3                              | (1 + (2 * 3))
      1 * 2 + 3                              | ((1 * 2) + 3)
      a - b - c                              | ((a - b) - c)
      2 ^ 3 ^ 2                              | (2 ^ (3 ^ 2))
      -2 ^ 2                                 | -(2 ^ 2)
      -a * b                                 | (-a * b)
      - - a                                  | --a
      +a                                     | a
      -1                                     | -1
      a or b and c                           | (a or (b and c))
      a and b unless c                       | ((a and b) unless c)
      a + b > c * d                          | ((a + b) > (c * d))
      a > bool b                             | (a > bool b)
      a == bool on(x, y) b                   | (a == bool on(x,y) b)
      a * ignoring(x) group_left(y) b        | (a * ignoring(x) group_left(y) b)
      a / on() group_right b                 | (a / on() group_right() b)
      a AND b OR c                           | ((a and b) or c)
      0x1F + 1.5e3 + .5 + Inf - nan          | ((((31 + 1500) + 0.5) + Inf) - NaN)
      foo{a="b", c!="d", e=~"f", g!~"h"}     | foo{a="b",c!="d",e=~"f",g!~"h"}
      {__name__="foo", a="b"}                | {__name__="foo",a="b"}
      foo offset 5m                          | foo offset 300000ms
      foo offset -1h30m                      | foo offset -5400000ms
      foo[5m] offset 1d                      | foo[300000ms] offset 86400000ms
      foo:bar_baz[1y]                        | foo:bar_baz[31536000000ms]
      foo[9223372036854ms]                   | foo[9223372036854ms]
      rate(foo[5m:30s] offset 1m)            | rate(foo[300000ms:30000ms] offset 60000ms)
      max_over_time(rate(foo[1m])[10m:])     | max_over_time(rate(foo[60000ms])[600000ms:0ms])
      sum by (a, b) (foo)                    | sum by (a,b) (foo)
      sum(foo) without (a)                   | sum without (a) (foo)
      SUM BY (a) (foo)                       | sum by (a) (foo)
      topk(3, foo)                           | topk(3, foo)
      count_values("v", foo)                 | count_values("v", foo)
      quantile without () (0.9, foo)         | quantile without () (0.9, foo)
      label_replace(foo, "a", "$1", "b", "(.*)") | label_replace(foo, "a", "$1", "b", "(.*)")
      round(foo)                             | round(foo)
      round(foo, 5)                          | round(foo, 5)
      (foo + bar) * 2                        | ((foo + bar) * 2)
      foo # a comment                        | foo
      by{on="x"}                             | by{on="x"}
      sum{a="b"} + 1                         | (sum{a="b"} + 1)
      """)
  void parses(String query, String tree) {
    assertThat(print(Parser.parse(query))).isEqualTo(tree);
  }

  @Test
  void stringLiterals() {
    assertThat(print(Parser.parse("'single'"))).isEqualTo("\"single\"");
    assertThat(print(Parser.parse("`raw\\n`"))).isEqualTo("\"raw\\n\"");
    assertThat(print(Parser.parse("\"esc\\\"aped\\u00e9\\x41\\101\\t\"")))
        .isEqualTo("\"esc\"aped\u00e9AA\t\"");
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    String parens = "(".repeat(100_000) + "1" + ")".repeat(100_000);
    String chain = "1" + " + 1".repeat(100_000);
    String mixed = "sum(".repeat(150) + "(foo" + " * 2".repeat(100) + ")" + ")".repeat(150);
    String chainOfChains = "(".repeat(20) + ("1" + " + 1".repeat(50) + ") + ").repeat(20) + "1";
    for (String q : new String[] {parens, chain, mixed, chainOfChains}) {
      assertThatThrownBy(() -> Parser.parse(q)).isInstanceOf(QueryException.class)
          .hasMessageContaining("query is nested too deeply (more than 200 levels)");
    }
    assertThat(print(Parser.parse("(".repeat(150) + "1" + ")".repeat(150)))).isEqualTo("1");
    assertThat(Parser.parse("1" + " + 1".repeat(150))).isInstanceOf(Expr.Binary.class);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      ``                                     | 1:1: parse error: no expression found in input
      foo{                                   | 1:5: parse error: unexpected end of input in label matching
      foo}                                   | 1:4: parse error: unexpected "}"
      1 == 1                                 | 1:3: parse error: comparisons between scalars must use BOOL modifier
      foo + bool bar                         | 1:5: parse error: bool modifier can only be used on comparison operators
      rate(foo)                              | 1:1: parse error: expected type range vector in call to function "rate", got instant vector
      sum(foo[5m])                           | 1:1: parse error: expected type instant vector in aggregation expression, got range vector
      foo @ 100                              | 1:5: parse error: the @ modifier is not supported by this server
      sort(foo)                              | 1:1: parse error: function "sort" is not supported by this server
      nosuchfn(foo)                          | 1:1: parse error: unknown function with name "nosuchfn"
      foo and 1                              | 1:5: parse error: set operator "and" not allowed in binary scalar expression
      foo + on(a) group_left(a) bar          | 1:5: parse error: label "a" must not occur in ON and GROUP clause at once
      foo and on(a) group_left bar           | 1:15: parse error: no grouping allowed for "and" operation
      1 + on(a) foo                          | 1:3: parse error: vector matching only allowed between instant vectors
      foo[5m] + 1                            | 1:9: parse error: binary expression must contain only scalar and instant vector types
      {a=""}                                 | 1:1: parse error: vector selector must contain at least one non-empty matcher
      foo{__name__="bar"}                    | 1:5: parse error: metric name must not be set twice: "foo" or "bar"
      (foo)[5m]                              | 1:6: parse error: ranges only allowed for vector selectors
      foo offset 5m offset 1m                | 1:15: parse error: offset may not be set multiple times
      foo offset 5m [1m]                     | 1:15: parse error: no offset modifiers allowed before range
      1 offset 5m                            | 1:3: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery
      topk(foo)                              | 1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1
      round(foo, 1, 2)                       | 1:1: parse error: expected at most 2 argument(s) in call to "round", got 3
      label_replace(foo)                     | 1:1: parse error: expected 5 argument(s) in call to "label_replace", got 1
      foo[5m:1m:1m]                          | 1:10: parse error: unexpected ":" in subquery selector, expected "]"
      foo[5x]                                | 1:5: parse error: bad number or duration syntax: "5x"
      foo[1h5d]                              | 1:5: parse error: not a valid duration string: "1h5d"
      x[99999999999y]                        | 1:3: parse error: duration out of range
      x[99999999999999999999ms]              | 1:3: parse error: duration out of range
      x[293y]                                | 1:3: parse error: duration out of range
      x offset 9223372036855ms               | 1:10: parse error: duration out of range
      x[5m:99999999999w]                     | 1:6: parse error: duration out of range
      foo{a=~"("}                            | 1:8: parse error: invalid regular expression in matcher a=~"(": Unclosed group
      count_values("a-b", foo)               | 1:1: parse error: invalid label name "a-b"
      foo[5m][1m]                            | 1:8: parse error: ranges only allowed for vector selectors
      rate(1[1m:])                           | 1:7: parse error: subquery is only allowed on instant vector, got scalar instead
      -foo[5m]                               | 1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"
      "unterminated                          | 1:1: parse error: unterminated quoted string
      foo ! bar                              | 1:5: parse error: unexpected character after '!': ' '
      1 atan2 2                              | 1:3: parse error: the atan2 operator is not supported by this server
      1e400                                  | 1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range
      """)
  void rejects(String query, String message) {
    assertThatThrownBy(() -> Parser.parse(query))
        .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.type()).isEqualTo(QueryException.ErrorType.BAD_DATA))
        .hasMessageContaining(message);
  }

  /** match[]'s selectors: the matchers in written order, the name's first (as __name__). */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      foo                                    | __name__="foo"
      foo:bar{a="b"}                         | __name__="foo:bar",a="b"
      {a=~'x.*', b!="y"}                     | a=~"x.*",b!="y"
      sum                                    | __name__="sum"
      {__name__="up",a=""}                   | __name__="up",a=""
      """)
  void parsesSelectors(String selector, String matchers) {
    assertThat(PromQlEngine.parseSelector(selector).stream().map(LabelMatcher::toString).collect(Collectors.joining(",")))
        .isEqualTo(matchers);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      ``                                     | 1:1: parse error: no expression found in input
      {a=""}                                 | match[] must contain at least one non-empty matcher
      {}                                     | match[] must contain at least one non-empty matcher
      {a=~".*",b!~"x"}                       | match[] must contain at least one non-empty matcher
      cpu{                                   | 1:5: parse error: unexpected end of input in label matching
      foo[5m]                                | 1:4: parse error: unexpected "["
      foo + bar                              | 1:5: parse error: unexpected "+"
      sum(foo)                               | 1:4: parse error: unexpected "("
      1                                      | 1:1: parse error: unexpected "1"
      foo{__name__="bar"}                    | 1:5: parse error: metric name must not be set twice: "foo" or "bar"
      {a=~"("}                               | 1:5: parse error: invalid regular expression in matcher a=~"(": Unclosed group
      """)
  void rejectsSelectors(String selector, String message) {
    assertThatThrownBy(() -> PromQlEngine.parseSelector(selector))
        .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.type()).isEqualTo(QueryException.ErrorType.BAD_DATA))
        .hasMessage(message);
  }

  /** Fully parenthesised, durations in ms: makes precedence and attachment visible. */
  static String print(Expr e) {
    if (e instanceof Expr.NumberLiteral n) {
      double v = n.value();
      return Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "Inf" : "-Inf")
          : new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    } else if (e instanceof Expr.StringLiteral s) {
      return '"' + s.value() + '"';
    } else if (e instanceof Expr.Paren p) {
      return print(p.expr());
    } else if (e instanceof Expr.VectorSelector vs) {
      String matchers = vs.matchers.stream().filter(m -> vs.name == null || !m.name().equals(Labels.METRIC_NAME))
          .map(LabelMatcher::toString).collect(Collectors.joining(","));
      return (vs.name == null ? "" : vs.name) + (matchers.isEmpty() ? "" : "{" + matchers + "}")
          + (vs.offsetMs != 0 ? " offset " + vs.offsetMs + "ms" : "");
    } else if (e instanceof Expr.MatrixSelector ms) {
      String sel = print(new Expr.VectorSelector(ms.selector().name, ms.selector().matchers, 0));
      return sel + "[" + ms.rangeMs() + "ms]" + (ms.selector().offsetMs != 0 ? " offset " + ms.selector().offsetMs + "ms" : "");
    } else if (e instanceof Expr.Subquery sq) {
      return print(sq.expr) + "[" + sq.rangeMs + "ms:" + sq.stepMs + "ms]" + (sq.offsetMs != 0 ? " offset " + sq.offsetMs + "ms" : "");
    } else if (e instanceof Expr.Unary u) {
      return "-" + print(u.expr());
    } else if (e instanceof Expr.Call c) {
      return c.function().promName + "(" + c.args().stream().map(ParserTest::print).collect(Collectors.joining(", ")) + ")";
    } else if (e instanceof Expr.Aggregate a) {
      String grouping = a.grouping().isEmpty() && !a.without() ? "" : (a.without() ? " without (" : " by (")
          + String.join(",", a.grouping()) + ")";
      return a.op().text + grouping + (grouping.isEmpty() ? "(" : " (") + (a.param() == null ? "" : print(a.param()) + ", ") + print(a.expr()) + ")";
    } else if (e instanceof Expr.Binary b) {
      StringBuilder s = new StringBuilder("(").append(print(b.lhs())).append(' ').append(b.op().text);
      if (b.returnBool()) {
        s.append(" bool");
      }
      Expr.VectorMatching m = b.matching();
      if (m != null && (m.on() || !m.matchingLabels().isEmpty())) {
        s.append(m.on() ? " on(" : " ignoring(").append(String.join(",", m.matchingLabels())).append(')');
      }
      if (m != null && m.card() == Expr.VectorMatching.Card.MANY_TO_ONE) {
        s.append(" group_left(").append(String.join(",", m.include())).append(')');
      } else if (m != null && m.card() == Expr.VectorMatching.Card.ONE_TO_MANY) {
        s.append(" group_right(").append(String.join(",", m.include())).append(')');
      }
      return s.append(' ').append(print(b.rhs())).append(')').toString();
    }
    throw new IllegalArgumentException(String.valueOf(e));
  }
}
