package dev.altimeter.collector.notification;

import dev.altimeter.wire.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * One oslo.messaging notification as the notification agent sees it after unwrapping.
 *
 * <p>{@code priority} is lower case ({@code info}, {@code error}, {@code sample}, ...): senders write
 * it upper case and oslo.messaging lowercases it. {@code context} holds the {@code _context_*} keys
 * of the wire message without their prefix (Ceilometer's {@code ctxt}). {@code timestamp} is UTC,
 * truncated to microseconds. Maps are unmodifiable and may hold {@code null} values, as JSON does.
 */
public record Notification(
    String priority,
    String publisherId,
    String eventType,
    Instant timestamp,
    String messageId,
    Map<String, Object> payload,
    Map<String, Object> context) {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String CONTEXT_PREFIX = "_context_";
  /** How oslo writes timestamps ({@code str(utcnow())}); used to render {@code metadata.timestamp}. */
  private static final DateTimeFormatter OSLO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT).withZone(ZoneOffset.UTC);

  public Notification {
    if (priority == null || eventType == null || timestamp == null || messageId == null) {
      throw new IllegalArgumentException("priority, eventType, timestamp and messageId are required");
    }
    priority = priority.toLowerCase(Locale.ROOT);
    timestamp = Timestamps.micros(timestamp);
    payload = payload == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(payload));
    context = context == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(context));
  }

  /**
   * Parses an AMQP message body: the oslo v2.0 envelope {@code {"oslo.version": "2.0",
   * "oslo.message": "<inner message as a JSON string>"}} or, from older senders, the bare inner
   * message.
   *
   * @throws MalformedNotificationException when the body is not such a message, with the reason
   */
  public static Notification parse(byte[] body) {
    return parse(new String(body, StandardCharsets.UTF_8));
  }

  /** As {@link #parse(byte[])}. */
  public static Notification parse(String body) {
    Map<String, Object> outer = object(body, "message body");
    Map<String, Object> inner;
    if (outer.containsKey("oslo.message") || outer.containsKey("oslo.version")) {
      Object version = outer.get("oslo.version");
      if (!"2.0".equals(version)) {
        throw new MalformedNotificationException("unsupported oslo.version: " + version);
      }
      if (!(outer.get("oslo.message") instanceof String s)) {
        throw new MalformedNotificationException("oslo.message is not a JSON string");
      }
      inner = object(s, "oslo.message");
    } else {
      inner = outer;
    }
    return fromMessage(inner);
  }

  /** Builds a notification from the inner message (already parsed JSON). */
  public static Notification fromMessage(Map<String, Object> message) {
    String eventType = requiredText(message, "event_type");
    String priority = requiredText(message, "priority");
    String messageId = requiredText(message, "message_id");
    String rawTimestamp = requiredText(message, "timestamp");
    Instant timestamp = Timestamps.parseIsotime(rawTimestamp);
    if (timestamp == null) {
      throw new MalformedNotificationException("timestamp is not an ISO 8601 time: " + rawTimestamp);
    }
    Object publisher = message.get("publisher_id");
    if (publisher != null && !(publisher instanceof String)) {
      throw new MalformedNotificationException("publisher_id is not a string");
    }
    Object payload = message.get("payload");
    if (!(payload instanceof Map<?, ?>)) {
      throw new MalformedNotificationException(payload == null ? "payload is missing" : "payload is not a JSON object");
    }
    Map<String, Object> context = new LinkedHashMap<>();
    message.forEach((k, v) -> {
      if (k.startsWith(CONTEXT_PREFIX)) context.put(k.substring(CONTEXT_PREFIX.length()), v);
    });
    @SuppressWarnings("unchecked")
    Map<String, Object> p = (Map<String, Object>) payload;
    return new Notification(priority, (String) publisher, eventType, timestamp, messageId, p, context);
  }

  /**
   * The dictionary Ceilometer's definitions evaluate their paths on: {@code {"ctxt", "publisher_id",
   * "event_type", "payload", "metadata": {"message_id", "timestamp"}}}. Also what an event keeps as
   * its raw form.
   */
  public Map<String, Object> body() {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("message_id", messageId);
    metadata.put("timestamp", OSLO_TIME.format(timestamp));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ctxt", context);
    body.put("publisher_id", publisherId);
    body.put("event_type", eventType);
    body.put("payload", payload);
    body.put("metadata", metadata);
    return body;
  }

  private static String requiredText(Map<String, Object> message, String key) {
    Object v = message.get(key);
    if (v == null) throw new MalformedNotificationException(key + " is missing");
    if (!(v instanceof String s)) throw new MalformedNotificationException(key + " is not a string");
    if (s.isEmpty()) throw new MalformedNotificationException(key + " is empty");
    return s;
  }

  /**
   * The JSON object {@code json} as maps (insertion-ordered), lists, strings, {@code Integer}/{@code
   * Long}/{@code BigInteger}, {@code Double}, booleans and nulls, as Jackson's untyped binding gives
   * them (duplicate names: the last wins), read straight from the token stream: the untyped binding
   * set up a deserialization context and resolved the root type per call, a visible part of a
   * notification's cost, twice per notification (the envelope, then {@code oslo.message}).
   */
  private static Map<String, Object> object(String json, String what) {
    try (JsonParser p = JSON.createParser(json)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        if (first != null) value(p, first); // a malformed value says so before "not an object"
        throw new MalformedNotificationException(what + " is not a JSON object");
      }
      Map<String, Object> out = members(p);
      if (p.nextToken() != null) {
        throw new NotJson("more content after the object");
      }
      return out;
    } catch (JacksonException e) {
      throw new MalformedNotificationException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (NotJson e) {
      throw new MalformedNotificationException(what + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** What the token loop finds wrong that the parser itself does not report. */
  private static final class NotJson extends RuntimeException {
    NotJson(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The members of the object whose START_OBJECT was just read, up to its END_OBJECT. */
  private static Map<String, Object> members(JsonParser p) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name = p.nextName(); name != null; name = p.nextName()) out.put(name, value(p, p.nextToken()));
    return out;
  }

  private static Object value(JsonParser p, JsonToken token) {
    if (token == null) throw new NotJson("unexpected end of input");
    switch (token) {
      case START_OBJECT:
        return members(p);
      case START_ARRAY: {
        List<Object> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) out.add(value(p, t));
        return out;
      }
      case VALUE_STRING:
        return p.getString();
      case VALUE_NUMBER_INT:
        return p.getNumberValue(); // Integer, Long or BigInteger, the smallest that holds it
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default: // END_* where a value belongs, or the end of input: the parser reports those itself
        throw new NotJson("unexpected " + token);
    }
  }
}
