package dev.altimeter.promql;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher of a selector, {@code name="value"}, {@code !=}, {@code =~}, {@code !~}.
 *
 * <p>As in Prometheus, a missing label has the value {@code ""}, so {@code foo=""} matches series
 * without {@code foo}, and regular expressions are fully anchored ({@code =~"a|b"} means
 * {@code ^(?:a|b)$}). A SeriesSource pushing matchers into a database must keep both rules.
 * Immutable and thread-safe.
 */
public record LabelMatcher(String name, Type type, String value) {

  public enum Type {
    EQ("="), NEQ("!="), RE("=~"), NRE("!~");

    private final String operator;

    Type(String operator) {
      this.operator = operator;
    }

    /** The PromQL spelling, e.g. {@code =~}. */
    public String operator() {
      return operator;
    }
  }

  public LabelMatcher {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
  }

  /**
   * The compiled, anchored pattern for RE/NRE, null otherwise. Compiled per call: callers that
   * match many values use {@link #matcher()}.
   *
   * @throws QueryException BAD_DATA if the expression is not valid
   */
  public Pattern pattern() {
    if (type != Type.RE && type != Type.NRE) {
      return null;
    }
    try {
      return anchored(value);
    } catch (PatternSyntaxException e) {
      throw new QueryException(QueryException.ErrorType.BAD_DATA,
          "invalid regular expression in matcher " + this + ": " + e.getDescription());
    }
  }

  /**
   * A regular expression as Prometheus 2.x compiles it with Go's RE2: anchored at both ends,
   * {@code .} matching anything but {@code \n} (UNIX_LINES), {@code (?P<name>...)} groups accepted.
   * Java's syntax is a superset of RE2's for the common constructs; differences are documented.
   */
  static Pattern anchored(String regex) {
    return Pattern.compile("^(?:" + regex.replace("(?P<", "(?<") + ")$", Pattern.UNIX_LINES);
  }

  /** A predicate with the pattern compiled once; thread-safe. */
  public java.util.function.Predicate<String> matcher() {
    return switch (type) {
      case EQ -> v -> value.equals(v == null ? "" : v);
      case NEQ -> v -> !value.equals(v == null ? "" : v);
      case RE -> {
        Pattern p = pattern();
        yield v -> p.matcher(v == null ? "" : v).matches();
      }
      case NRE -> {
        Pattern p = pattern();
        yield v -> !p.matcher(v == null ? "" : v).matches();
      }
    };
  }

  /**
   * As {@link #matcher()}, regular expressions failing with TIMEOUT once deadlineNanos
   * (System.nanoTime() terms) passes: Java's regex engine can backtrack exponentially where RE2
   * cannot, so a source matching in Java should pass the query's deadline.
   */
  public java.util.function.Predicate<String> matcher(long deadlineNanos) {
    if (type == Type.EQ || type == Type.NEQ) {
      return matcher();
    }
    Pattern p = pattern();
    boolean negate = type == Type.NRE;
    return v -> p.matcher(new DeadlineCharSequence(v == null ? "" : v, deadlineNanos)).matches() != negate;
  }

  /** Whether a label value (null or "" for a missing label) satisfies this matcher. */
  public boolean matches(String v) {
    return matcher().test(v);
  }

  /** Whether a label set satisfies this matcher. */
  public boolean matches(Labels labels) {
    return matches(labels.get(name));
  }

  @Override
  public String toString() {
    return name + type.operator + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
