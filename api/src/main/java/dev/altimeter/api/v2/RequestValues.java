package dev.altimeter.api.v2;

import dev.altimeter.storage.Values;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The values a request may hand to a store, checked before anything reaches one, as 400s that name
 * the field: the store's own rules ({@link Values}: Unicode text without NUL, numbers {@code numeric} holds;
 * timestamps are checked by {@link Timestamps#parse}), plus what only JSON input can carry: a number
 * too large for a double ({@code 1e999} reads as Infinity).
 */
final class RequestValues {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private RequestValues() {}

  static String checkText(String field, String value) {
    try {
      return Values.text(value, field);
    } catch (IllegalArgumentException e) {
      // Values refuses either; say which (a lone surrogate was answered as a NUL)
      throw ApiError.invalidInput(field, printable(value), value.indexOf('\0') >= 0
          ? "must be Unicode text without NUL characters" : "must be Unicode text without unpaired surrogates");
    }
  }

  /** The value with NUL and unpaired surrogates written as a backslash-u escape: safe to echo in an answer. */
  static String printable(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))
          || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
      if (c == 0 || (Character.isSurrogate(c) && !paired)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A document parsed into maps, lists and scalars: every key and string, every number. */
  static void checkDocument(String field, Object value) {
    checkFinite(field, value);
    try {
      Values.json(value, field);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("Invalid input for field/attribute " + field + ". " + printable(e.getMessage()));
    }
  }

  /** As {@link #checkDocument(String, Object)}, for a Jackson tree. */
  static void checkDocument(String field, JsonNode node) {
    if (node != null) checkDocument(field, JSON.treeToValue(node, Object.class));
  }

  private static void checkFinite(String field, Object value) {
    if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
      throw ApiError.invalidInput(field, value, "numbers must be finite");
    } else if (value instanceof Map<?, ?> m) {
      for (Object v : m.values()) checkFinite(field, v);
    } else if (value instanceof List<?> l) {
      for (Object o : l) checkFinite(field, o);
    }
  }
}
