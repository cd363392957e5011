package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.ingest.RecordingIngestCounters;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** What only PostgreSQL refuses, posted through the API: the sender's fault, never this node's. */
class StoreRefusalsTest extends PostgresApiTestSupport {
  @Autowired
  RecordingIngestCounters counters;

  /**
   * A value only PostgreSQL refuses (a resource_id too long for its index, which does not compress
   * as a run of one letter would) is the sender's fault like any other bad value: 400, counted as
   * {@code invalid}. Counted as {@code failed} it raised the "ingest dropped" alert, which means
   * samples lost to this node.
   */
  @Test
  void aSampleTheStoreRefusesCountsAsInvalidNotFailed() {
    StringBuilder id = new StringBuilder();
    java.util.Random random = new java.util.Random(1);
    while (id.length() < 20_000) id.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
    long invalid = counters.count("v2", IngestOutcome.INVALID);
    long failed = counters.count("v2", IngestOutcome.FAILED);
    post("/v2/meters/instance", """
        [{"counter_name":"instance","counter_type":"gauge","counter_unit":"u","counter_volume":1,"resource_id":"%s"}]"""
        .formatted(id)).expectStatus().isBadRequest();
    assertThat(counters.count("v2", IngestOutcome.INVALID)).isEqualTo(invalid + 1);
    assertThat(counters.count("v2", IngestOutcome.FAILED)).isEqualTo(failed);
  }
}
