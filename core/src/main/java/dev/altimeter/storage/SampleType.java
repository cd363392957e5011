package dev.altimeter.storage;

import java.util.Locale;

/** Ceilometer's three kinds of meter. {@link #wireName()} is the lowercase name used on the wire and in SQL. */
public enum SampleType {
  /** A discrete or fluctuating value (e.g. vcpus). */
  GAUGE,
  /** The change since the previous data point (e.g. bytes sent). */
  DELTA,
  /** A monotonically increasing counter (e.g. cpu time in ns). */
  CUMULATIVE;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  public String wireName() {
    return wireName;
  }

  /** Parses a wire name; returns {@code null} when it is not one of gauge, delta, cumulative. */
  public static SampleType fromWireName(String name) {
    if (name == null) return null;
    for (SampleType t : values()) {
      if (t.wireName.equals(name)) return t;
    }
    return null;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
