package dev.altimeter.collector.notification;

import dev.altimeter.wire.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(String json, String what) {
    Object value;
    try {
      value = JSON.readValue(json, Object.class);
    } catch (JacksonException e) {
      throw new MalformedNotificationException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (!(value instanceof Map<?, ?> m)) {
      throw new MalformedNotificationException(what + " is not a JSON object");
    }
    return (Map<String, Object>) m;
  }
}
