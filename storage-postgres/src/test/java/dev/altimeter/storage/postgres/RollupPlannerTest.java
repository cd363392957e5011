package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.Statistics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollupPlannerTest {
  private static final long S = 1_000_000L, M = 60 * S, H = 3600 * S;
  private static final long T = EpochMicros.of(Instant.parse("2024-03-01T00:00:00Z"));
  private final RollupPlanner planner = new RollupPlanner(List.of(60L, 3600L));

  private static RollupPlanner.Piece raw(Long from, Long to) {
    return new RollupPlanner.Piece(0, from, to);
  }

  @Test
  void unboundedRangeIsOneCoarsestRead() {
    assertThat(planner.cover(null, null, 0, 0)).containsExactly(new RollupPlanner.Piece(3600, null, null));
  }

  @Test
  void unalignedEdgesGoToFinerLevelsThenRawRows() {
    long from = T + 10 * M + 5 * S, to = T + 5 * H + 30 * M + 7;
    assertThat(planner.cover(from, to, 0, 0)).containsExactly(
        raw(from, T + 11 * M),
        new RollupPlanner.Piece(60, T + 11 * M, T + H),
        new RollupPlanner.Piece(3600, T + H, T + 5 * H),
        new RollupPlanner.Piece(60, T + 5 * H, T + 5 * H + 30 * M),
        raw(T + 5 * H + 30 * M, to));
    // less than a minute: raw only
    assertThat(planner.cover(T + 5, T + 50 * S, 0, 0)).containsExactly(raw(T + 5, T + 50 * S));
    assertThat(planner.cover(T, T, 0, 0)).isEmpty();
  }

  @Test
  void periodsUseOnlyBucketsInsideOneWindow() {
    // 2 h windows from a whole hour: hourly buckets
    assertThat(planner.cover(T, T + 4 * H, 7200, T)).containsExactly(new RollupPlanner.Piece(3600, T, T + 4 * H));
    // 90 s windows: minutes would straddle them
    assertThat(planner.cover(T, T + 4 * H, 90, T)).containsExactly(raw(T, T + 4 * H));
    // windows from a whole minute that is no whole hour: minutes only
    assertThat(planner.cover(T + M, T + M + 2 * H, 3600, T + M))
        .containsExactly(new RollupPlanner.Piece(60, T + M, T + M + 2 * H));
    // windows from an unaligned origin: raw only
    assertThat(RollupPlanner.usesRollups(planner.cover(T + 7, T + 3 * H, 3600, T + 7))).isFalse();
  }

  @Test
  void beforeTheRawHorizonTheFinestKeptLevelAnswersAtItsGranularity() {
    long d = 24 * H;
    // raw samples kept from T + 2 d, minutes from T + 1 d, hours forever
    Map<Long, Long> horizons = Map.of(0L, T + 2 * d, 60L, T + d);
    assertThat(planner.cover(T + 5 * M, T + 3 * d + 7, 0, 0, horizons)).containsExactly(
        new RollupPlanner.Piece(3600, T + 5 * M, T + d), // hour buckets starting in range: 01:00 on
        new RollupPlanner.Piece(60, T + d, T + 2 * d),
        new RollupPlanner.Piece(3600, T + 2 * d, T + 3 * d), // exact again
        raw(T + 3 * d, T + 3 * d + 7));
    // unbounded: everything before the first horizon from the level kept longest
    assertThat(planner.cover(null, null, 0, 0, horizons)).containsExactly(
        new RollupPlanner.Piece(3600, null, T + d), new RollupPlanner.Piece(60, T + d, T + 2 * d),
        new RollupPlanner.Piece(3600, T + 2 * d, null));
    // periods that no bucket fits are answered at the bucket's granularity there (by bucket start)
    assertThat(planner.cover(T, T + 3 * d, 90, T, horizons)).containsExactly(
        new RollupPlanner.Piece(3600, T, T + d), new RollupPlanner.Piece(60, T + d, T + 2 * d), raw(T + 2 * d, T + 3 * d));
  }

  @Test
  void theBucketAcrossAHorizonIsReadWholeAndNothingTwice() {
    // a raw horizon inside an hour (not a day's edge; as if the partitions were not days): the hour
    // that holds it comes from the hourly level, the raw rows from its end
    Map<Long, Long> horizons = Map.of(0L, T + 30 * M + 30 * S, 60L, T + 10 * H);
    assertThat(planner.cover(T, T + 3 * H, 0, 0, horizons)).containsExactly(
        new RollupPlanner.Piece(3600, T, T + H), new RollupPlanner.Piece(3600, T + H, T + 3 * H));
    // everything gone before T + 1 d: nothing to read there
    long d = 24 * H;
    assertThat(planner.cover(T, T + 2 * d, 0, 0, Map.of(0L, T + d, 60L, T + d, 3600L, T + d)))
        .containsExactly(new RollupPlanner.Piece(3600, T + d, T + 2 * d));
    // a range wholly after the horizons is planned as without them
    assertThat(planner.cover(T + 3 * d, T + 4 * d + 5, 0, 0, Map.of(0L, T + d, 60L, T + d)))
        .isEqualTo(planner.cover(T + 3 * d, T + 4 * d + 5, 0, 0));
  }

  @Test
  void metadataMessageIdsAndMetadataGroupsAreRawOnly() {
    SampleFilter f = SampleFilter.builder().meter("cpu").build();
    assertThat(RollupPlanner.eligible(new Statistics.Query(f, List.of(Statistics.GroupBy.RESOURCE_ID,
        Statistics.GroupBy.PROJECT_ID, Statistics.GroupBy.USER_ID), 60, List.of()))).isTrue();
    assertThat(RollupPlanner.eligible(new Statistics.Query(f, List.of(Statistics.GroupBy.INSTANCE_TYPE), 0, List.of())))
        .isFalse();
    assertThat(RollupPlanner.eligible(new Statistics.Query(f.toBuilder().metadata("a", "b").build(), List.of(), 0,
        List.of()))).isFalse();
    assertThat(RollupPlanner.eligible(new Statistics.Query(f.toBuilder().messageId("x").build(), List.of(), 0,
        List.of()))).isFalse();
    assertThat(RollupPlanner.eligible(new Statistics.Query(
        f.toBuilder().start(Instant.parse("2024-03-01T00:00:00.0000005Z"), true).build(), List.of(), 0, List.of())))
        .isFalse();
  }
}
