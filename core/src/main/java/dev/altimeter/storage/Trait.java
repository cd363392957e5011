package dev.altimeter.storage;

/**
 * A typed attribute of an event. {@code value} is a {@code String}, {@code Long}, {@code Double} or
 * {@code java.time.Instant} matching {@code type}.
 */
public record Trait(String name, TraitType type, Object value) {
  /** @throws IllegalArgumentException when the name or value cannot be stored ({@link Values}) */
  public Trait {
    Values.text(name, "trait name");
    if (value instanceof String s) Values.text(s, "trait " + name);
    if (value instanceof java.time.Instant t) Values.timestamp(t, "trait " + name);
  }
}
