package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.ingest.RecordingIngestCounters;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/**
 * Samples posted through the API and read back through it, over the in-memory stores alone: what
 * the API answers depends only on the store contract, which both stores pass.
 */
class InMemoryStoresApiTest extends ApiTestSupport {
  @Autowired
  RecordingIngestCounters counters;

  private void postCpu(String resource, String timestamp, double volume) {
    http.post().uri("/v2/meters/cpu").contentType(MediaType.APPLICATION_JSON).bodyValue("""
        [{"counter_name": "cpu", "counter_type": "gauge", "counter_unit": "ns", "counter_volume": %s,
          "resource_id": "%s", "project_id": "p1", "user_id": "u1", "timestamp": "%s"}]"""
        .formatted(volume, resource, timestamp)).exchange().expectStatus().isCreated();
  }

  @Test
  void postedSamplesAreListedAndAggregated() {
    postCpu("r1", "2024-03-01T10:00:00", 1);
    postCpu("r2", "2024-03-01T10:01:00", 8);
    postCpu("r1", "2024-03-01T10:03:00", 3);
    http.get().uri("/v2/meters/cpu/statistics?groupby=resource_id").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[*].groupby.resource_id").isEqualTo(List.of("r1", "r2"))
        .jsonPath("$[*].count").isEqualTo(List.of(2, 1))
        .jsonPath("$[*].sum").isEqualTo(List.of(4.0, 8.0))
        .jsonPath("$[*].duration").isEqualTo(List.of(180.0, 0.0));
    http.get().uri("/v2/resources").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("r1", "r2"))
        .jsonPath("$[0].last_sample_timestamp").isEqualTo("2024-03-01T10:03:00");
    http.get().uri("/v2/meters/cpu?limit=2").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[*].counter_volume").isEqualTo(List.of(3.0, 8.0));
    http.get().uri("/v2/event_types").exchange().expectStatus().isOk().expectBody().json("[]");
  }

  /** The sample POST counts in the metric every ingest door counts in, as receiver v2. */
  @Test
  void thePostCountsAsTheV2Receiver() {
    long accepted = counters.count("v2", IngestOutcome.ACCEPTED);
    long invalid = counters.count("v2", IngestOutcome.INVALID);
    postCpu("r1", "2024-03-01T10:00:00", 1);
    http.post().uri("/v2/meters/cpu").contentType(MediaType.APPLICATION_JSON).bodyValue("""
        [{"counter_name": "cpu", "counter_type": "gauge", "counter_unit": "ns", "counter_volume": 1, "resource_id": "r1"},
         {"counter_name": "cpu", "counter_type": "nonsense", "counter_unit": "ns", "counter_volume": 1, "resource_id": "r1"}]""")
        .exchange().expectStatus().isBadRequest();
    assertThat(counters.count("v2", IngestOutcome.ACCEPTED)).isEqualTo(accepted + 1);
    assertThat(counters.count("v2", IngestOutcome.INVALID)).isEqualTo(invalid + 1);
  }
}
