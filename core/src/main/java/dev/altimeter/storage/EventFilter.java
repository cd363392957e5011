package dev.altimeter.storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which events to read, AND-ed: every non-null field must match. {@code start} and {@code end}
 * bound {@code generated} inclusively (Ceilometer's {@code start_timestamp}/{@code end_timestamp}).
 * Each trait condition asks for a trait of that name whose typed value compares true.
 */
public record EventFilter(String eventType, String messageId, Instant start, Instant end,
    List<TraitCondition> traits) {

  public static final EventFilter ALL = builder().build();

  public EventFilter {
    traits = List.copyOf(traits);
  }

  /** Comparison operators of the v2 API's trait queries. */
  public enum Op { LT, LE, EQ, NE, GE, GT }

  /**
   * A trait filter: {@code name op value}, where {@code value} is a {@code String}, {@code Long},
   * {@code Double} or {@code Instant} matching {@code type}; only traits of that type are compared.
   */
  public record TraitCondition(String name, Op op, TraitType type, Object value) {
    public TraitCondition {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(value, "value");
      Class<?> expected = switch (type) {
        case STRING -> String.class;
        case INTEGER -> Long.class;
        case FLOAT -> Double.class;
        case DATETIME -> Instant.class;
      };
      if (!expected.isInstance(value)) {
        throw new IllegalArgumentException("a " + type.wireName() + " trait is compared with a "
            + expected.getSimpleName() + ", not " + value.getClass().getSimpleName());
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private String eventType;
    private String messageId;
    private Instant start;
    private Instant end;
    private final List<TraitCondition> traits = new ArrayList<>();

    public Builder eventType(String v) { eventType = v; return this; }
    public Builder messageId(String v) { messageId = v; return this; }
    public Builder start(Instant v) { start = v; return this; }
    public Builder end(Instant v) { end = v; return this; }
    public Builder trait(String name, Op op, TraitType type, Object value) {
      traits.add(new TraitCondition(name, op, type, value));
      return this;
    }

    public EventFilter build() {
      return new EventFilter(eventType, messageId, start, end, traits);
    }
  }
}
