package dev.altimeter.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  /**
   * Every line of {@code wire/isotime-golden.tsv}: an input and what oslo's {@code parse_isotime} then
   * {@code normalize_time} made of it ({@code -}: not a time), written by {@code isotime-oracle.py}
   * with Ceilometer's own oslo.utils.
   */
  @Test
  void readsEveryTimeAsOsloDoes() throws IOException {
    String golden = resource("isotime-golden.tsv");
    List<String> lines = golden.lines().toList();
    assertThat(lines).hasSizeGreaterThan(400);
    int times = 0;
    for (String line : lines) {
      int tab = line.lastIndexOf('\t');
      String input = line.substring(0, tab);
      String expected = line.substring(tab + 1);
      Instant parsed = Timestamps.parseIsotime(input);
      assertThat(parsed == null ? "-" : parsed.toString()).as("parse_isotime(%s)", input)
          .isEqualTo(expected.equals("-") ? "-" : Instant.parse(expected).toString());
      if (parsed != null) times++;
    }
    assertThat(times).as("inputs oslo reads as a time").isGreaterThan(200);
  }

  /** Where Ceilometer's oslo.utils is installed, the golden file is what it says today. */
  @Test
  void theGoldenFileIsWhatOsloSays() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
    Path script = Files.createTempFile("isotime-oracle", ".py");
    try {
      Files.writeString(script, resource("isotime-oracle.py"));
      Process process = new ProcessBuilder(python.toString(), script.toString()).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = process.waitFor();
      Assumptions.assumeFalse(exit != 0 && out.contains("No module named 'oslo_utils'"), "oslo.utils not installed");
      assertThat(exit).as(out).isZero();
      assertThat(out).isEqualTo(resource("isotime-golden.tsv"));
    } finally {
      Files.delete(script);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = TimestampsTest.class.getResourceAsStream("/wire/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

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
    // before year 1 in UTC: oslo's normalize_time overflows, and no store keeps it
    assertThat(Timestamps.parseIsotime("0001-01-01T00:00:00+01:00")).isNull();
    assertThat(Timestamps.parseLenient("0001-01-01T00:00:00+01:00")).isNull();
    // isotime truncates to microseconds, the lenient reading leaves that to the model
    assertThat(Timestamps.parseIsotime("2013-01-01T10:00:00.0000009")).isEqualTo(t);
    assertThat(Timestamps.parseLenient("2013-01-01T10:00:00.0000009")).isEqualTo(t.plusNanos(900));
  }

  /**
   * The quick reading of the common form is the formatter's reading, or none: over a corpus of
   * valid and nearly valid times (impossible dates, hour 24, second 60, offsets at and past 18
   * hours, 0 to 10 fraction digits, case, blanks), whatever it reads the formatter reads the same.
   */
  @Test
  void theQuickLenientReadingIsTheFormattersOrNone() {
    String[] dates = {"2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2013-02-30", "2013-04-31", "2013-12-31",
        "2013-00-10", "2013-13-01", "2013-01-00", "2013-01-32", "0000-12-31", "0001-01-01", "0999-06-15", "9999-12-31"};
    String[] separators = {"T", "t", " "};
    String[] times = {"00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "99:00:00", "1:00:00", "12:3a:00"};
    String[] fractions = {"", ".", ".1", ".05", ".123456", ".000000001", ".123456789", ".1234567890"};
    String[] offsets = {"", "Z", "z", "+00:00", "-00:00", "+01:30", "-01:30", "+17:59", "-17:59", "+18:00", "-18:00",
        "+18:01", "+99:00", "+01:60", "+0130", "+01", "Z ", " "};
    int quick = 0;
    int read = 0;
    for (String date : dates) {
      for (String separator : separators) {
        for (String time : times) {
          for (String fraction : fractions) {
            for (String offset : offsets) {
              String text = date + separator + time + fraction + offset;
              Instant formatter = Timestamps.parseLenientFormatter(text);
              Instant common = Timestamps.parseLenientCommon(text);
              if (common != null) {
                quick++;
                assertThat(common).as(text).isEqualTo(formatter);
              }
              assertThat(Timestamps.parseLenient(text)).as(text).isEqualTo(formatter);
              if (formatter != null) read++;
            }
          }
        }
      }
    }
    // the corpus holds many times the formatter reads, and many of them the quick reading takes
    assertThat(read).isGreaterThan(2000);
    assertThat(quick).isGreaterThan(500);
    assertThat(Timestamps.parseLenientCommon("2026-11-30T12:00:00.123Z")).isEqualTo(Instant.parse("2026-11-30T12:00:00.123Z"));
  }

  /** The hand-written isoformat is the formatter's, across the years a store keeps and beyond them. */
  @Test
  void isoformatNaiveIsTheFormattersText() {
    java.time.format.DateTimeFormatter seconds = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    Random random = new Random(13);
    List<Instant> times = new ArrayList<>(List.of(Instant.parse("0001-01-01T00:00:00Z"),
        Instant.parse("9999-12-31T23:59:59.999999Z"), Instant.parse("0999-12-31T23:59:59.000001Z"),
        Instant.parse("2026-01-01T00:00:00.000000999Z"), Instant.parse("+10000-01-01T00:00:00.5Z"),
        Instant.parse("-0001-12-31T23:59:59Z")));
    long first = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 20_000; i++) {
      long second = first + (long) (random.nextDouble() * (last - first));
      times.add(Instant.ofEpochSecond(second, random.nextBoolean() ? 0 : random.nextInt(1_000_000_000)));
    }
    for (Instant t : times) {
      java.time.LocalDateTime local = java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC);
      int micros = local.getNano() / 1000;
      String expected = seconds.format(local) + (micros == 0 ? "" : String.format(".%06d", micros));
      assertThat(Timestamps.isoformatNaive(t)).as(t.toString()).isEqualTo(expected);
    }
  }
}
