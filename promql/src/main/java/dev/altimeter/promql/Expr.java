package dev.altimeter.promql;

import java.util.List;

/**
 * The abstract syntax tree of a parsed query, as Prometheus' parser.Node types. Times and
 * durations in milliseconds. Nodes are immutable, compared by identity where the evaluator keys
 * data by node (selectors, subqueries).
 */
sealed interface Expr {

  /** The static type of the expression's value. */
  ValueType type();

  enum ValueType {
    SCALAR("scalar"), VECTOR("instant vector"), MATRIX("range vector"), STRING("string");

    final String promName;

    ValueType(String promName) {
      this.promName = promName;
    }

    @Override
    public String toString() {
      return promName;
    }
  }

  record NumberLiteral(double value) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.SCALAR;
    }
  }

  record StringLiteral(String value) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.STRING;
    }
  }

  /** {@code name{matchers} offset o}; matchers include {@code __name__="name"} when a name is given. */
  final class VectorSelector implements Expr {
    final String name;
    final List<LabelMatcher> matchers;
    final long offsetMs;

    VectorSelector(String name, List<LabelMatcher> matchers, long offsetMs) {
      this.name = name;
      this.matchers = List.copyOf(matchers);
      this.offsetMs = offsetMs;
    }

    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }

    @Override
    public String toString() {
      return "VectorSelector" + matchers + (offsetMs != 0 ? " offset " + offsetMs + "ms" : "");
    }
  }

  record MatrixSelector(VectorSelector selector, long rangeMs) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }
  }

  /** {@code expr[range:step] offset o}; step 0 means the default resolution. */
  final class Subquery implements Expr {
    final Expr expr;
    final long rangeMs;
    final long stepMs;
    final long offsetMs;

    Subquery(Expr expr, long rangeMs, long stepMs, long offsetMs) {
      this.expr = expr;
      this.rangeMs = rangeMs;
      this.stepMs = stepMs;
      this.offsetMs = offsetMs;
    }

    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }

    @Override
    public String toString() {
      return "Subquery(" + expr + ")[" + rangeMs + "ms:" + stepMs + "ms] offset " + offsetMs + "ms";
    }
  }

  record Paren(Expr expr) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }
  }

  record Unary(boolean minus, Expr expr) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }
  }

  record Call(Function function, List<Expr> args) implements Expr {
    @Override
    public ValueType type() {
      return function.returnType();
    }
  }

  record Aggregate(AggregateOp op, Expr expr, Expr param, List<String> grouping, boolean without) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }
  }

  /**
   * Vector matching of a binary operation. {@code card} as Prometheus: ONE_TO_ONE, MANY_TO_ONE
   * (group_left), ONE_TO_MANY (group_right), MANY_TO_MANY (set operators).
   */
  record VectorMatching(Card card, List<String> matchingLabels, boolean on, List<String> include) {
    enum Card { ONE_TO_ONE, MANY_TO_ONE, ONE_TO_MANY, MANY_TO_MANY }
  }

  /** matching is null unless both sides are vectors. */
  record Binary(BinaryOp op, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool) implements Expr {
    @Override
    public ValueType type() {
      return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR ? ValueType.SCALAR : ValueType.VECTOR;
    }
  }

  enum BinaryOp {
    OR("or", 1), AND("and", 2), UNLESS("unless", 2),
    EQL("==", 3), NEQ("!=", 3), LTE("<=", 3), LSS("<", 3), GTE(">=", 3), GTR(">", 3),
    ADD("+", 4), SUB("-", 4),
    MUL("*", 5), DIV("/", 5), MOD("%", 5), ATAN2("atan2", 5),
    POW("^", 6);

    final String text;
    final int precedence;

    BinaryOp(String text, int precedence) {
      this.text = text;
      this.precedence = precedence;
    }

    boolean isComparison() {
      return precedence == 3;
    }

    boolean isSet() {
      return this == OR || this == AND || this == UNLESS;
    }

    boolean rightAssociative() {
      return this == POW;
    }

    /** Prometheus drops {@code __name__} from results of arithmetic, keeps it for comparisons and sets. */
    boolean dropsMetricName() {
      return precedence >= 4;
    }
  }

  enum AggregateOp {
    SUM, AVG, MIN, MAX, COUNT, STDDEV, STDVAR, GROUP, TOPK, BOTTOMK, QUANTILE, COUNT_VALUES;

    final String text = name().toLowerCase(java.util.Locale.ROOT);

    boolean hasParam() {
      return this == TOPK || this == BOTTOMK || this == QUANTILE || this == COUNT_VALUES;
    }
  }
}
