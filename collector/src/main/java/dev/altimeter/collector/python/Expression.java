package dev.altimeter.collector.python;

import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * A compiled expression of the Python subset Ceilometer's files contain: the {@code scale} and
 * {@code expr} of pipeline transformers, the {@code |} operations of dynamic pollsters. The
 * {@link Dialect} a text is parsed with says which names, attributes and calls it may use; the
 * syntax and the values are the same for every dialect.
 *
 * <p>It is not a scripting engine: nothing in it can reach the JVM (no reflection, no assignment,
 * no import, no call other than the dialect's pure built-ins and str / dict methods). Values
 * follow Python ({@link Values}): {@code /} is true division, {@code //} and {@code %} floor, ints
 * stay integral, {@code and} / {@code or} return an operand.
 *
 * <p>Immutable and thread-safe once parsed; evaluation allocates only what the expression builds.
 */
public final class Expression {
  private final String source;
  private final Parser.Node root;
  private final Set<String> meterReferences;
  private final Set<String> names;

  private Expression(String source, Parser.Node root, Set<String> meterReferences, Set<String> names) {
    this.source = source;
    this.root = root;
    this.meterReferences = Collections.unmodifiableSet(meterReferences);
    this.names = Collections.unmodifiableSet(names);
  }

  /**
   * Parses {@code text} in {@code dialect}.
   *
   * @throws ExpressionException.Syntax {@code invalid expression '<text>': <what> at position <n>}
   *     (1-based)
   */
  public static Expression parse(String text, Dialect dialect) {
    Parser p = new Parser(text, dialect);
    Parser.Node root = p.parse();
    return new Expression(text, root, p.meters, p.names);
  }

  /** Meter names referenced as {@code $(name)}, in order of first appearance. */
  public Set<String> meterReferences() {
    return meterReferences;
  }

  /** The variables read (other than comprehension variables), in order of first appearance. */
  public Set<String> names() {
    return names;
  }

  /**
   * Evaluates with {@code variables} (for a meter reference, the key {@code "$(" + name + ")"}
   * holding that sample's namespace).
   *
   * @throws ExpressionException when Python would raise
   */
  public Object evaluate(Map<String, ?> variables) {
    return root.eval(new Parser.Scope(variables, null, null, null));
  }

  /** Evaluates and converts the result to a double like Python's {@code float()}. */
  public double evaluateNumber(Map<String, ?> variables) {
    Object v = evaluate(variables);
    Number n = Values.number(v);
    if (n == null) throw new ExpressionException("expression '" + source + "' gave a non-number: " + Values.typeName(v));
    return n.doubleValue();
  }

  @Override
  public String toString() {
    return source;
  }
}
