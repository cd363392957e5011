package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatisticsTest {
  private static Statistics window(Instant start, Instant end) {
    return new Statistics(null, "u", 1.0, 1.0, 1.0, 1.0, 1L, Map.of(), Values.LATEST, Values.LATEST, 86_400, start,
        end);
  }

  @Test
  void aWindowReachingPastTheAdmittedYearsIsPrintedWithinThem() {
    Instant lastDay = Instant.parse("9999-12-31T00:00:00Z");
    Statistics late = window(lastDay, lastDay.plus(Duration.ofDays(1)));
    assertThat(late.periodStart()).isEqualTo(lastDay);
    assertThat(late.periodEnd()).isEqualTo(Values.LATEST);

    Statistics early = window(Values.EARLIEST.minusSeconds(600), Values.EARLIEST.plusSeconds(3000));
    assertThat(early.periodStart()).isEqualTo(Values.EARLIEST);
    assertThat(early.periodEnd()).isEqualTo(Values.EARLIEST.plusSeconds(3000));
  }

  @Test
  void aWindowWithinTheAdmittedYearsIsKeptAsIs() {
    Instant start = Instant.parse("2026-12-01T00:00:00Z");
    Statistics s = window(start, start.plus(Duration.ofDays(1)));
    assertThat(s.periodStart()).isEqualTo(start);
    assertThat(s.periodEnd()).isEqualTo(start.plus(Duration.ofDays(1)));
  }
}
