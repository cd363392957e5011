package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.List;

/**
 * {@code delta}: the change of a meter since its previous sample, per {@code (name, resource_id)}.
 * The first sample is cached and dropped; an older sample (negative time delta) is dropped and the
 * cache keeps the newer one; otherwise the output is {@code type=delta, volume=v-prev}, unit kept,
 * name {@code target.name} or kept. With {@code growth_only} a negative delta is dropped (the cache
 * still advances).
 */
final class Delta implements Transformer {
  private record Previous(double volume, Instant timestamp) {}

  private final String targetName;
  private final boolean growthOnly;
  private final BoundedState<String, Previous> cache;

  Delta(String targetName, boolean growthOnly, int maxResources) {
    this.targetName = targetName;
    this.growthOnly = growthOnly;
    this.cache = new BoundedState<>(maxResources);
  }

  static Delta create(Parameters p, int maxResources) {
    p.rejectUnknown("target", "growth_only");
    Parameters target = p.section("target");
    target.rejectUnknown("name");
    Boolean growthOnly = p.bool("growth_only");
    return new Delta(target.string("name"), growthOnly != null && growthOnly, maxResources);
  }

  @Override
  public String name() {
    return "delta";
  }

  @Override
  public List<Sample> handle(Sample s) {
    String key = s.meter() + '\u0000' + s.resourceId();
    Previous prev = cache.put(key, new Previous(s.volume(), s.timestamp()));
    if (prev == null) return List.of();
    if (s.timestamp().isBefore(prev.timestamp)) {
      cache.put(key, prev);
      return List.of();
    }
    double delta = s.volume() - prev.volume;
    if (growthOnly && delta < 0) return List.of();
    return List.of(Scaling.copy(s, targetName != null ? targetName : s.meter(), s.unit(), SampleType.DELTA, delta));
  }

  @Override
  public long evictions() {
    return cache.evictions();
  }
}
