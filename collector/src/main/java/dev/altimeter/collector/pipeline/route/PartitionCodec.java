package dev.altimeter.collector.pipeline.route;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.wire.WireFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of a partition queue message: a JSON array of samples with every field of the model
 * (so that a sample decoded on another collector equals the one encoded, including its message
 * id, which keeps derived ids deterministic). Altimeter-internal, not a Ceilometer format.
 */
final class PartitionCodec {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private PartitionCodec() {}

  static byte[] encode(List<Sample> samples) {
    List<Map<String, Object>> out = new ArrayList<>(samples.size());
    for (Sample s : samples) {
      // Ceilometer's sample dict, with the timestamp as Instant.parse reads it back and the
      // signature, which the dict leaves out
      Map<String, Object> m = WireFormat.asDict(s);
      m.remove("monotonic_time");
      m.put("timestamp", s.timestamp().toString());
      m.put("signature", s.messageSignature());
      out.add(m);
    }
    return MAPPER.writeValueAsBytes(out);
  }

  /** Decodes a body; {@link IllegalArgumentException} (or a Jackson exception) for a malformed one. */
  @SuppressWarnings("unchecked")
  static List<Sample> decode(byte[] body) {
    List<Map<String, Object>> in = MAPPER.readValue(body, List.class);
    List<Sample> out = new ArrayList<>(in.size());
    for (Map<String, Object> m : in) {
      out.add(new Sample((String) m.get("name"), SampleType.fromWireName((String) m.get("type")),
          (String) m.get("unit"), ((Number) m.get("volume")).doubleValue(), (String) m.get("user_id"),
          (String) m.get("project_id"), (String) m.get("resource_id"), Instant.parse((String) m.get("timestamp")),
          null, (String) m.get("source"), (Map<String, Object>) m.get("resource_metadata"),
          UUID.fromString((String) m.get("id")), (String) m.get("signature")));
    }
    return out;
  }
}
