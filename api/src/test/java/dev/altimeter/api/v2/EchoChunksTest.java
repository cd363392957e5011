package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * The POST echo written from the samples is the array of their {@link Representations#oldSample}
 * maps as the service's JSON writes them, joined by {@code ,} (what Spring's encoder made of the
 * {@code Flux} of maps; {@code PostEchoBytesTest} pins that over HTTP): across buffer boundaries,
 * with and without {@code recorded_at} and user, and with metadata whose dotted keys flatten onto
 * nested ones (which the map keeps once).
 */
class EchoChunksTest {
  @Test
  void theEchoIsTheMapsOfTheSamplesJoined() {
    List<Sample> samples = new ArrayList<>();
    int n = 2 * EchoEncoder.ECHO_CHUNK + 7;
    for (int i = 0; i < n; i++) {
      Map<String, Object> metadata = new LinkedHashMap<>();
      metadata.put("flavor", Map.of("name", "m1.small", "vcpus", (long) i));
      if (i % 3 == 0) metadata.put("flavor.name", "dotted " + i);
      if (i % 5 == 0) metadata.put("tags", List.of("a", "it's", 2.5, true));
      metadata.put("host", "h-\u00e9\u96ea\"\\\n" + i);
      samples.add(Sample.builder().meter("m").type(SampleType.values()[i % 3]).unit("B").volume(i * 1.25e17 - 3)
          .userId(i % 4 == 0 ? null : "u" + i).projectId("p").resourceId("r" + i).source("p:s")
          .timestamp(Instant.parse("2026-11-30T12:00:00Z").plusNanos(i * 1_001_000L))
          .recordedAt(i % 2 == 0 ? null : Instant.parse("2026-11-30T12:00:01Z"))
          .resourceMetadata(metadata).build());
    }
    List<DataBuffer> buffers = EchoEncoder.write(samples, DefaultDataBufferFactory.sharedInstance).collectList().block();
    assertThat(buffers).hasSize(3);
    StringBuilder echo = new StringBuilder();
    for (DataBuffer b : buffers) {
      echo.append(b.toString(StandardCharsets.UTF_8));
      DataBufferUtils.release(b);
    }
    String maps = samples.stream().map(s -> PythonJson.MAPPER.writeValueAsString(Representations.oldSample(s)))
        .collect(Collectors.joining(",", "[", "]"));
    assertThat(echo.toString()).isEqualTo(maps);
    assertThat(maps).contains("\"flavor.name\": \"dotted 0\"").contains("\"recorded_at\": ").contains("\"user_id\": null");
  }
}
