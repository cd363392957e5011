package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepresentationsTest {

  /** Metadata values as Python's str() prints them, which is what Ceilometer's flatten_metadata showed. */
  @Test
  void flattenedMetadataReadsAsPythonPrintsIt() {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("flavor", Map.of("ram", 12345678.0));
    metadata.put("tiny", 0.00001);
    metadata.put("n", 7L);
    metadata.put("tags", Arrays.asList("it's", null, true, 2.5));
    metadata.put("name", "vm 'one'");
    assertThat(Representations.flatten(metadata)).containsExactly(Map.entry("flavor.ram", "12345678.0"),
        Map.entry("tiny", "1e-05"), Map.entry("n", "7"), Map.entry("tags", "[\"it's\", None, True, 2.5]"),
        Map.entry("name", "vm 'one'"));
    assertThat(Representations.flatten(Map.of("empty", List.of()))).containsExactly(Map.entry("empty", "[]"));
  }
}
