package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.collector.python.Expression;
import dev.altimeter.collector.python.ExpressionException;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code arithmetic}: {@code target: {name, unit, type, expr}} where {@code expr} references meters
 * as {@code $(meter.name)} (its volume) or {@code $(meter.name).resource_metadata.x}.
 *
 * <p>{@link #handle} keeps the latest sample of each referenced meter per resource (other meters
 * are dropped) and emits nothing. {@link #flush} evaluates {@code expr} for each resource that has
 * all referenced meters, emits one sample with the reference (first referenced) meter's identity,
 * {@code target} name/unit/type (else the reference's), and the timestamp of the last sample
 * handled, then forgets that resource. A NaN, infinite or failing evaluation emits nothing and is
 * counted in {@link #failures()}. Bound: at most {@code maxResources} resources (LRU eviction).
 */
final class Arithmetic implements Transformer {
  private final String targetName;
  private final String targetUnit;
  private final SampleType targetType;
  private final Expression expr;
  private final Set<String> required;
  private final String reference;
  private final BoundedState<String, Map<String, Sample>> cache;
  private Instant latestTimestamp;
  private long failures;

  private Arithmetic(String targetName, String targetUnit, SampleType targetType, Expression expr, int maxResources) {
    this.targetName = targetName;
    this.targetUnit = targetUnit;
    this.targetType = targetType;
    this.expr = expr;
    this.required = expr.meterReferences();
    this.reference = required.iterator().next();
    this.cache = new BoundedState<>(maxResources);
  }

  static Arithmetic create(Parameters p, int maxResources) {
    p.rejectUnknown("target");
    Parameters target = p.section("target");
    target.rejectUnknown("name", "unit", "type", "expr");
    String text = target.string("expr");
    if (text == null || text.isBlank()) throw target.error("expr", "is required");
    Expression e;
    try {
      e = Expression.parse(text, SampleNamespace.EXPRESSIONS);
    } catch (ExpressionException ex) {
      throw target.error("expr", "is not a valid expression: " + ex.getMessage());
    }
    if (e.meterReferences().isEmpty()) throw target.error("expr", "must reference at least one meter as $(name)");
    String type = target.oneOf("type", "gauge", "delta", "cumulative");
    return new Arithmetic(target.string("name"), target.string("unit"),
        type == null ? null : SampleType.fromWireName(type), e, maxResources);
  }

  @Override
  public String name() {
    return "arithmetic";
  }

  @Override
  public List<Sample> handle(Sample s) {
    if (required.contains(s.meter())) {
      Map<String, Sample> latest = cache.get(s.resourceId());
      if (latest == null) {
        latest = new HashMap<>();
        cache.put(s.resourceId(), latest);
      }
      latest.put(s.meter(), s);
    }
    latestTimestamp = s.timestamp();
    return List.of();
  }

  @Override
  public List<Sample> flush() {
    List<Sample> out = new ArrayList<>();
    for (Iterator<Map<String, Sample>> it = cache.values().iterator(); it.hasNext(); ) {
      Map<String, Sample> latest = it.next();
      if (latest.size() < required.size()) continue;
      it.remove();
      Map<String, Object> ns = new LinkedHashMap<>();
      latest.forEach((meter, sample) -> ns.put("$(" + meter + ")", SampleNamespace.of(sample)));
      double volume;
      try {
        volume = expr.evaluateNumber(ns);
      } catch (ExpressionException e) {
        failures++;
        continue;
      }
      if (!Double.isFinite(volume)) {
        failures++;
        continue;
      }
      Sample ref = latest.get(reference);
      String name = targetName != null ? targetName : ref.meter();
      out.add(new Sample(name, targetType != null ? targetType : ref.type(),
          targetUnit != null ? targetUnit : ref.unit(), volume, ref.userId(), ref.projectId(), ref.resourceId(),
          latestTimestamp, null, ref.source(), ref.resourceMetadata(), Scaling.derivedId(ref.messageId(), name),
          null));
    }
    return out;
  }

  long failures() {
    return failures;
  }

  @Override
  public long evictions() {
    return cache.evictions();
  }
}
