package dev.altimeter.api.v2;

import dev.altimeter.storage.Meter;
import dev.altimeter.storage.Sample;
import dev.altimeter.wire.PythonText;
import dev.altimeter.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;

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
    flatten("", metadata, out::put);
    return out;
  }

  /**
   * The entries of {@link #flatten(Map)} in its order, handed to {@code entry} one by one; only
   * when no key holds a dot, at any depth, are they the map's entries exactly: a dotted key can
   * flatten to the same name as a nested one, which the map keeps once (the first one's place, the
   * last one's value). Posted metadata never has one (the API re-nests dotted keys).
   */
  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> map, BiConsumer<String, String> entry) {
    map.forEach((k, v) -> {
      String key = prefix.isEmpty() ? k : prefix + k;
      if (v instanceof Map<?, ?> nested) {
        flatten(key + ".", (Map<String, Object>) nested, entry);
      } else {
        // Python's str(), so clients see what Ceilometer showed them (1e+20, not Java's 1.0E20)
        entry.accept(key, PythonText.str(v));
      }
    });
  }

  /** Whether a key of {@code map} or of a map nested in it holds a dot. */
  static boolean hasDottedKey(Map<?, ?> map) {
    for (Object k : map.keySet()) {
      if (k instanceof String s && s.indexOf('.') >= 0) return true;
    }
    for (Object v : map.values()) {
      if (v instanceof Map<?, ?> nested && hasDottedKey(nested)) return true;
    }
    return false;
  }

  /**
   * One {@link #oldSample(Sample)}, written to {@code json} as that map serialises (same keys,
   * order and values) without building it or the flattened metadata: the POST's echo of 1,000
   * samples spent a third of the service's CPU building and serialising maps.
   */
  static void writeOldSample(JsonGenerator json, Sample s) {
    json.writeStartObject();
    WireFormat.oldSample(s, s.resourceMetadata(), (name, value) -> {
      json.writeName(OLD_SAMPLE_KEYS.computeIfAbsent(name, SerializedString::new));
      if (value instanceof String text) {
        json.writeString(text);
      } else if (value instanceof Double volume) {
        json.writeNumber(volume);
      } else if (value instanceof Map<?, ?>) {
        writeMetadata(json, s.resourceMetadata());
      } else if (value == null) {
        json.writeNull();
      } else {
        throw new IllegalStateException("an OldSample has no " + value.getClass().getSimpleName() + " value: " + name);
      }
    });
    json.writeEndObject();
  }

  /** The OldSample's keys (WireFormat's constants, a dozen), each quoted and encoded once. */
  private static final Map<String, SerializableString> OLD_SAMPLE_KEYS = new ConcurrentHashMap<>();

  private static void writeMetadata(JsonGenerator json, Map<String, Object> metadata) {
    json.writeStartObject();
    if (hasDottedKey(metadata)) {
      flatten(metadata).forEach(json::writeStringProperty);
    } else {
      flatten("", metadata, json::writeStringProperty);
    }
    json.writeEndObject();
  }
}
