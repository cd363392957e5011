package dev.altimeter.api.v2;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The values a request may hand to a store, checked before anything reaches one: what passes here,
 * PostgreSQL can keep and compare. Strings hold no NUL character (PostgreSQL's text and jsonb refuse
 * U+0000); numbers are finite (JSON has no NaN or Infinity, and {@code 1e999} reads as Infinity);
 * timestamps are checked by {@link Timestamps#parse} (years 1 to 9999). Each refusal is a 400 that
 * names the field.
 */
final class RequestValues {
  private RequestValues() {}

  static String checkText(String field, String value) {
    if (value != null && value.indexOf('\0') >= 0) {
      throw ApiError.invalidInput(field, value.replace("\0", "\\u0000"), "must not contain a NUL character");
    }
    return value;
  }

  /** A document parsed into maps, lists and scalars: every key and string, every number. */
  static void checkDocument(String field, Object value) {
    if (value instanceof String s) {
      checkText(field, s);
    } else if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
      throw ApiError.invalidInput(field, value, "numbers must be finite");
    } else if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        checkText(field, String.valueOf(e.getKey()));
        checkDocument(field, e.getValue());
      }
    } else if (value instanceof List<?> l) {
      for (Object o : l) checkDocument(field, o);
    }
  }

  /** As {@link #checkDocument(String, Object)}, for a Jackson tree. */
  static void checkDocument(String field, JsonNode node) {
    if (node == null) return;
    if (node.isString()) {
      checkText(field, node.asString());
    } else if (node.isNumber() && node.isFloatingPointNumber() && !Double.isFinite(node.asDouble())) {
      throw ApiError.invalidInput(field, node.toString(), "numbers must be finite");
    } else if (node.isObject()) {
      for (var e : node.properties()) {
        checkText(field, e.getKey());
        checkDocument(field, e.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode n : node) checkDocument(field, n);
    }
  }
}
