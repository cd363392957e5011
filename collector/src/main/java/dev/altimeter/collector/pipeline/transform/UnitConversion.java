package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.storage.Sample;
import java.util.List;

/**
 * {@code unit_conversion} (Ceilometer's ScalingTransformer): converts each sample it applies to
 * (see {@link Scaling#appliesTo}); others pass unchanged. Stateless.
 */
final class UnitConversion implements Transformer {
  private final Scaling scaling;

  UnitConversion(Scaling scaling) {
    this.scaling = scaling;
  }

  static UnitConversion create(Parameters p) {
    p.rejectUnknown("source", "target");
    return new UnitConversion(new Scaling(p, null));
  }

  @Override
  public String name() {
    return "unit_conversion";
  }

  @Override
  public List<Sample> handle(Sample sample) {
    if (!scaling.appliesTo(sample)) return List.of(sample);
    return List.of(scaling.convert(sample, 1));
  }
}
