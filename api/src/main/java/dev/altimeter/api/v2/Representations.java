package dev.altimeter.api.v2;

import dev.altimeter.storage.Meter;
import dev.altimeter.storage.Sample;
import dev.altimeter.wire.PythonText;
import dev.altimeter.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The v2 JSON shapes, key for key as Ceilometer's WSME types render them. Metadata is flattened
 * ({@code {"a":{"b":1}}} becomes {@code {"a.b":"1"}}) and its values are stringified as Python's
 * {@code str()} does.
 */
final class Representations {
  private Representations() {}

  /** OldSample: {@code GET /v2/meters/{name}} and the echo of {@code POST /v2/meters/{name}}. */
  static Map<String, Object> oldSample(Sample s) {
    return WireFormat.oldSample(s, flatten(s.resourceMetadata()));
  }

  /** Sample: {@code GET /v2/samples} and {@code /v2/samples/{id}}. */
  static Map<String, Object> sample(Sample s) {
    return WireFormat.v2Sample(s, flatten(s.resourceMetadata()));
  }

  /** Meter: {@code GET /v2/meters}. {@code meter_id} is base64 of {@code "<resource_id>+<name>"}. */
  static Map<String, Object> meter(Meter meter) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", meter.name());
    m.put("type", meter.type().wireName());
    m.put("unit", meter.unit());
    m.put("resource_id", meter.resourceId());
    m.put("project_id", meter.projectId());
    m.put("user_id", meter.userId());
    m.put("source", meter.source());
    m.put("meter_id", Base64.getEncoder().encodeToString(
        // Python's str() of a missing resource is "None"
        ((meter.resourceId() == null ? "None" : meter.resourceId()) + "+" + meter.name()).getBytes(StandardCharsets.UTF_8)));
    return m;
  }

  static Map<String, String> flatten(Map<String, Object> metadata) {
    Map<String, String> out = new LinkedHashMap<>();
    flatten("", metadata, out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> map, Map<String, String> out) {
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> nested) {
        flatten(key + ".", (Map<String, Object>) nested, out);
      } else {
        // Python's str(), so clients see what Ceilometer showed them (1e+20, not Java's 1.0E20)
        out.put(key, PythonText.str(e.getValue()));
      }
    }
  }
}
