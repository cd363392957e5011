package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.Map;

/** Test samples at {@code 2026-01-01T00:00:00Z + seconds}. */
final class Samples {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static Sample sample(String meter, SampleType type, String unit, double volume, String resource, double seconds) {
    return sample(meter, type, unit, volume, resource, seconds, Map.of());
  }

  static Sample sample(String meter, SampleType type, String unit, double volume, String resource, double seconds,
      Map<String, Object> metadata) {
    return Sample.builder().meter(meter).type(type).unit(unit).volume(volume).resourceId(resource)
        .userId("u1").projectId("p1").source("openstack")
        .timestamp(T0.plusNanos((long) (seconds * 1e9))).resourceMetadata(metadata).build();
  }

  private Samples() {}
}
