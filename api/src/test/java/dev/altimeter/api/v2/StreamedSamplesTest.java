package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Sample;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a POST body that is a valid JSON array is read one sample at a time, not as one tree.
 * The streamed path must be the one taken for good bodies (a fallback to the whole-tree path gives
 * the same answer, so only this can tell them apart), and must give what the whole read gives.
 */
class StreamedSamplesTest {
  private final MetersController controller = new MetersController(null, null, receiver -> (outcome, n) -> {});
  private final Caller admin = new Caller("u", "p", Set.of("admin"), true);

  private static byte[] body(int n) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(",\n");
      b.append("{\"counter_name\": \"m\", \"counter_type\": \"gauge\", \"counter_unit\": \"B\", \"counter_volume\": ")
          .append(i).append(", \"resource_id\": \"r").append(i)
          .append("\", \"timestamp\": \"2026-11-30T12:00:00Z\", \"resource_metadata\": {\"flavor.name\": \"m1\", \"n\": [1, 2]}}");
    }
    return b.append("]").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aGoodArrayIsReadSampleBySample() {
    List<Sample> streamed = controller.parseStreaming("m", body(3), admin);
    assertThat(streamed).hasSize(3);
    assertThat(streamed.get(2).volume()).isEqualTo(2.0);
    assertThat(streamed.get(2).resourceId()).isEqualTo("r2");
    assertThat(streamed.get(0).resourceMetadata()).isEqualTo(Map.of("flavor", Map.of("name", "m1"), "n", List.of(1, 2)));
    // the same samples as the public path gives (message ids are random: compared without them)
    List<Sample> parsed = controller.parseSamples("m", body(3), admin);
    assertThat(parsed).usingRecursiveFieldByFieldElementComparatorIgnoringFields("messageId").isEqualTo(streamed);
  }

  @Test
  void anythingElseIsLeftToTheWholeRead() {
    for (String bad : List.of("[]", "{}", "[1]", "[{\"counter_name\": \"m\"}]", "[{}] trailing", "[{\"a\": 1},", "5")) {
      assertThat(controller.parseStreaming("m", bad.getBytes(StandardCharsets.UTF_8), admin)).as(bad).isNull();
    }
  }
}
