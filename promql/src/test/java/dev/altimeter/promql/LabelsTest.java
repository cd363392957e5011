package dev.altimeter.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SPI value types: Labels and LabelMatcher with Prometheus' rules. */
class LabelsTest {

  @Test
  void labelsAreSortedImmutableAndDropEmptyValues() {
    Labels l = Labels.of("b", "2", "__name__", "up", "a", "1", "empty", "");
    assertThat(l.names()).containsExactly("__name__", "a", "b");
    assertThat(l.get("a")).isEqualTo("1");
    assertThat(l.get("empty")).isNull();
    assertThat(l.metricName()).isEqualTo("up");
    assertThat(l).isEqualTo(Labels.of(Map.of("a", "1", "b", "2", "__name__", "up")));
    assertThat(l.hashCode()).isEqualTo(Labels.of("a", "1", "b", "2", "__name__", "up").hashCode());
    assertThat(l.withoutMetricName()).isEqualTo(Labels.of("a", "1", "b", "2"));
    assertThat(l.keep(List.of("a"))).isEqualTo(Labels.of("a", "1"));
    assertThat(l.with("a", "")).isEqualTo(Labels.of("__name__", "up", "b", "2"));
    assertThat(l.toString()).isEqualTo("{__name__=\"up\", a=\"1\", b=\"2\"}");
    assertThatThrownBy(() -> l.names().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void labelsOrderAsPrometheus() {
    assertThat(Labels.of("a", "1")).isLessThan(Labels.of("a", "1", "b", "0"));
    assertThat(Labels.of("a", "1", "c", "0")).isGreaterThan(Labels.of("a", "1", "b", "9"));
    assertThat(Labels.of("a", "10")).isLessThan(Labels.of("a", "9"));
  }

  @Test
  void matchersTreatMissingLabelsAsEmptyAndAnchorRegularExpressions() {
    assertThat(new LabelMatcher("job", LabelMatcher.Type.EQ, "").matches((String) null)).isTrue();
    assertThat(new LabelMatcher("job", LabelMatcher.Type.NEQ, "").matches("x")).isTrue();
    LabelMatcher re = new LabelMatcher("job", LabelMatcher.Type.RE, "a|b");
    assertThat(re.matches("a")).isTrue();
    assertThat(re.matches("ab")).isFalse();
    assertThat(re.matches("xa")).isFalse();
    assertThat(new LabelMatcher("job", LabelMatcher.Type.RE, ".*").matches((String) null)).isTrue();
    assertThat(new LabelMatcher("job", LabelMatcher.Type.NRE, "a.*").matches("abc")).isFalse();
    assertThat(new LabelMatcher("job", LabelMatcher.Type.NRE, "a.*").matches("bc")).isTrue();
    // Prometheus 2.x (RE2 without the s flag): "." does not match a newline
    assertThat(new LabelMatcher("job", LabelMatcher.Type.RE, "a.c").matches("a\nc")).isFalse();
    assertThat(re.matches(Labels.of("job", "b"))).isTrue();
    assertThat(re.toString()).isEqualTo("job=~\"a|b\"");
    assertThatThrownBy(() -> new LabelMatcher("job", LabelMatcher.Type.RE, "(").matches("x"))
        .isInstanceOfSatisfying(QueryException.class,
            e -> assertThat(e.type()).isEqualTo(QueryException.ErrorType.BAD_DATA));
  }

  @Test
  void regexMatchingStopsAtTheDeadline() {
    // ~40^12 backtracking steps: without the deadline this match would run for hours
    LabelMatcher evil = new LabelMatcher("v", LabelMatcher.Type.RE, "(.*a){12}");
    var bounded = evil.matcher(System.nanoTime() + 200_000_000L);
    assertThatThrownBy(() -> bounded.test("a".repeat(40) + "!"))
        .isInstanceOfSatisfying(QueryException.class,
            e -> assertThat(e.type()).isEqualTo(QueryException.ErrorType.TIMEOUT));
    assertThat(evil.matcher(System.nanoTime() + 60_000_000_000L).test("aaaaaaaaaaaa")).isTrue();
    assertThat(new LabelMatcher("v", LabelMatcher.Type.NRE, "a.*").matcher(System.nanoTime() + 60_000_000_000L)
        .test("abc")).isFalse();
  }

  @Test
  void seriesChecksItsArrays() {
    assertThatThrownBy(() -> new Series(Labels.EMPTY, new long[2], new double[1]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
