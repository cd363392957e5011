package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.storage.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code accumulator}: holds samples back and releases them all on the first flush where at least
 * {@code size} are held (default 1). A size below 1 passes samples straight through. The buffer
 * holds at most {@code size} samples between flushes plus one batch.
 */
final class Accumulator implements Transformer {
  private final int size;
  private List<Sample> samples = new ArrayList<>();

  Accumulator(int size) {
    this.size = size;
  }

  static Accumulator create(Parameters p, int maxSize) {
    p.rejectUnknown("size");
    Integer size = p.integer("size");
    int s = size == null ? 1 : size;
    if (s > maxSize) throw p.error("size", "must be at most " + maxSize + ", got " + s);
    return new Accumulator(s);
  }

  @Override
  public String name() {
    return "accumulator";
  }

  @Override
  public List<Sample> handle(Sample sample) {
    if (size < 1) return List.of(sample);
    samples.add(sample);
    return List.of();
  }

  @Override
  public List<Sample> flush() {
    if (size >= 1 && samples.size() >= size) {
      List<Sample> out = samples;
      samples = new ArrayList<>();
      return out;
    }
    return List.of();
  }
}
