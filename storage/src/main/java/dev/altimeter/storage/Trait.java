package dev.altimeter.storage;

/**
 * A typed attribute of an event. {@code value} is a {@code String}, {@code Long}, {@code Double} or
 * {@code java.time.Instant} matching {@code type}.
 */
public record Trait(String name, TraitType type, Object value) {}
