package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.collector.python.Expression;
import dev.altimeter.collector.python.ExpressionException;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code source}/{@code target} parameters of Ceilometer's ScalingTransformer (unit_conversion,
 * and the base of rate_of_change and aggregator), validated:
 * <pre>
 * source: {unit, map_from: {name, unit}}
 * target: {name, unit, type, scale, max, map_to: {name, unit}}
 * </pre>
 * {@code scale} is a number (volume × scale) or an {@link Expression} whose value replaces the
 * volume; 0 or absent means unchanged. {@code max} (absent or 0 means none) caps the converted
 * volume. Name and unit are mapped by {@code re.sub(map_from.x, map_to.x, value)} when both are
 * given, else replaced by {@code target.x}, else kept. Not thread-safe (a memo of substitutions),
 * owned by one transformer like its state.
 */
final class Scaling {
  final String sourceUnit;
  private final String targetName;
  private final String targetUnit;
  final SampleType targetType;
  private final Double numericScale;
  private final Expression scaleExpression;
  private final Double max;
  private final RegexSubstitution nameMap;
  private final RegexSubstitution unitMap;

  Scaling(Parameters params, String defaultScale) {
    Parameters source = params.section("source");
    Parameters target = params.section("target");
    source.rejectUnknown("unit", "map_from");
    target.rejectUnknown("name", "unit", "type", "scale", "max", "map_to");
    Parameters mapFrom = source.section("map_from");
    Parameters mapTo = target.section("map_to");
    mapFrom.rejectUnknown("name", "unit");
    mapTo.rejectUnknown("name", "unit");
    sourceUnit = source.string("unit");
    targetName = target.string("name");
    targetUnit = target.string("unit");
    String type = target.oneOf("type", "gauge", "delta", "cumulative");
    targetType = type == null ? null : SampleType.fromWireName(type);
    Object scale = target.raw("scale");
    if (scale == null) scale = defaultScale;
    if (scale == null || scale instanceof Number) {
      numericScale = scale == null ? null : ((Number) scale).doubleValue();
      scaleExpression = null;
    } else if (scale instanceof String s) {
      numericScale = null;
      try {
        scaleExpression = Expression.parse(s, SampleNamespace.EXPRESSIONS);
      } catch (ExpressionException e) {
        throw target.error("scale", "is not a valid expression: " + e.getMessage());
      }
      if (!scaleExpression.meterReferences().isEmpty()) {
        throw target.error("scale", "cannot reference meters with $(…)");
      }
    } else {
      throw target.error("scale", "must be a number or an expression string");
    }
    max = target.number("max");
    nameMap = substitution(mapFrom, mapTo, "name");
    unitMap = substitution(mapFrom, mapTo, "unit");
  }

  private static RegexSubstitution substitution(Parameters from, Parameters to, String attr) {
    String pattern = from.string(attr);
    String repl = to.string(attr);
    if (pattern == null || repl == null) return null;
    try {
      return new RegexSubstitution(pattern, repl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("parameter 'source.map_from." + attr + "' / 'target.map_to." + attr
          + "': " + e.getMessage());
    }
  }

  /** Whether this conversion applies to {@code s}: {@code source.unit} absent or equal to its unit. */
  boolean appliesTo(Sample s) {
    return sourceUnit == null || sourceUnit.equals(s.unit());
  }

  /** Ceilometer's {@code _scale}: the scaled volume of {@code s}. */
  double scale(Sample s) {
    if (scaleExpression != null) return scaleExpression.evaluateNumber(SampleNamespace.of(s));
    if (numericScale != null && numericScale != 0.0) return s.volume() * numericScale;
    return s.volume();
  }

  String mapName(String name) {
    if (nameMap != null) return mapped(mappedNames, nameMap, name);
    return targetName != null ? targetName : name;
  }

  String mapUnit(String unit) {
    if (unitMap != null) return mapped(mappedUnits, unitMap, unit);
    return targetUnit != null ? targetUnit : unit;
  }

  /**
   * Regex substitutions remembered per input: a sink sees few distinct meter names and units, and
   * the substitution was a large share of the per-sample cost. Bounded (cleared when full). Not
   * thread-safe, like the transformers that own this (see {@link Transformer}).
   */
  private static String mapped(Map<String, String> memo, RegexSubstitution substitution, String value) {
    String out = memo.get(value);
    if (out == null) {
      out = substitution.apply(value);
      if (memo.size() >= MEMO_SIZE) memo.clear();
      memo.put(value, out);
    }
    return out;
  }

  private static final int MEMO_SIZE = 1024;
  private final Map<String, String> mappedNames = new HashMap<>();
  private final Map<String, String> mappedUnits = new HashMap<>();

  double cap(double volume) {
    return max != null && max != 0.0 ? Math.min(volume, max) : volume;
  }

  /** Ceilometer's {@code _convert(s, growth)}: volume = scale(s) × growth, capped; name, unit, type mapped. */
  Sample convert(Sample s, double growth) {
    double volume = cap(scale(s) * growth);
    return copy(s, mapName(s.meter()), mapUnit(s.unit()), targetType != null ? targetType : s.type(), volume);
  }

  /**
   * A derived sample: {@code s} with a new name, unit, type and volume, no signature (publishers
   * sign), and a message id derived deterministically from {@code s}'s id and the new name, so that
   * redelivered input yields the same derived ids (deduplication) and a derived sample never shares
   * its input's id.
   */
  static Sample copy(Sample s, String name, String unit, SampleType type, double volume) {
    return new Sample(name, type, unit, volume, s.userId(), s.projectId(), s.resourceId(), s.timestamp(),
        null, s.source(), s.resourceMetadata(), derivedId(s.messageId(), name), null);
  }

  /**
   * {@code UUID.nameUUIDFromBytes((input + "/" + name).getBytes(UTF_8))} (a version 3 UUID), with the
   * MD5 digest kept per thread: {@code MessageDigest.getInstance} is a provider lookup that cost more
   * than the digest itself on the per-sample path.
   */
  static java.util.UUID derivedId(java.util.UUID input, String name) {
    if (name.equals("")) return input;
    java.security.MessageDigest digest = MD5.get();
    digest.update(uuidText(input)); // input.toString()'s bytes, without building the string
    digest.update((byte) '/');
    digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    byte[] md5 = digest.digest();
    md5[6] &= 0x0f;
    md5[6] |= 0x30; // version 3
    md5[8] &= 0x3f;
    md5[8] |= (byte) 0x80; // IETF variant
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) msb = (msb << 8) | (md5[i] & 0xff);
    for (int i = 8; i < 16; i++) lsb = (lsb << 8) | (md5[i] & 0xff);
    return new java.util.UUID(msb, lsb);
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final ThreadLocal<byte[]> UUID_TEXT = ThreadLocal.withInitial(() -> new byte[36]);

  /** {@code UUID.toString()} as ASCII bytes in a per-thread buffer (valid until the next call). */
  static byte[] uuidText(java.util.UUID id) {
    byte[] out = UUID_TEXT.get();
    long msb = id.getMostSignificantBits();
    long lsb = id.getLeastSignificantBits();
    int p = 0;
    for (int nibble = 15; nibble >= 0; nibble--) { // 8-4-4 from the high bits
      out[p++] = HEX[(int) (msb >>> (nibble * 4)) & 0xf];
      if (p == 8 || p == 13) out[p++] = '-';
    }
    out[p++] = '-';
    for (int nibble = 15; nibble >= 0; nibble--) { // 4-12 from the low bits
      out[p++] = HEX[(int) (lsb >>> (nibble * 4)) & 0xf];
      if (p == 23) out[p++] = '-';
    }
    return out;
  }

  private static final ThreadLocal<java.security.MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
    try {
      return java.security.MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JVM", e);
    }
  });
}
