package dev.altimeter.collector.python;

import java.util.Set;
import java.util.TreeSet;

/**
 * What differs between the places Ceilometer evaluates Python: the names an expression may read,
 * what {@code a.b} means, the functions and methods it may call, and whether {@code $(meter)}
 * references exist. Everything else (syntax, values, operators, messages) is the kernel's.
 *
 * @param variables the names an expression may read, checked when it is parsed (plus the
 *     variables of its own comprehensions); {@code null}: any name, resolved when it is evaluated
 *     ({@code name 'x' is not defined} when the variables lack it)
 * @param namespaces whether maps are Ceilometer's {@code Namespace}s: {@code a.b} reads key
 *     {@code b} (a missing key is an empty, falsy namespace);
 *     otherwise {@code .} may only call one of {@code methods}
 * @param meterReferences whether {@code $(name)} reads the variable {@code "$(name)"} (a sample's
 *     namespace; alone, its {@code volume}), as arithmetic's {@code expr} does
 * @param functions the built-ins that may be called (a subset of {@link #FUNCTIONS})
 * @param methods the str and dict methods that may be called (a subset of {@link #METHODS})
 */
public record Dialect(Set<String> variables, boolean namespaces, boolean meterReferences, Set<String> functions,
    Set<String> methods) {

  /** Every built-in the kernel has: int float str len abs round min max bool sum. */
  public static final Set<String> FUNCTIONS = Builtins.FUNCTIONS;

  /** Every str and dict method the kernel has (split, strip, lower, replace, join, get, keys, ...). */
  public static final Set<String> METHODS = Builtins.METHODS;

  public Dialect {
    variables = variables == null ? null : Set.copyOf(variables);
    functions = Set.copyOf(functions);
    methods = Set.copyOf(methods);
    if (!Builtins.FUNCTIONS.containsAll(functions)) throw new IllegalArgumentException("unknown function in " + functions);
    if (!Builtins.METHODS.containsAll(methods)) throw new IllegalArgumentException("unknown method in " + methods);
  }

  String functionList() {
    return String.join(", ", new TreeSet<>(functions));
  }
}
