package dev.altimeter.promql;

import static dev.altimeter.promql.Expr.ValueType.MATRIX;
import static dev.altimeter.promql.Expr.ValueType.SCALAR;
import static dev.altimeter.promql.Expr.ValueType.STRING;
import static dev.altimeter.promql.Expr.ValueType.VECTOR;

import dev.altimeter.promql.Expr.ValueType;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The supported PromQL functions with Prometheus' signatures. {@code optional} trailing arguments
 * may be left out (round's to_nearest).
 */
enum Function {
  ABS(VECTOR, VECTOR), CEIL(VECTOR, VECTOR), FLOOR(VECTOR, VECTOR),
  ROUND(1, VECTOR, VECTOR, SCALAR),
  CLAMP(VECTOR, VECTOR, SCALAR, SCALAR), CLAMP_MIN(VECTOR, VECTOR, SCALAR), CLAMP_MAX(VECTOR, VECTOR, SCALAR),
  LABEL_REPLACE(VECTOR, VECTOR, STRING, STRING, STRING, STRING),
  TIMESTAMP(VECTOR, VECTOR), TIME(SCALAR), VECTOR_(VECTOR, SCALAR), SCALAR_(SCALAR, VECTOR),
  ABSENT(VECTOR, VECTOR),
  RATE(VECTOR, MATRIX), IRATE(VECTOR, MATRIX), INCREASE(VECTOR, MATRIX), DELTA(VECTOR, MATRIX),
  IDELTA(VECTOR, MATRIX), DERIV(VECTOR, MATRIX), RESETS(VECTOR, MATRIX), CHANGES(VECTOR, MATRIX),
  AVG_OVER_TIME(VECTOR, MATRIX), MIN_OVER_TIME(VECTOR, MATRIX), MAX_OVER_TIME(VECTOR, MATRIX),
  SUM_OVER_TIME(VECTOR, MATRIX), COUNT_OVER_TIME(VECTOR, MATRIX), LAST_OVER_TIME(VECTOR, MATRIX),
  STDDEV_OVER_TIME(VECTOR, MATRIX), QUANTILE_OVER_TIME(VECTOR, SCALAR, MATRIX),
  STDVAR_OVER_TIME(VECTOR, MATRIX), ABSENT_OVER_TIME(VECTOR, MATRIX), PRESENT_OVER_TIME(VECTOR, MATRIX),
  PREDICT_LINEAR(VECTOR, MATRIX, SCALAR),
  EXP(VECTOR, VECTOR), LN(VECTOR, VECTOR), LOG2(VECTOR, VECTOR), LOG10(VECTOR, VECTOR), SQRT(VECTOR, VECTOR),
  SGN(VECTOR, VECTOR), SIN(VECTOR, VECTOR), COS(VECTOR, VECTOR), TAN(VECTOR, VECTOR), ASIN(VECTOR, VECTOR),
  ACOS(VECTOR, VECTOR), ATAN(VECTOR, VECTOR), SINH(VECTOR, VECTOR), COSH(VECTOR, VECTOR), TANH(VECTOR, VECTOR),
  DEG(VECTOR, VECTOR), RAD(VECTOR, VECTOR), PI(SCALAR),
  /** label_join(v, dst, separator, src...): any number of source labels (optional = -1). */
  LABEL_JOIN(-1, VECTOR, VECTOR, STRING, STRING, STRING),
  HOUR(1, VECTOR, VECTOR), MINUTE(1, VECTOR, VECTOR), MONTH(1, VECTOR, VECTOR), YEAR(1, VECTOR, VECTOR),
  DAY_OF_MONTH(1, VECTOR, VECTOR), DAY_OF_WEEK(1, VECTOR, VECTOR), DAYS_IN_MONTH(1, VECTOR, VECTOR);

  /** Functions Prometheus 2.42 has and this engine does not: answered with bad_data, not "unknown". */
  static final Set<String> UNSUPPORTED = Set.of("acosh", "asinh", "atanh", "holt_winters", "histogram_quantile",
      "histogram_count", "histogram_sum", "histogram_fraction", "histogram_stddev", "histogram_stdvar", "sort",
      "sort_desc");

  private static final Map<String, Function> BY_NAME = new HashMap<>();

  static {
    for (Function f : values()) {
      BY_NAME.put(f.promName, f);
    }
  }

  final String promName;
  final ValueType returnType;
  final List<ValueType> argTypes;
  final int optional;

  Function(ValueType returnType, ValueType... argTypes) {
    this(0, returnType, argTypes);
  }

  Function(int optional, ValueType returnType, ValueType... argTypes) {
    String n = name().toLowerCase(Locale.ROOT);
    this.promName = n.endsWith("_") ? n.substring(0, n.length() - 1) : n;
    this.returnType = returnType;
    this.argTypes = List.of(argTypes);
    this.optional = optional;
  }

  ValueType returnType() {
    return returnType;
  }

  /** The function of that name, or null. */
  static Function byName(String name) {
    return BY_NAME.get(name);
  }

  /** Whether the function reads a range vector (its result then drops {@code __name__}). */
  boolean takesMatrix() {
    return argTypes.contains(MATRIX);
  }
}
