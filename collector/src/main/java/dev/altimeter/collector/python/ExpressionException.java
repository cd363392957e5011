package dev.altimeter.collector.python;

/**
 * An expression failed: {@link Syntax} when it is parsed (a definition error, found when the file
 * is loaded), the base class when it is evaluated (a type error, a missing key, a division by
 * zero: that one value fails). Messages follow Python's where Python has one.
 */
public class ExpressionException extends RuntimeException {
  public ExpressionException(String message) {
    super(message);
  }

  /** The text is not an expression of the dialect. */
  public static final class Syntax extends ExpressionException {
    public Syntax(String message) {
      super(message);
    }
  }
}
