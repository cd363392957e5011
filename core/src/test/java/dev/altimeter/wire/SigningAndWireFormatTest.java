package dev.altimeter.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SigningAndWireFormatTest {

  @Test
  void signatureOfASmallMessageByHand() {
    // recursive_keypairs({'a': 1, 'b': {'c': 'x'}}) = [('a', 1), ('b:c', 'x')]
    // so the HMAC input is "a" "1" "b:c" "x" = "a1b:cx"; HMAC-SHA256("secret", "a1b:cx"):
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", Map.of("c", "x"));
    m.put("a", 1);
    assertThat(MessageSigner.of("secret").sign(m))
        .isEqualTo("1724ffb086954aa480bcb0d17cebdfe04a039ab81909a700b48b77dc13a786b2");
  }

  /** Expected value computed with Ceilometer's algorithm (utils.recursive_keypairs, compute_signature) in Python 3. */
  @Test
  void signatureOfAMeterMessageMatchesCeilometer() {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("flavor", Map.of("name", "m1.small", "vcpus", 1));
    metadata.put("cpu_number", 2);
    metadata.put("tags", List.of("a", "b'c"));
    metadata.put("nothing", null);
    metadata.put("ok", true);
    metadata.put("ratio", 0.00001);
    metadata.put("big", 1e16);
    metadata.put("neg", -2.5);
    Sample s = Sample.builder().meter("cpu").type(SampleType.CUMULATIVE).unit("ns").volume(1.5e10)
        .userId("u1").projectId("p1").resourceId("vm1").source("openstack")
        .timestamp(Instant.parse("2026-01-01T00:00:00.250Z")).resourceMetadata(metadata)
        .messageId(UUID.fromString("00000000-0000-0000-0000-000000000001")).build();
    MessageSigner signer = MessageSigner.of("change this for valid signing");
    Map<String, Object> message = WireFormat.meterMessage(s, signer);
    assertThat(message.get("timestamp")).isEqualTo("2026-01-01T00:00:00.250000+00:00");
    assertThat(message.get("message_signature"))
        .isEqualTo("46f6a8087c1909e5254daa32d1feda534fc48edbcf2eded7a5967363ba269e7c");
    assertThat(signer.verify(message)).isTrue();
    Map<String, Object> tampered = new LinkedHashMap<>(message);
    tampered.put("counter_volume", 1.6e10);
    assertThat(signer.verify(tampered)).isFalse();
    assertThat(MessageSigner.of("other").verify(message)).isFalse();
    assertThat(MessageSigner.disabled().sign(message)).isEmpty();
    assertThat(MessageSigner.disabled().verify(tampered)).isTrue();
  }

  @Test
  void msgpackByHand() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", 1);
    java.util.ArrayList<Object> b = new java.util.ArrayList<>();
    b.add(1.5);
    b.add(null);
    b.add(true);
    m.put("b", b);
    m.put("c", -33);
    m.put("d", 300);
    // 84 (map of 4) a161 01 | a162 93 cb 3ff8000000000000 c0 c3 | a163 d0 df | a164 cd 012c
    assertThat(HexFormat.of().formatHex(MsgPack.encode(m)))
        .isEqualTo("84a16101a16293cb3ff8000000000000c0c3a163d0dfa164cd012c");
    String long40 = "x".repeat(40);
    assertThat(MsgPack.decode(MsgPack.encode(Map.of("k", long40)))).isEqualTo(Map.of("k", long40));
  }
}
