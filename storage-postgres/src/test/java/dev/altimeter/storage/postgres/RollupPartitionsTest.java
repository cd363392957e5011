package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RollupPartitionsTest {
  private static final long DAY = 86_400;

  @Test
  void spansAreWholeDaysAndWholeBucketsOfAbout720Buckets() {
    assertThat(RollupPartitions.spanSeconds(60)).isEqualTo(DAY);
    assertThat(RollupPartitions.spanSeconds(3600)).isEqualTo(30 * DAY);
    assertThat(RollupPartitions.spanSeconds(86_400)).isEqualTo(720 * DAY);
    for (long g : new long[] {1, 7, 90, 300, 420, 7200, 604_800}) {
      long span = RollupPartitions.spanSeconds(g);
      assertThat(span % g).as("g=%d", g).isZero();
      assertThat(span % DAY).as("g=%d", g).isZero();
      assertThat(span).as("g=%d", g).isGreaterThanOrEqualTo(720 * g);
    }
  }

  @Test
  void namesGiveBackTheSpanStart() {
    long t = Instant.parse("2024-05-17T13:45:00Z").getEpochSecond();
    assertThat(RollupPartitions.spanStart(60, t)).isEqualTo(Instant.parse("2024-05-17T00:00:00Z").getEpochSecond());
    assertThat(RollupPartitions.span(60, RollupPartitions.spanStart(60, t))).isEqualTo("rollup_60_20240517");
    // spans beginning before year 1 or after 9999 (buckets of samples near the ends of time)
    for (long start : new long[] {RollupPartitions.spanStart(86_400, Instant.parse("0001-01-01T00:00:00Z").getEpochSecond()),
        RollupPartitions.spanStart(3600, t), RollupPartitions.spanStart(86_400,
            Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()) + 720 * DAY}) {
      String name = RollupPartitions.span(86_400, start);
      assertThat(name).matches("rollup_86400_[0-9a-z]+");
      assertThat(RollupPartitions.spanStartOf(86_400, name)).as(name).isEqualTo(start);
    }
    assertThat(RollupPartitions.spanStartOf(3600, "rollup_60_20240517")).isNull();
    assertThat(RollupPartitions.spanStartOf(60, "rollup_60_default")).isNull();
  }
}
