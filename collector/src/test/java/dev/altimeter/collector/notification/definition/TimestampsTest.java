package dev.altimeter.collector.notification.definition;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  @Test
  void readsTheFormsOpenStackSends() {
    assertThat(Timestamps.parse("2012-05-08 20:23:48.028195")).isEqualTo(Instant.parse("2012-05-08T20:23:48.028195Z"));
    assertThat(Timestamps.parse("2012-05-08T20:23:47Z")).isEqualTo(Instant.parse("2012-05-08T20:23:47Z"));
    assertThat(Timestamps.parse("2012-05-08T20:23:47.985999+00:00")).isEqualTo(Instant.parse("2012-05-08T20:23:47.985999Z"));
    assertThat(Timestamps.parse("2012-05-08T22:23:47+02:00")).isEqualTo(Instant.parse("2012-05-08T20:23:47Z"));
    assertThat(Timestamps.parse("2012-05-08T18:23:47-02:00")).isEqualTo(Instant.parse("2012-05-08T20:23:47Z"));
    // beyond microseconds is truncated
    assertThat(Timestamps.parse("2012-05-08 20:23:48.0281959999")).isEqualTo(Instant.parse("2012-05-08T20:23:48.028195Z"));
    assertThat(Timestamps.parse("2012-05-08 20:23:48.5")).isEqualTo(Instant.parse("2012-05-08T20:23:48.500Z"));
    // the rarer forms, read by the regular expression
    assertThat(Timestamps.parse("2012-5-8")).isEqualTo(Instant.parse("2012-05-08T00:00:00Z"));
    assertThat(Timestamps.parse("2012-05-08T20:23")).isEqualTo(Instant.parse("2012-05-08T20:23:00Z"));
    assertThat(Timestamps.parse("2012-05-08T20:23:47+0130")).isEqualTo(Instant.parse("2012-05-08T18:53:47Z"));
    assertThat(Timestamps.parse("2012-05-08T20:23:47+01")).isEqualTo(Instant.parse("2012-05-08T19:23:47Z"));
  }

  @Test
  void rejectsWhatIsNotATime() {
    for (String bad : List.of("", "yesterday", "2012-13-08 20:23:48", "2012-02-30T00:00:00Z", "2012-05-08 25:00:00",
        "2012-05-08 20:23:48.", "2012-05-08 20:23:48Zjunk", "2012-05-08 20:23:48+00:00:00", "2012/05/08 20:23:48",
        "2012-05-08 20:2a:48")) {
      assertThat(Timestamps.parse(bad)).as(bad).isNull();
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
      assertThat(Timestamps.parse(input)).as(input).isEqualTo(Timestamps.parseAny(input));
    }
    assertThat(answered).isGreaterThan(inputs.size() / 4);
  }
}
