package dev.altimeter.collector.notification;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reference notifications (copies of ../shared/reference/notifications) put on the wire as a
 * sender would: the inner message as a JSON string inside the oslo v2.0 envelope.
 */
public final class Fixtures {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** The versioned nova samples carry no message_id/timestamp; the oslo notifier adds them. */
  public static final String NOVA_TIMESTAMP = "2026-08-21 12:00:00.123456";

  private Fixtures() {}

  public static String resource(String path) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) throw new IllegalArgumentException("no test resource " + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String envelope(Map<String, Object> inner) {
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("oslo.version", "2.0");
    outer.put("oslo.message", JSON.writeValueAsString(inner));
    return JSON.writeValueAsString(outer);
  }

  /** A legacy notification (notifications/legacy/NAME.json) as it arrives. */
  public static String legacyWire(String name) {
    return envelope(JSON.readValue(resource("notifications/legacy/" + name + ".json"), new TypeReference<>() {}));
  }

  /**
   * A legacy notification with its own message id: several reference files share one (they come
   * from unit tests), and on a real bus one id is one message, which the store deduplicates.
   */
  public static String legacyWireWithUniqueId(String name) {
    Map<String, Object> inner = JSON.readValue(resource("notifications/legacy/" + name + ".json"), new TypeReference<>() {});
    inner.put("message_id", novaMessageId("legacy/" + name));
    return envelope(inner);
  }

  public static Notification legacy(String name) {
    return Notification.parse(legacyWire(name).getBytes(StandardCharsets.UTF_8));
  }

  /** A versioned nova sample (notifications/nova/NAME.json) with the keys the notifier adds. */
  public static Notification nova(String name) {
    return Notification.parse(novaWire(name).getBytes(StandardCharsets.UTF_8));
  }

  /** A versioned nova sample as it arrives: with message_id and timestamp, in the envelope. */
  public static String novaWire(String name) {
    Map<String, Object> inner = JSON.readValue(resource("notifications/nova/" + name + ".json"), new TypeReference<>() {});
    inner.put("message_id", novaMessageId(name));
    inner.put("timestamp", NOVA_TIMESTAMP);
    return envelope(inner);
  }

  public static String novaMessageId(String name) {
    return java.util.UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
