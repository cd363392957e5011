package dev.altimeter.promql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable label set sorted by name, as Prometheus' {@code labels.Labels}. The metric name is
 * the label {@value #METRIC_NAME}. Labels with an empty value do not exist (Prometheus semantics),
 * so they are dropped on construction. Thread-safe.
 */
public final class Labels implements Comparable<Labels> {

  public static final String METRIC_NAME = "__name__";
  public static final Labels EMPTY = new Labels(new String[0], new String[0]);

  private final String[] names;
  private final String[] values;
  private int hash;

  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
  }

  /** From a map; empty values are dropped. */
  public static Labels of(Map<String, String> map) {
    TreeMap<String, String> sorted = new TreeMap<>();
    map.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        sorted.put(k, v);
      }
    });
    String[] n = new String[sorted.size()];
    String[] v = new String[sorted.size()];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      n[i] = e.getKey();
      v[i++] = e.getValue();
    }
    return new Labels(n, v);
  }

  /** From name, value pairs: {@code Labels.of("__name__", "up", "job", "x")}. */
  public static Labels of(String... nameValues) {
    if (nameValues.length % 2 != 0) {
      throw new IllegalArgumentException("odd number of arguments");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.put(nameValues[i], nameValues[i + 1]);
    }
    return of(m);
  }

  /** The value of a label, or null when absent. */
  public String get(String name) {
    int i = Arrays.binarySearch(names, name);
    return i >= 0 ? values[i] : null;
  }

  /** The metric name, or null. */
  public String metricName() {
    return get(METRIC_NAME);
  }

  /** Label names in ascending order. */
  public List<String> names() {
    return Collections.unmodifiableList(Arrays.asList(names));
  }

  public int size() {
    return names.length;
  }

  public boolean isEmpty() {
    return names.length == 0;
  }

  /** A sorted copy as a map. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], values[i]);
    }
    return m;
  }

  /** This set with a label set (or removed, for a null or empty value). */
  public Labels with(String name, String value) {
    Map<String, String> m = asMap();
    if (value == null || value.isEmpty()) {
      m.remove(name);
    } else {
      m.put(name, value);
    }
    return of(m);
  }

  /** This set without the given labels. */
  public Labels without(Collection<String> drop) {
    List<String> n = new ArrayList<>();
    List<String> v = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if (!drop.contains(names[i])) {
        n.add(names[i]);
        v.add(values[i]);
      }
    }
    return n.size() == names.length ? this : new Labels(n.toArray(new String[0]), v.toArray(new String[0]));
  }

  /** Only the given labels. */
  public Labels keep(Collection<String> keep) {
    List<String> n = new ArrayList<>();
    List<String> v = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if (keep.contains(names[i])) {
        n.add(names[i]);
        v.add(values[i]);
      }
    }
    return n.size() == names.length ? this : new Labels(n.toArray(new String[0]), v.toArray(new String[0]));
  }

  /** This set without {@code __name__}. */
  public Labels withoutMetricName() {
    return get(METRIC_NAME) == null ? this : without(List.of(METRIC_NAME));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels other && Arrays.equals(names, other.names) && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
      hash = h;
    }
    return h;
  }

  /** Prometheus' labels.Compare order: name by name, then value, shorter set first. */
  @Override
  public int compareTo(Labels o) {
    int n = Math.min(names.length, o.names.length);
    for (int i = 0; i < n; i++) {
      int c = names[i].compareTo(o.names[i]);
      if (c != 0) {
        return c;
      }
      c = values[i].compareTo(o.values[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(names.length, o.names.length);
  }

  /** Prometheus' spelling: {@code {__name__="up", job="x"}}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(names[i]).append("=\"").append(values[i].replace("\\", "\\\\").replace("\"", "\\\"")
          .replace("\n", "\\n")).append('"');
    }
    return b.append('}').toString();
  }
}
