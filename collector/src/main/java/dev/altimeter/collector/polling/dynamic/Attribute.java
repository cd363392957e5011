package dev.altimeter.collector.polling.dynamic;

import dev.altimeter.collector.python.ExpressionException;
import dev.altimeter.collector.python.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A dynamic pollster attribute: a path of keys joined by {@code .} ({@code .} alone is the whole
 * object), then {@code |}-separated operations (spec §5.3), e.g. {@code flavor.ram | value / 1024}.
 * Immutable; thread-safe.
 */
final class Attribute {

  /** A key of the path is absent: Ceilometer aborts the pollster's cycle (except for the next-page attribute). */
  static final class MissingKey extends RuntimeException {
    MissingKey(String message) {
      super(message, null, false, false);
    }
  }

  private final String text;
  private final List<String> path;
  private final List<Operation> operations;

  private Attribute(String text, List<String> path, List<Operation> operations) {
    this.text = text;
    this.path = path;
    this.operations = operations;
  }

  /** @throws ExpressionException.Syntax for a bad operation */
  static Attribute parse(String text) {
    String[] parts = text.split("\\|");
    String p = parts[0].strip();
    if (p.isEmpty()) throw new ExpressionException.Syntax("attribute '" + text + "' has an empty path");
    List<String> path = p.equals(".") ? List.of() : List.of(p.split("\\.", -1));
    List<Operation> ops = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) ops.add(Operation.compile(parts[i]));
    return new Attribute(text, path, List.copyOf(ops));
  }

  /** Walks the path and applies the operations; values are normalised (Long, Double, ...). */
  Object extract(Object root) {
    Object v = root;
    for (String key : path) {
      if (!(v instanceof Map<?, ?> m) || !m.containsKey(key)) {
        throw new MissingKey("key '" + key + "' of attribute '" + text.strip() + "' is missing");
      }
      v = m.get(key);
    }
    v = Values.normalise(v);
    for (Operation op : operations) v = op.apply(v);
    return v;
  }

  /** Whether the path's first key is present (for defaults that may be absent). */
  boolean presentIn(Object root) {
    if (path.isEmpty()) return true;
    Object v = root;
    for (String key : path) {
      if (!(v instanceof Map<?, ?> m) || !m.containsKey(key)) return false;
      v = m.get(key);
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
