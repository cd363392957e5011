package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * {@code rate_of_change}: the growth rate of a meter per second, per {@code (name, resource_id)}.
 *
 * <p>Ceilometer's rules, in order: the sample is cached as the new previous value; with no previous
 * value it is dropped. The time delta is the monotonic-time difference when both samples have one,
 * else the timestamp difference in seconds; a negative delta drops the sample and restores the old
 * cache entry. The volume delta is {@code v - prev}, except for a cumulative sample whose value went
 * down (a counter reset), where it is {@code v}. {@code rate = delta / time_delta} (0.0 when the
 * time delta is 0). The output volume is {@code scale(sample) × rate} (default scale {@code "1"}),
 * capped by {@code max}, with name/unit/type mapped as unit_conversion does.
 *
 * <p>Monotonic time: the storage model has no {@code monotonic_time} field, so it is read through
 * {@code monotonicTime} (seconds, NaN when absent); the default always answers NaN.
 */
final class RateOfChange implements Transformer {
  /** The cached previous sample of a key; mutable, owned by this transformer (one thread at a time). */
  private static final class Previous {
    double volume;
    Instant timestamp;
    double monotonic;

    Previous(double volume, Instant timestamp, double monotonic) {
      set(volume, timestamp, monotonic);
    }

    void set(double volume, Instant timestamp, double monotonic) {
      this.volume = volume;
      this.timestamp = timestamp;
      this.monotonic = monotonic;
    }
  }

  /**
   * The cache key. A record rather than a concatenated string: the meter and resource id strings
   * keep their cached hash codes, so a lookup does not hash a fresh string per sample.
   */
  private record Key(String meter, String resourceId) {
    @Override
    public int hashCode() { // written out: the record's generated one goes through method handles
      return 31 * meter.hashCode() + resourceId.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && meter.equals(k.meter) && resourceId.equals(k.resourceId);
    }
  }

  private final Scaling scaling;
  private final BoundedState<Key, Previous> cache;
  private final ToDoubleFunction<Sample> monotonicTime;

  RateOfChange(Scaling scaling, int maxResources, ToDoubleFunction<Sample> monotonicTime) {
    this.scaling = scaling;
    this.cache = new BoundedState<>(maxResources);
    this.monotonicTime = monotonicTime;
  }

  static RateOfChange create(Parameters p, int maxResources) {
    p.rejectUnknown("source", "target");
    return new RateOfChange(new Scaling(p, "1"), maxResources, s -> Double.NaN);
  }

  @Override
  public String name() {
    return "rate_of_change";
  }

  @Override
  public List<Sample> handle(Sample s) {
    if (!scaling.appliesTo(s)) return List.of(s);
    Key key = new Key(s.meter(), s.resourceId());
    double mono = monotonicTime.applyAsDouble(s);
    Previous prev = cache.get(key);
    if (prev == null) {
      cache.put(key, new Previous(s.volume(), s.timestamp(), mono));
      return List.of();
    }
    double timeDelta = !Double.isNaN(prev.monotonic) && !Double.isNaN(mono)
        ? mono - prev.monotonic
        : seconds(prev.timestamp, s.timestamp());
    if (timeDelta < 0) return List.of(); // Ceilometer caches the sample, then restores the old entry
    double prevVolume = prev.volume;
    prev.set(s.volume(), s.timestamp(), mono); // in place: one lookup and no allocation per sample
    double volumeDelta = prevVolume <= s.volume() || s.type() != SampleType.CUMULATIVE
        ? s.volume() - prevVolume
        : s.volume();
    double rate = timeDelta != 0 ? volumeDelta / timeDelta : 0.0;
    double out = scaling.cap(scaling.scale(s) * rate);
    return List.of(Scaling.copy(s, scaling.mapName(s.meter()), scaling.mapUnit(s.unit()),
        scaling.targetType != null ? scaling.targetType : s.type(), out));
  }

  /** {@code to - from} in seconds (Duration.between's arithmetic without allocating a Duration). */
  static double seconds(Instant from, Instant to) {
    long secs = to.getEpochSecond() - from.getEpochSecond();
    long nanos = to.getNano() - from.getNano();
    return secs + nanos / 1e9;
  }

  @Override
  public long evictions() {
    return cache.evictions();
  }
}
