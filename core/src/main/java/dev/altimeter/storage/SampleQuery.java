package dev.altimeter.storage;

import java.util.List;

/**
 * A complex sample query ({@code POST /v2/query/samples}) as a typed expression tree. Fields are a
 * closed set, so a store maps each to a fixed column; values are typed Java values that a store
 * binds, never writes into its query text.
 *
 * @param filter the condition, or {@code null} for every sample
 * @param orderBy sort keys, most significant first; after them samples are newest first
 * @param limit at most this many samples (≥ 1)
 */
public record SampleQuery(Expression filter, List<OrderBy> orderBy, int limit) {
  public SampleQuery {
    orderBy = List.copyOf(orderBy);
    if (limit < 1) throw new IllegalArgumentException("limit < 1");
  }

  /** A queryable sample field, by its Ceilometer model name. */
  public enum Field {
    SOURCE("source"),
    METER("counter_name"),
    TYPE("counter_type"),
    UNIT("counter_unit"),
    VOLUME("counter_volume"),
    USER_ID("user_id"),
    PROJECT_ID("project_id"),
    RESOURCE_ID("resource_id"),
    TIMESTAMP("timestamp"),
    RECORDED_AT("recorded_at"),
    MESSAGE_ID("message_id"),
    MESSAGE_SIGNATURE("message_signature");

    private final String modelName;

    Field(String modelName) {
      this.modelName = modelName;
    }

    public String modelName() {
      return modelName;
    }

    /** Values are {@link Double}. */
    public boolean numeric() {
      return this == VOLUME;
    }

    /** Values are {@link java.time.Instant}. */
    public boolean temporal() {
      return this == TIMESTAMP || this == RECORDED_AT;
    }
  }

  /** Comparison operators; {@link #REGEX} is a POSIX regular expression match on text. */
  public enum Op { EQ, NE, LT, LE, GT, GE, REGEX }

  /** A node of the filter tree. */
  public sealed interface Expression permits Compare, CompareMetadata, In, And, Or, Not {}

  /**
   * {@code field op value}. The value is a {@link String} for text fields, a {@link Double} for
   * {@link Field#VOLUME} and an {@link java.time.Instant} for temporal fields; a {@code null} value
   * with {@link Op#EQ} / {@link Op#NE} tests for absence / presence.
   */
  public record Compare(Field field, Op op, Object value) implements Expression {}

  /**
   * A comparison on the value at a dotted path of the resource metadata. The value is a String,
   * Long, Double or Boolean; ordering comparisons only match values of the same JSON type, and
   * {@link Op#REGEX} matches the value's text.
   */
  public record CompareMetadata(String path, Op op, Object value) implements Expression {}

  /** {@code field IN (values)}; values typed as in {@link Compare}. */
  public record In(Field field, List<Object> values) implements Expression {
    public In {
      values = List.copyOf(values);
    }
  }

  /** All of at least two expressions. */
  public record And(List<Expression> all) implements Expression {
    public And {
      all = List.copyOf(all);
    }
  }

  /** Any of at least two expressions. */
  public record Or(List<Expression> any) implements Expression {
    public Or {
      any = List.copyOf(any);
    }
  }

  /** Negation. */
  public record Not(Expression expression) implements Expression {}

  /** A sort key. */
  public record OrderBy(Field field, boolean ascending) {}
}
