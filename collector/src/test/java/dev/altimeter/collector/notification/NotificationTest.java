package dev.altimeter.collector.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NotificationTest {
  static final String INNER = "{\"message_id\": \"m-1\", \"publisher_id\": \"compute.h1\", "
      + "\"event_type\": \"compute.instance.exists\", \"priority\": \"INFO\", \"payload\": {\"a\": 1}, "
      + "\"timestamp\": \"2012-05-08 20:23:48.0281959\", \"_context_user_id\": \"u1\", \"_unique_id\": \"x\"}";

  @Test
  void parsesTheEnvelopeAndTheBareForm() {
    String wire = "{\"oslo.version\": \"2.0\", \"oslo.message\": " + quote(INNER) + "}";
    Notification enveloped = Notification.parse(wire.getBytes(StandardCharsets.UTF_8));
    Notification bare = Notification.parse(INNER);
    assertThat(enveloped).isEqualTo(bare);
    assertThat(bare.priority()).isEqualTo("info");
    assertThat(bare.publisherId()).isEqualTo("compute.h1");
    assertThat(bare.eventType()).isEqualTo("compute.instance.exists");
    assertThat(bare.messageId()).isEqualTo("m-1");
    assertThat(bare.timestamp()).isEqualTo(Instant.parse("2012-05-08T20:23:48.028195Z")); // microseconds
    assertThat(bare.payload()).isEqualTo(Map.of("a", 1));
    assertThat(bare.context()).isEqualTo(Map.of("user_id", "u1"));
  }

  @Test
  void readsValuesAsJacksonsUntypedBindingDoes() {
    // the oracle: what the notification agent read with JsonMapper.readValue(..., Object.class) before
    String payload = "{\"i\": 1, \"l\": 12345678901, \"big\": 123456789012345678901234567890, \"d\": 1.5,"
        + " \"e\": -2e-3, \"t\": true, \"f\": false, \"n\": null, \"s\": \"\\u00e9\\n\\\"\","
        + " \"list\": [1, [2, {\"x\": []}], {}, null, \"y\"], \"dup\": 1, \"dup\": 2,"
        + " \"nested\": {\"b\": {\"a\": [1.0, -0, 9223372036854775808]}}}";
    String inner = INNER.replace("{\"a\": 1}", payload);
    Object expected = tools.jackson.databind.json.JsonMapper.builder().build().readValue(payload, Object.class);
    Notification n = Notification.parse(("{\"oslo.version\": \"2.0\", \"oslo.message\": " + quote(inner) + "}")
        .getBytes(StandardCharsets.UTF_8));
    assertThat(n.payload()).isEqualTo(expected);
    assertThat(List.copyOf(n.payload().keySet())).isEqualTo(List.copyOf(((Map<?, ?>) expected).keySet()));
    assertThat(n.payload().get("big")).isInstanceOf(java.math.BigInteger.class);
    assertThat(n.payload().get("l")).isInstanceOf(Long.class);
    assertThat(n.payload().get("dup")).isEqualTo(2);
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      not json                                                          | message body is not valid JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')
      [1, 2]                                                            | message body is not a JSON object
      {"oslo.version": "1.0", "oslo.message": "{}"}                     | unsupported oslo.version: 1.0
      {"oslo.version": "2.0", "oslo.message": {}}                       | oslo.message is not a JSON string
      {"oslo.version": "2.0", "oslo.message": "{"}                      | oslo.message is not valid JSON: Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)"{"; line: 1, column: 1])
      {"priority": "info", "message_id": "m", "timestamp": "2024-01-01"} | event_type is missing
      {"event_type": 5, "priority": "info"}                             | event_type is not a string
      {"event_type": "e", "message_id": "m", "timestamp": "2024-01-01"} | priority is missing
      {"event_type": "e", "priority": "info", "timestamp": "2024-01-01"} | message_id is missing
      {"event_type": "e", "priority": "info", "message_id": "m", "timestamp": "yesterday"} | timestamp is not an ISO 8601 time: yesterday
      {"event_type": "e", "priority": "info", "message_id": "m", "timestamp": "2024-01-01"} | payload is missing
      {"event_type": "e", "priority": "info", "message_id": "m", "timestamp": "2024-01-01", "payload": []} | payload is not a JSON object
      {"event_type": "e", "priority": "info", "message_id": "m", "timestamp": "2024-01-01", "payload": {}, "publisher_id": 3} | publisher_id is not a string
      {"event_type": "e"} {"x": 1}                                      | message body is not valid JSON: more content after the object
      {"event_type": "e", "payload": [1, 2                               | message body is not valid JSON: Unexpected end-of-input
      {"oslo.version": "2.0", "oslo.message": "[1, {]"}                 | oslo.message is not valid JSON: Unexpected close marker
      """)
  void malformedInputSaysWhy(String body, String reason) {
    assertThatThrownBy(() -> Notification.parse(body)).isInstanceOf(MalformedNotificationException.class)
        .hasMessageStartingWith(reason.length() > 60 ? reason.substring(0, 40) : reason);
  }
}
