package dev.altimeter.collector.python;

import dev.altimeter.wire.PythonText;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The pure built-in functions and str / dict methods an expression may call (each dialect allows a
 * subset). Nothing here reaches the JVM: no reflection, no I/O. Arguments arrive normalised
 * ({@link Values#normalise}); errors raise {@link ExpressionException} with Python's message.
 */
final class Builtins {
  private Builtins() {}

  static final Set<String> FUNCTIONS = Set.of("int", "float", "str", "len", "abs", "round", "min", "max", "bool",
      "sum");
  static final Set<String> METHODS = Set.of("split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper",
      "replace", "startswith", "endswith", "join", "get", "keys", "values");

  static Object call(String fn, List<Object> args) {
    switch (fn) {
      case "int": {
        Object v = one(fn, args);
        Long i = v instanceof String || Values.number(v) != null ? Values.intOrNull(v) : null;
        if (i != null) return i;
        if (v instanceof String s) throw new ExpressionException("invalid literal for int(): " + PythonText.repr(s));
        if (Values.number(v) != null) throw new ExpressionException("cannot convert float " + PythonText.str(v) + " to integer");
        throw new ExpressionException("int() argument must be a string or a number, not '" + Values.typeName(v) + "'");
      }
      case "float": {
        Object v = one(fn, args);
        Double d = v instanceof String || Values.number(v) != null ? Values.floatOrNull(v) : null;
        if (d != null) return d;
        if (v instanceof String s) throw new ExpressionException("could not convert string to float: " + PythonText.repr(s));
        throw new ExpressionException("float() argument must be a string or a number, not '" + Values.typeName(v) + "'");
      }
      case "str": return PythonText.str(one(fn, args));
      case "bool": return Values.truthy(one(fn, args));
      case "len": {
        Object v = one(fn, args);
        if (v instanceof String s) return (long) s.length();
        if (v instanceof Collection<?> c) return (long) c.size();
        if (v instanceof Map<?, ?> m) return (long) m.size();
        throw new ExpressionException("object of type '" + Values.typeName(v) + "' has no len()");
      }
      case "abs": {
        Number n = numberArgument(fn, one(fn, args));
        return n instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(n.doubleValue());
      }
      case "round": {
        arity(fn, args, 1, 2);
        Number n = numberArgument(fn, args.get(0));
        if (args.size() == 1) return n instanceof Long ? n : (Object) (long) Math.rint(n.doubleValue());
        Number digits = numberArgument(fn, args.get(1));
        if (n instanceof Long) return n;
        double factor = Math.pow(10, digits.longValue());
        return Math.rint(n.doubleValue() * factor) / factor;
      }
      case "min", "max": {
        List<Object> items = new ArrayList<>();
        if (args.size() == 1) Values.iterate(args.get(0)).forEach(o -> items.add(Values.normalise(o)));
        else items.addAll(args);
        if (items.isEmpty()) throw new ExpressionException(fn + "() arg is an empty sequence");
        Object best = items.get(0);
        for (Object o : items.subList(1, items.size())) {
          if (Values.compareStrict(fn.equals("min") ? "<" : ">", o, best)) best = o;
        }
        return best;
      }
      case "sum": {
        Object total = 0L;
        for (Object o : Values.iterate(one(fn, args))) total = Values.binary("+", total, Values.normalise(o));
        return total;
      }
      default: throw new ExpressionException("name '" + fn + "' is not defined");
    }
  }

  static Object method(Object target, String name, List<Object> args) {
    if (target instanceof String s) {
      switch (name) {
        case "split", "rsplit": {
          String sep = args.isEmpty() || args.get(0) == null ? null : string(args.get(0));
          long max = args.size() > 1 ? numberArgument(name, args.get(1)).longValue() : -1;
          return Values.split(s, sep, max, name.equals("rsplit"));
        }
        case "strip": return strip(s, args, true, true);
        case "lstrip": return strip(s, args, true, false);
        case "rstrip": return strip(s, args, false, true);
        case "lower": return s.toLowerCase(Locale.ROOT);
        case "upper": return s.toUpperCase(Locale.ROOT);
        case "replace":
          arity(name, args, 2, 2);
          return s.replace(string(args.get(0)), string(args.get(1)));
        case "startswith": return s.startsWith(string(one(name, args)));
        case "endswith": return s.endsWith(string(one(name, args)));
        case "join": {
          StringBuilder b = new StringBuilder();
          int i = 0;
          for (Object o : Values.iterate(one(name, args))) b.append(i++ == 0 ? "" : s).append(string(o));
          return b.toString();
        }
        default: break;
      }
    }
    if (target instanceof Map<?, ?> m) {
      switch (name) {
        case "get":
          arity(name, args, 1, 2);
          return m.containsKey(args.get(0)) ? Values.normalise(m.get(args.get(0))) : args.size() > 1 ? args.get(1) : null;
        case "keys": return new ArrayList<Object>(m.keySet());
        case "values": {
          List<Object> out = new ArrayList<>();
          m.values().forEach(v -> out.add(Values.normalise(v)));
          return out;
        }
        default: break;
      }
    }
    throw new ExpressionException("'" + Values.typeName(target) + "' object has no attribute '" + name + "'");
  }

  private static Number numberArgument(String fn, Object v) {
    Number n = Values.number(v);
    if (n == null) throw new ExpressionException("bad operand type for " + fn + "(): '" + Values.typeName(v) + "'");
    return n;
  }

  private static Object one(String fn, List<Object> args) {
    arity(fn, args, 1, 1);
    return args.get(0);
  }

  private static void arity(String fn, List<Object> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw new ExpressionException(fn + "() takes " + (min == max ? "" + min : min + " or " + max)
          + " argument(s), " + args.size() + " given");
    }
  }

  private static String string(Object o) {
    if (o instanceof String s) return s;
    throw new ExpressionException("expected str, got " + Values.typeName(o));
  }

  private static String strip(String s, List<Object> args, boolean left, boolean right) {
    String chars = args.isEmpty() || args.get(0) == null ? null : string(args.get(0));
    int a = 0;
    int b = s.length();
    while (left && a < b && (chars == null ? Character.isWhitespace(s.charAt(a)) : chars.indexOf(s.charAt(a)) >= 0)) a++;
    while (right && b > a && (chars == null ? Character.isWhitespace(s.charAt(b - 1)) : chars.indexOf(s.charAt(b - 1)) >= 0)) b--;
    return s.substring(a, b);
  }
}
