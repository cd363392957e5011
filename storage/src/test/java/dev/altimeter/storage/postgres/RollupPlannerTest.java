package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.Statistics;
import java.time.Instant;
import java.util.List;
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
