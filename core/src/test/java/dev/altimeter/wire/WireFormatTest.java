package dev.altimeter.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WireFormatTest {
  private static final Sample SAMPLE = Sample.builder().meter("cpu").type(SampleType.CUMULATIVE).unit("ns")
      .volume(1.5e10).userId("u1").projectId("p1").resourceId("vm1").source("openstack")
      .timestamp(Instant.parse("2026-01-01T00:00:00.250001Z"))
      .resourceMetadata(Map.of("flavor", Map.of("vcpus", 2L), "tags", List.of("a")))
      .messageId(UUID.fromString("00000000-0000-0000-0000-000000000001")).build();

  @Test
  void theShapesKeyForKey() {
    assertThat(WireFormat.meterMessage(SAMPLE, MessageSigner.disabled()).keySet()).containsExactly("source",
        "counter_name", "counter_type", "counter_unit", "counter_volume", "user_id", "project_id", "resource_id",
        "timestamp", "resource_metadata", "message_id", "monotonic_time", "message_signature");
    assertThat(WireFormat.asDict(SAMPLE).keySet()).containsExactly("name", "type", "unit", "volume", "user_id",
        "project_id", "resource_id", "timestamp", "resource_metadata", "source", "id", "monotonic_time");
    Map<String, Object> old = WireFormat.oldSample(SAMPLE, Map.of("flavor.vcpus", "2"));
    assertThat(old.keySet()).containsExactly("source", "counter_name", "counter_type", "counter_unit",
        "counter_volume", "user_id", "project_id", "resource_id", "timestamp", "resource_metadata", "message_id");
    assertThat(old.get("timestamp")).isEqualTo("2026-01-01T00:00:00.250001");
    assertThat(old.get("resource_metadata")).isEqualTo(Map.of("flavor.vcpus", "2"));
    assertThat(WireFormat.v2Sample(SAMPLE, Map.of()).keySet()).containsExactly("id", "meter", "type", "unit",
        "volume", "user_id", "project_id", "resource_id", "source", "timestamp", "recorded_at", "metadata");
    assertThat(WireFormat.v2Sample(SAMPLE, Map.of())).containsEntry("recorded_at", null)
        .containsEntry("type", "cumulative").containsEntry("volume", 1.5e10);
    assertThat(WireFormat.asDict(SAMPLE)).containsEntry("type", "cumulative").containsEntry("unit", "ns")
        .containsEntry("timestamp", "2026-01-01T00:00:00.250001+00:00");
    assertThat(WireFormat.meterMessage(SAMPLE, MessageSigner.disabled())).containsEntry("counter_type", "cumulative")
        .containsEntry("counter_volume", 1.5e10).containsEntry("resource_id", "vm1");
    Sample stored = SAMPLE.withRecordedAt(Instant.parse("2026-01-01T00:00:01Z"));
    assertThat(WireFormat.oldSample(stored, Map.of())).containsEntry("recorded_at", "2026-01-01T00:00:01")
        ;
  }

  @Test
  void bothPublishedShapesReadBackToTheSameSample() {
    MessageSigner signer = MessageSigner.of("secret");
    Map<String, Object> message = WireFormat.meterMessage(SAMPLE, signer);
    Sample fromMessage = WireFormat.sample(message);
    assertThat(fromMessage.messageSignature()).isEqualTo(message.get("message_signature"));
    assertThat(fromMessage.withSignature(null)).isEqualTo(SAMPLE);
    assertThat(WireFormat.sample(WireFormat.asDict(SAMPLE))).isEqualTo(SAMPLE);
    // through msgpack, as udp and tcp carry it
    @SuppressWarnings("unchecked")
    Map<String, Object> decoded = (Map<String, Object>) MsgPack.decode(MsgPack.encode(message));
    assertThat(signer.verify(decoded)).isTrue();
    assertThat(WireFormat.sample(decoded)).isEqualTo(fromMessage);
  }

  @Test
  void readsWhatCeilometerSends() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("name", "cpu");
    d.put("type", "gauge");
    d.put("unit", "%");
    d.put("volume", 1);
    d.put("resource_id", "r");
    d.put("resource_metadata", Map.of("n", 1, "l", List.of((short) 2)));
    d.put("id", "not-a-uuid");
    for (String naiveOrAware : List.of("2026-01-01T00:00:00", "2026-01-01 00:00:00", "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.000000+00:00", "2026-01-01T01:00:00+01:00")) {
      d.put("timestamp", naiveOrAware);
      Sample s = WireFormat.sample(d);
      assertThat(s.timestamp()).as(naiveOrAware).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
      // a JSON int and a msgpack int are the same value
      assertThat(s.resourceMetadata()).isEqualTo(Map.of("n", 1L, "l", List.of(2L)));
      // any id that is not a UUID maps to one stable UUID
      assertThat(s.messageId()).isEqualTo(UUID.nameUUIDFromBytes("not-a-uuid".getBytes()));
    }
  }

  @Test
  void errorsNameTheField() {
    Map<String, Object> good = WireFormat.asDict(SAMPLE);
    assertThatThrownBy(() -> WireFormat.sample(with(good, "name", null))).hasMessage("name is required");
    assertThatThrownBy(() -> WireFormat.sample(with(good, "resource_id", ""))).hasMessage("resource_id is required");
    assertThatThrownBy(() -> WireFormat.sample(with(good, "unit", 3))).hasMessage("unit must be a string");
    assertThatThrownBy(() -> WireFormat.sample(with(good, "type", "rate")))
        .hasMessage("type must be gauge, delta or cumulative, got 'rate'");
    assertThatThrownBy(() -> WireFormat.sample(with(good, "volume", "1"))).hasMessage("volume must be a number");
    assertThatThrownBy(() -> WireFormat.sample(with(good, "volume", Double.NaN))).hasMessage("volume must be finite");
    assertThatThrownBy(() -> WireFormat.sample(with(good, "timestamp", "yesterday")))
        .hasMessage("timestamp is not an ISO-8601 date-time: 'yesterday'");
    assertThatThrownBy(() -> WireFormat.sample(with(good, "resource_metadata", List.of())))
        .hasMessage("resource_metadata must be an object");
    Map<String, Object> message = WireFormat.meterMessage(SAMPLE, MessageSigner.disabled());
    assertThatThrownBy(() -> WireFormat.sample(with(message, "counter_volume", null)))
        .hasMessage("volume must be a number");
  }

  private static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(m);
    copy.put(key, value);
    return copy;
  }
}
