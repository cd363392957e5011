package dev.altimeter.collector.polling.dynamic;

import dev.altimeter.collector.python.Dialect;
import dev.altimeter.collector.python.Expression;
import dev.altimeter.collector.python.ExpressionException;
import java.util.Collections;
import java.util.Set;

/**
 * One operation after a {@code |} in a dynamic pollster's attribute (spec §5.3): a Python
 * expression of {@code value}, e.g. {@code value / 1024}, {@code value.split('$')[0].strip()},
 * {@code [l['href'] for l in value if l['rel'] == 'next']}. Immutable; thread-safe.
 */
final class Operation {
  /**
   * The dialect of operations: the one variable {@code value}, every built-in, str and dict method;
   * no attributes, no meter references.
   */
  static final Dialect DIALECT = new Dialect(Set.of("value"), false, false,
      Dialect.FUNCTIONS, Dialect.METHODS);

  private final Expression expression;

  private Operation(Expression expression) {
    this.expression = expression;
  }

  /**
   * Compiles {@code text}; it must read {@code value}, as Ceilometer requires.
   *
   * @throws ExpressionException.Syntax for a text that is not an operation
   */
  static Operation compile(String text) {
    Expression e = Expression.parse(text.strip(), DIALECT);
    if (!e.names().contains("value")) {
      throw new ExpressionException.Syntax("operation '" + text.strip() + "' must use 'value'");
    }
    return new Operation(e);
  }

  /** @throws ExpressionException when Python would raise: the pollster's cycle fails */
  Object apply(Object value) {
    return expression.evaluate(Collections.singletonMap("value", value));
  }

  @Override
  public String toString() {
    return expression.toString();
  }
}
