package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchivePolicyTest {
  private static final String PROPERTY = "altimeter.store.archive-policy";

  @Test
  void parsesGnocchiStyleLevels() {
    ArchivePolicy p = ArchivePolicy.parse(PROPERTY, " 1m:30d, 1h:400d,1d:forever ");
    assertThat(p.levels()).containsExactly(new ArchivePolicy.Level(60, Duration.ofDays(30)),
        new ArchivePolicy.Level(3600, Duration.ofDays(400)), new ArchivePolicy.Level(86_400, null));
    assertThat(ArchivePolicy.parse(PROPERTY, ArchivePolicy.DEFAULT).granularities()).isEqualTo(List.of(60L, 3600L));
    assertThat(ArchivePolicy.parse(PROPERTY, "30s:2w").levels())
        .containsExactly(new ArchivePolicy.Level(30, Duration.ofDays(14)));
  }

  @Test
  void badPoliciesNameThePropertyAndTheLevel() {
    assertThatThrownBy(() -> ArchivePolicy.parse(PROPERTY, "")).hasMessageStartingWith(PROPERTY + ": empty archive policy");
    assertThat(ArchivePolicy.parse(PROPERTY, " None ").levels()).isEmpty();
    assertThatThrownBy(() -> ArchivePolicy.parse(PROPERTY, "1m"))
        .hasMessage(PROPERTY + ": '1m' is not granularity:retention (e.g. 1h:400d)");
    assertThatThrownBy(() -> ArchivePolicy.parse(PROPERTY, "1m:30d, 1x:3d"))
        .hasMessage(PROPERTY + ": '1x:3d': '1x' is not a duration (a number and s, m, h, d or w, e.g. 5m)");
    assertThatThrownBy(() -> ArchivePolicy.parse(PROPERTY, "0m:1d")).hasMessage(PROPERTY + ": '0m:1d': '0m' must be positive");
    assertThatThrownBy(() -> ArchivePolicy.parse(PROPERTY, "1h:30m"))
        .hasMessage(PROPERTY + ": '1h:30m' keeps less than one bucket");
    assertThatThrownBy(() -> ArchivePolicy.parse(PROPERTY, "1h:1d, 1m:1d"))
        .hasMessageContaining("'1m:1d': each granularity must be a multiple of the one before it (3600 s)");
    assertThatThrownBy(() -> ArchivePolicy.parse(PROPERTY, "1m:1d, 90s:1d"))
        .hasMessageContaining("'90s:1d': each granularity must be a multiple");
    assertThatThrownBy(() -> ArchivePolicy.parse(PROPERTY, "1s:1d,2s:1d,4s:1d,8s:1d,16s:1d,32s:1d,64s:1d"))
        .hasMessage(PROPERTY + ": at most 6 levels, got 7");
  }
}
