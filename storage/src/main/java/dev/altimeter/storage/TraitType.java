package dev.altimeter.storage;

import java.util.Locale;

/** The value types of an event trait, with Ceilometer's wire names. */
public enum TraitType {
  STRING, INTEGER, FLOAT, DATETIME;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
