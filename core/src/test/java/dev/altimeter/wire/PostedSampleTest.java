package dev.altimeter.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class PostedSampleTest {
  /** The API quotes non-text values as JSON; a stand-in that shows where it was asked. */
  private static final Function<Object, String> TEXT = v -> "<" + v + ">";

  private static Map<String, Object> posted() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("counter_name", "cpu");
    m.put("counter_type", "gauge");
    m.put("counter_unit", "%");
    m.put("counter_volume", "1.5");
    m.put("resource_id", "r1");
    return m;
  }

  @Test
  void readsWhatCeilometerAccepts() {
    Map<String, Object> m = posted();
    m.put("timestamp", "2013-01-01 10:00");
    m.put("resource_metadata", Map.of("a.b", 1));
    m.put("user_id", 7);
    PostedSample s = PostedSample.read(m, "cpu", TEXT);
    assertThat(s).isEqualTo(new PostedSample("cpu", SampleType.GAUGE, "%", 1.5, "<7>", null, "r1", null,
        Instant.parse("2013-01-01T10:00:00Z"), Map.of("a.b", 1)));
    m.remove("timestamp");
    m.remove("resource_metadata");
    assertThat(PostedSample.read(m, "cpu", TEXT).timestamp()).isNull();
    assertThat(PostedSample.read(m, "cpu", TEXT).metadata()).isEmpty();
  }

  @Test
  void refusesInCeilometersOrderWithItsWords() {
    assertField(() -> PostedSample.read(List.of(), "cpu", TEXT), "samples", "<[]>", "a sample must be a JSON object");
    Map<String, Object> m = posted();
    m.remove("counter_unit");
    m.put("counter_type", "rate");
    assertField(() -> PostedSample.read(m, "cpu", TEXT), "counter_unit", "None", "Mandatory field missing.");
    m.put("counter_unit", "%");
    m.put("message_id", "x");
    assertField(() -> PostedSample.read(m, "mem", TEXT), "counter_name", "cpu", "should be mem");
    assertField(() -> PostedSample.read(m, "cpu", TEXT), "message_id", "x", "The message_id must not be set");
    m.remove("message_id");
    assertField(() -> PostedSample.read(m, "cpu", TEXT), "counter_type", "rate",
        "The counter type must be: gauge, delta, cumulative");
    m.put("counter_type", "delta");
    m.put("counter_volume", 1e101);
    assertField(() -> PostedSample.read(m, "cpu", TEXT), "counter_volume", 1e101, "must be a finite number within +-1e100");
  }

  @Test
  void conversionsQuoteTheWholeArgumentAsWsmeDid() {
    Map<String, Object> m = posted();
    m.put("counter_volume", "it's");
    assertConversion(m, "could not convert string to float: \"it's\"");
    m.put("counter_volume", List.of());
    assertConversion(m, "float() argument must be a string or a real number, not 'list'");
    m.put("counter_volume", 1);
    m.put("timestamp", "yesterday");
    assertConversion(m, "Unknown string format: yesterday");
    m.put("timestamp", "0000-12-31T00:00:00");
    assertConversion(m, "Unknown string format: 0000-12-31T00:00:00");
    m.remove("timestamp");
    m.put("resource_metadata", List.of(1.0));
    assertConversion(m, "Value not a valid dict: [1.0]");
  }

  private static void assertField(ThrowingCallable read, String field, Object value, String reason) {
    assertThatThrownBy(read).isInstanceOfSatisfying(PostedSample.InvalidField.class, e -> {
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.value()).isEqualTo(value);
      assertThat(e.getMessage()).isEqualTo(reason);
      assertThat(e.wholeArgument()).isFalse();
    });
  }

  private static void assertConversion(Map<String, Object> m, String reason) {
    assertThatThrownBy(() -> PostedSample.read(m, "cpu", TEXT)).isInstanceOfSatisfying(PostedSample.InvalidField.class,
        e -> {
          assertThat(e.wholeArgument()).isTrue();
          assertThat(e.getMessage()).isEqualTo(reason);
        });
  }
}
