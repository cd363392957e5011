package dev.altimeter.api.prometheus;

import dev.altimeter.promql.Labels;
import dev.altimeter.storage.MetricNames;
import dev.altimeter.storage.Sample;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The data model of the PromQL API (docs/promql.md): the label set of the series a
 * sample belongs to.
 *
 * <ul>
 *   <li>{@code __name__}: {@link MetricNames#of} of the meter (the exposition's name).</li>
 *   <li>{@code resource_id}, {@code project_id}, {@code user_id}, {@code unit}, {@code type}
 *       ({@code gauge}, {@code delta}, {@code cumulative}), {@code source}; absent when empty.</li>
 *   <li>The resource metadata, flattened: a scalar at path {@code a.b} is the label {@link
 *       MetricNames#label} of {@code a_b}; strings as they are, booleans {@code true}/{@code
 *       false}, whole numbers without a fraction; lists and nulls are left out. A metadata key that
 *       would name one of the labels above (or start with {@code __}) is left out, so metadata can
 *       never change a series' project; of two keys that map to the same label, the first in key
 *       order wins.</li>
 * </ul>
 * Stateless, thread-safe.
 */
final class SampleLabels {
  static final String RESOURCE_ID = "resource_id";
  static final String PROJECT_ID = "project_id";
  static final String USER_ID = "user_id";
  static final String UNIT = "unit";
  static final String TYPE = "type";
  static final String SOURCE = "source";
  /** Labels that come from the sample's own fields, never from its metadata. */
  static final Set<String> FIELDS = Set.of(Labels.METRIC_NAME, RESOURCE_ID, PROJECT_ID, USER_ID, UNIT, TYPE, SOURCE);
  /** Nested metadata deeper than this is left out (bounded work per sample). */
  private static final int MAX_DEPTH = 8;

  private SampleLabels() {}

  static Labels of(Sample s) {
    TreeMap<String, String> labels = new TreeMap<>();
    flatten("", s.resourceMetadata(), labels, 0);
    labels.put(Labels.METRIC_NAME, MetricNames.of(s.meter()));
    labels.put(RESOURCE_ID, s.resourceId());
    labels.put(PROJECT_ID, s.projectId());
    labels.put(USER_ID, s.userId());
    labels.put(UNIT, s.unit());
    labels.put(TYPE, s.type().wireName());
    labels.put(SOURCE, s.source());
    return Labels.of(labels);
  }

  private static void flatten(String prefix, Map<String, Object> doc, TreeMap<String, String> out, int depth) {
    for (Map.Entry<String, Object> e : new TreeMap<>(doc).entrySet()) {
      String name = prefix + MetricNames.label(e.getKey());
      Object v = e.getValue();
      if (v instanceof Map<?, ?> m) {
        if (depth < MAX_DEPTH) {
          @SuppressWarnings("unchecked")
          Map<String, Object> nested = (Map<String, Object>) m;
          flatten(name + "_", nested, out, depth + 1);
        }
        continue;
      }
      String text = scalar(v);
      if (text == null || name.isEmpty() || name.startsWith("__") || FIELDS.contains(name)) continue;
      out.putIfAbsent(name, text);
    }
  }

  /** A scalar metadata value as label text, or null for lists and nulls. */
  static String scalar(Object v) {
    if (v instanceof String t) return t;
    if (v instanceof Boolean b) return b.toString();
    if (v instanceof Double d) return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
    if (v instanceof Number n) return n.toString();
    return null;
  }
}
