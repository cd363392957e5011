package dev.altimeter.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  @Test
  void readsTheFormsOpenStackSends() {
    assertThat(Timestamps.parseIsotime("2012-05-08 20:23:48.028195")).isEqualTo(Instant.parse("2012-05-08T20:23:48.028195Z"));
    assertThat(Timestamps.parseIsotime("2012-05-08T20:23:47Z")).isEqualTo(Instant.parse("2012-05-08T20:23:47Z"));
    assertThat(Timestamps.parseIsotime("2012-05-08T20:23:47.985999+00:00")).isEqualTo(Instant.parse("2012-05-08T20:23:47.985999Z"));
    assertThat(Timestamps.parseIsotime("2012-05-08T22:23:47+02:00")).isEqualTo(Instant.parse("2012-05-08T20:23:47Z"));
    assertThat(Timestamps.parseIsotime("2012-05-08T18:23:47-02:00")).isEqualTo(Instant.parse("2012-05-08T20:23:47Z"));
    // beyond microseconds is truncated
    assertThat(Timestamps.parseIsotime("2012-05-08 20:23:48.0281959999")).isEqualTo(Instant.parse("2012-05-08T20:23:48.028195Z"));
    assertThat(Timestamps.parseIsotime("2012-05-08 20:23:48.5")).isEqualTo(Instant.parse("2012-05-08T20:23:48.500Z"));
    // the rarer forms, read by the regular expression
    assertThat(Timestamps.parseIsotime("2012-5-8")).isEqualTo(Instant.parse("2012-05-08T00:00:00Z"));
    assertThat(Timestamps.parseIsotime("2012-05-08T20:23")).isEqualTo(Instant.parse("2012-05-08T20:23:00Z"));
    assertThat(Timestamps.parseIsotime("2012-05-08T20:23:47+0130")).isEqualTo(Instant.parse("2012-05-08T18:53:47Z"));
    assertThat(Timestamps.parseIsotime("2012-05-08T20:23:47+01")).isEqualTo(Instant.parse("2012-05-08T19:23:47Z"));
  }

  @Test
  void rejectsWhatIsNotATime() {
    for (String bad : List.of("", "yesterday", "2012-13-08 20:23:48", "2012-02-30T00:00:00Z", "2012-05-08 25:00:00",
        "2012-05-08 20:23:48.", "2012-05-08 20:23:48Zjunk", "2012-05-08 20:23:48+00:00:00", "2012/05/08 20:23:48",
        "2012-05-08 20:2a:48")) {
      assertThat(Timestamps.parseIsotime(bad)).as(bad).isNull();
    }
  }

  /** The fast reading and the regular expression agree wherever the fast one answers. */
  @Test
  void theFastReadingAgreesWithTheRegularExpression() {
    Random random = new Random(42);
    String[] suffixes = {"", "Z", "+00:00", "-05:30", "+14:00", "+0200", "z", " ", "+00:0"};
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder t = new StringBuilder(String.format("%04d-%02d-%02d%c%02d:%02d:%02d", random.nextInt(3000),
          random.nextInt(14), random.nextInt(33), random.nextBoolean() ? 'T' : ' ', random.nextInt(26),
          random.nextInt(61), random.nextInt(61)));
      if (random.nextBoolean()) {
        t.append(random.nextBoolean() ? '.' : ',');
        int digits = random.nextInt(12);
        for (int d = 0; d < digits; d++) t.append((char) ('0' + random.nextInt(10)));
      }
      t.append(suffixes[random.nextInt(suffixes.length)]);
      inputs.add(t.toString());
    }
    int answered = 0;
    for (String input : inputs) {
      Instant fast = Timestamps.parseCommon(input);
      if (fast != null) {
        answered++;
        assertThat(fast).as(input).isEqualTo(Timestamps.parseAny(input));
      }
      assertThat(Timestamps.parseIsotime(input)).as(input).isEqualTo(Timestamps.parseAny(input));
    }
    assertThat(answered).isGreaterThan(inputs.size() / 4);
  }

  @Test
  void isoformatAsPythonWritesAwareAndNaiveDatetimes() {
    Instant whole = Instant.parse("2026-01-01T00:00:00Z");
    Instant fraction = Instant.parse("2026-01-01T00:00:00.250Z");
    assertThat(Timestamps.isoformat(whole)).isEqualTo("2026-01-01T00:00:00+00:00");
    assertThat(Timestamps.isoformat(fraction)).isEqualTo("2026-01-01T00:00:00.250000+00:00");
    assertThat(Timestamps.isoformatNaive(whole)).isEqualTo("2026-01-01T00:00:00");
    assertThat(Timestamps.isoformatNaive(fraction)).isEqualTo("2026-01-01T00:00:00.250000");
    // Python prints microseconds; below them nothing is shown (the model truncates anyway)
    assertThat(Timestamps.isoformatNaive(Instant.parse("0001-01-01T00:00:00.000001999Z"))).isEqualTo("0001-01-01T00:00:00.000001");
    assertThat(Timestamps.isoformatNaive(null)).isNull();
    // what one writes, both read back
    for (Instant t : List.of(whole, fraction)) {
      assertThat(Timestamps.parseIsotime(Timestamps.isoformat(t))).isEqualTo(t);
      assertThat(Timestamps.parseIsotime(Timestamps.isoformatNaive(t))).isEqualTo(t);
      assertThat(Timestamps.parseLenient(Timestamps.isoformat(t))).isEqualTo(t);
      assertThat(Timestamps.parseLenient(Timestamps.isoformatNaive(t))).isEqualTo(t);
    }
  }

  @Test
  void theLenientReadingOfTheApi() {
    assertThat(Timestamps.parseLenient("2013-01-01T23:23:20")).isEqualTo(Instant.parse("2013-01-01T23:23:20Z"));
    assertThat(Timestamps.parseLenient("2013-01-01 23:23")).isEqualTo(Instant.parse("2013-01-01T23:23:00Z"));
    assertThat(Timestamps.parseLenient("2013-01-01")).isEqualTo(Instant.parse("2013-01-01T00:00:00Z"));
    assertThat(Timestamps.parseLenient("2013-01-01T01:00:00+0100")).isEqualTo(Instant.parse("2013-01-01T00:00:00Z"));
    assertThat(Timestamps.parseLenient("2013-01-01T01:00:00.123456789+01:00"))
        .isEqualTo(Instant.parse("2013-01-01T00:00:00.123456789Z"));
    for (String bad : List.of("", "yesterday", "2013-02-30", "2013-01-01T24:00:00", "0000-12-31T23:59:59Z",
        "10000-01-01", "2013-01-01T00:00:00+01", "2013-1-1")) {
      assertThat(Timestamps.parseLenient(bad)).as(bad).isNull();
    }
    assertThat(Timestamps.parseLenient(null)).isNull();
  }

  /**
   * Where the two readings differ, on purpose: the API is lenient with what people type (case,
   * blanks) and refuses what no store keeps; oslo's reading takes what services send (one-digit
   * fields, {@code ,} fractions, hour-only offsets) and nothing else.
   */
  @Test
  void theTwoReadingsDifferOnlyWhereTheyShould() {
    Instant t = Instant.parse("2013-01-01T10:00:00Z");
    for (String onlyLenient : List.of("2013-01-01t10:00:00z", " 2013-01-01T10:00:00 ")) {
      assertThat(Timestamps.parseLenient(onlyLenient)).as(onlyLenient).isEqualTo(t);
      assertThat(Timestamps.parseIsotime(onlyLenient)).as(onlyLenient).isNull();
    }
    for (String onlyIsotime : List.of("2013-1-1T10:00:00", "2013-01-01T10:00:00,0", "2013-01-01T11:00:00+01",
        "2013-01-01T10")) {
      assertThat(Timestamps.parseIsotime(onlyIsotime)).as(onlyIsotime).isEqualTo(t);
      assertThat(Timestamps.parseLenient(onlyIsotime)).as(onlyIsotime).isNull();
    }
    Instant beforeYearOne = Instant.parse("0000-12-31T23:00:00Z");
    assertThat(Timestamps.parseIsotime("0001-01-01T00:00:00+01:00")).isEqualTo(beforeYearOne);
    assertThat(Timestamps.parseLenient("0001-01-01T00:00:00+01:00")).isNull();
    // isotime truncates to microseconds, the lenient reading leaves that to the model
    assertThat(Timestamps.parseIsotime("2013-01-01T10:00:00.0000009")).isEqualTo(t);
    assertThat(Timestamps.parseLenient("2013-01-01T10:00:00.0000009")).isEqualTo(t.plusNanos(900));
  }
}
