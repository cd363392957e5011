package dev.altimeter.storage;

import java.util.Locale;

/** The value types of an event trait, with Ceilometer's wire names. */
public enum TraitType {
  STRING, INTEGER, FLOAT, DATETIME;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  public String wireName() {
    return wireName;
  }

  /** The type of a wire name ({@code string}, {@code integer}, ...). */
  public static TraitType fromWireName(String wireName) {
    for (TraitType t : values()) if (t.wireName.equals(wireName)) return t;
    throw new IllegalArgumentException("not a trait type: " + wireName);
  }
}
