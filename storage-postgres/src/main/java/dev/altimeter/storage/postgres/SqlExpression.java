package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleQuery;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link SampleQuery.Expression} as a SQL condition over the sample columns of {@code
 * PostgresSampleReader}: fields map to fixed columns, operators to fixed SQL operators, and every
 * value (metadata paths included) is bound.
 */
final class SqlExpression {
  private SqlExpression() {}

  static String column(SampleQuery.Field field) {
    return switch (field) {
      case SOURCE -> "r.source";
      case METER -> "m.name";
      case TYPE -> "m.type";
      case UNIT -> "m.unit";
      case VOLUME -> "s.volume";
      case USER_ID -> "r.user_id";
      case PROJECT_ID -> "r.project_id";
      case RESOURCE_ID -> "r.resource_id";
      case TIMESTAMP -> "s.timestamp";
      case RECORDED_AT -> "s.recorded_at";
      case MESSAGE_ID -> "s.message_id::text";
      case MESSAGE_SIGNATURE -> "s.message_signature";
    };
  }

  static String toSql(SampleQuery.Expression e, SqlWhere w) {
    if (e instanceof SampleQuery.Compare c) {
      String col = column(c.field());
      if (c.value() == null) {
        return switch (c.op()) {
          case EQ -> col + " IS NULL";
          case NE -> col + " IS NOT NULL";
          default -> "FALSE";
        };
      }
      if (c.op() == SampleQuery.Op.REGEX) return "(" + col + ")::text ~ " + w.bind(c.value().toString());
      return col + " " + operator(c.op()) + " " + w.bind(c.value());
    }
    if (e instanceof SampleQuery.CompareMetadata c) {
      if (c.op() == SampleQuery.Op.REGEX) {
        return "(md.doc #>> " + w.bind(c.path().split("\\.")) + "::text[]) ~ " + w.bind(String.valueOf(c.value()));
      }
      String value = "(md.doc #> " + w.bind(c.path().split("\\.")) + "::text[])";
      String json = w.bind(jsonLiteral(c.value())) + "::jsonb";
      String compare = value + " " + operator(c.op()) + " " + json;
      if (c.op() == SampleQuery.Op.EQ || c.op() == SampleQuery.Op.NE) return compare;
      // jsonb orders across types (strings < numbers < booleans); only compare like with like
      return "(jsonb_typeof" + value + " = jsonb_typeof(" + json + ") AND " + compare + ")";
    }
    if (e instanceof SampleQuery.In in) {
      if (in.values().isEmpty()) return "FALSE";
      List<String> params = new ArrayList<>();
      for (Object v : in.values()) params.add(w.bind(v));
      return column(in.field()) + " IN (" + String.join(", ", params) + ")";
    }
    if (e instanceof SampleQuery.And and) return join(and.all(), " AND ", w);
    if (e instanceof SampleQuery.Or or) return join(or.any(), " OR ", w);
    if (e instanceof SampleQuery.Not not) return "NOT (" + toSql(not.expression(), w) + ")";
    throw new IllegalArgumentException(String.valueOf(e));
  }

  private static String join(List<SampleQuery.Expression> parts, String op, SqlWhere w) {
    List<String> sql = new ArrayList<>();
    for (SampleQuery.Expression p : parts) sql.add(toSql(p, w));
    return "(" + String.join(op, sql) + ")";
  }

  private static String operator(SampleQuery.Op op) {
    return switch (op) {
      case EQ -> "=";
      case NE -> "<>";
      case LT -> "<";
      case LE -> "<=";
      case GT -> ">";
      case GE -> ">=";
      case REGEX -> "~";
    };
  }

  /** A typed metadata value as JSON text (bound, then cast to jsonb). */
  private static String jsonLiteral(Object v) {
    if (v instanceof String s) {
      StringBuilder b = new StringBuilder("\"");
      for (char ch : s.toCharArray()) {
        switch (ch) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          default -> {
            if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
            else b.append(ch);
          }
        }
      }
      return b.append('"').toString();
    }
    return String.valueOf(v); // Long, Double, Boolean
  }
}
