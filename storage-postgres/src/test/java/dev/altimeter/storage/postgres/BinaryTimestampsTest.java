package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.r2dbc.postgresql.codec.PostgresqlObjectId;
import io.r2dbc.postgresql.message.Format;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoding through LocalDateTime gives what the Instant-based one gave, on the whole range
 * PostgreSQL can send (4713 BC to 294276 AD), before and after its epoch: floor division of the
 * microseconds, not truncation, for instants before 2000-01-01 with a fraction.
 */
class BinaryTimestampsTest {
  /** Microseconds from 2000-01-01 of 4713-11-24 BC and of 294276-12-31T23:59:59.999999 (PostgreSQL's range). */
  private static final long LOWEST = -211_813_488_000_000_000L;
  private static final long HIGHEST = 9_223_371_331_200_000_000L - 1;

  private static OffsetDateTime decode(long micros) {
    return new BinaryTimestamps().decode(Unpooled.copyLong(micros), PostgresqlObjectId.TIMESTAMPTZ.getObjectId(),
        Format.FORMAT_BINARY, OffsetDateTime.class);
  }

  private static OffsetDateTime reference(long micros) {
    return OffsetDateTime.ofInstant(Instant.ofEpochSecond(946_684_800L + Math.floorDiv(micros, 1_000_000L),
        Math.floorMod(micros, 1_000_000L) * 1_000L), ZoneOffset.UTC);
  }

  @Test
  void edgesAndRandomValuesDecodeAsInstantsWould() {
    long year1 = (Instant.parse("0001-01-01T00:00:00Z").getEpochSecond() - 946_684_800L) * 1_000_000L;
    long year9999 = (Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() - 946_684_800L) * 1_000_000L + 999_999;
    assertThat(decode(year1)).isEqualTo(OffsetDateTime.parse("0001-01-01T00:00:00Z"));
    assertThat(decode(year9999)).isEqualTo(OffsetDateTime.parse("9999-12-31T23:59:59.999999Z"));
    // the fields themselves, not only the instant (AssertJ compares OffsetDateTimes on the time line)
    assertThat(decode(-1).toString()).isEqualTo("1999-12-31T23:59:59.999999Z");
    // before the epoch with a fraction: 1999-12-31T23:59:59.999999, not 2000-01-01T00:00:00.999999
    assertThat(decode(-1)).isEqualTo(OffsetDateTime.parse("1999-12-31T23:59:59.999999Z"));
    assertThat(decode(-1_000_001)).isEqualTo(OffsetDateTime.parse("1999-12-31T23:59:58.999999Z"));
    assertThat(decode(0)).isEqualTo(OffsetDateTime.parse("2000-01-01T00:00:00Z"));
    assertThat(decode(Long.MAX_VALUE)).isEqualTo(OffsetDateTime.MAX);
    assertThat(decode(Long.MIN_VALUE)).isEqualTo(OffsetDateTime.MIN);
    for (long m : new long[] {LOWEST, HIGHEST, year1 - 1, year1 + 1, year9999 + 1, -999_999, 999_999}) {
      assertThat(decode(m).toString()).as("%d", m).isEqualTo(reference(m).toString());
    }
    Random random = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      long m = LOWEST + Math.floorMod(random.nextLong(), HIGHEST - LOWEST);
      assertThat(decode(m).toString()).as("%d", m).isEqualTo(reference(m).toString());
    }
  }
}
