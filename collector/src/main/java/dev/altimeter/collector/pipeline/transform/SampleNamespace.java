package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.storage.Sample;
import java.util.HashMap;
import java.util.Map;

/**
 * The namespace an expression sees for a sample: Ceilometer's {@code sample.as_dict()} keys
 * ({@code name, type, unit, volume, user_id, project_id, resource_id, timestamp, resource_metadata,
 * source, id, monotonic_time}). Nested metadata maps are namespaces; a missing key is an empty,
 * falsy namespace (see {@link Expression}).
 */
final class SampleNamespace {
  private SampleNamespace() {}

  static Map<String, Object> of(Sample s) {
    Map<String, Object> ns = new HashMap<>(16);
    ns.put("name", s.meter());
    ns.put("type", s.type().wireName());
    ns.put("unit", s.unit());
    ns.put("volume", s.volume());
    ns.put("user_id", s.userId());
    ns.put("project_id", s.projectId());
    ns.put("resource_id", s.resourceId());
    ns.put("timestamp", s.timestamp().toString());
    ns.put("resource_metadata", s.resourceMetadata());
    ns.put("source", s.source());
    ns.put("id", s.messageId().toString());
    ns.put("monotonic_time", null);
    return ns;
  }
}
