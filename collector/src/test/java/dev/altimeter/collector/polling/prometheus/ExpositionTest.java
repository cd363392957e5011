package dev.altimeter.collector.polling.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ExpositionTest {

  static String resource(String name) throws Exception {
    try (var in = ExpositionTest.class.getResourceAsStream("/prometheus/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Map<String, Exposition.Family> byName(List<Exposition.Family> families) {
    return families.stream().collect(Collectors.toMap(Exposition.Family::name, f -> f));
  }

  @Test
  void parsesTextFormat004() throws Exception {
    Map<String, Exposition.Family> f = byName(Exposition.parse(resource("node_exporter.txt"), false));

    Exposition.Family summary = f.get("go_gc_duration_seconds");
    assertThat(summary.type()).isEqualTo("summary");
    assertThat(summary.points()).extracting(Exposition.Point::name).containsExactly(
        "go_gc_duration_seconds", "go_gc_duration_seconds", "go_gc_duration_seconds",
        "go_gc_duration_seconds_sum", "go_gc_duration_seconds_count");
    assertThat(summary.points().get(1).labels()).containsExactly(Map.entry("quantile", "0.5"));
    assertThat(summary.points().get(1).value()).isEqualTo(4.1e-05);

    Exposition.Family hist = f.get("http_request_duration_seconds");
    assertThat(hist.type()).isEqualTo("histogram");
    assertThat(hist.help()).isEqualTo("A histogram of request latencies.\nSecond line with a \\ backslash.");
    assertThat(hist.points()).hasSize(5);
    assertThat(hist.points().get(2).labels()).containsEntry("le", "+Inf");

    assertThat(f.get("node_hwmon_temp_celsius").points().get(0).value()).isNaN();
    assertThat(f.get("node_uname_info").points().get(0).labels())
        .containsEntry("version", "#1 SMP \"quoted\" build\\path")
        .containsEntry("domainname", "(none)");

    Exposition.Family untyped = f.get("untyped_thing");
    assertThat(untyped.type()).isEqualTo("untyped");
    assertThat(untyped.points().get(0).value()).isEqualTo(-3);
    assertThat(untyped.points().get(0).timestampMillis()).isEqualTo(1700000000123L);
    assertThat(f.get("node_load1").points().get(0).timestampMillis()).isNull();
    assertThat(f.get("node_cpu_seconds_total").type()).isEqualTo("counter");
  }

  @Test
  void parsesOpenMetrics() throws Exception {
    Map<String, Exposition.Family> f = byName(Exposition.parse(resource("openmetrics.txt"), true));

    Exposition.Family counter = f.get("process_cpu_seconds");
    assertThat(counter.type()).isEqualTo("counter");
    assertThat(counter.unit()).isEqualTo("seconds");
    assertThat(counter.points()).extracting(Exposition.Point::name)
        .containsExactly("process_cpu_seconds_total", "process_cpu_seconds_created");
    assertThat(counter.points().get(0).value()).isEqualTo(4.20072246e+06);

    Exposition.Family foo = f.get("foo");
    assertThat(foo.points()).hasSize(6);
    Exposition.Point withExemplar = foo.points().get(1);
    assertThat(withExemplar.labels()).containsEntry("le", "1e-05");
    assertThat(withExemplar.timestampMillis()).isEqualTo(1520879607789L);
    assertThat(foo.points().get(2).value()).isEqualTo(17);

    assertThat(f.get("build").type()).isEqualTo("info");
    assertThat(f.get("build").points()).extracting(Exposition.Point::name).containsExactly("build_info");
    assertThat(f.get("acme_http_router_request_seconds").points()).hasSize(3);
  }

  @Test
  void stopsAtEof() {
    List<Exposition.Family> f = Exposition.parse("# TYPE a gauge\na 1\n# EOF\nb 2\n", true);
    assertThat(f).extracting(Exposition.Family::name).containsExactly("a");
  }

  @Test
  void valuesAndLabelSyntax() {
    List<Exposition.Family> f = Exposition.parse(
        "a{x=\"1\",} +Inf\nb { y = \"line\\nbreak\" } -Inf\nc -1.5e3\nd{} 0x\n".replace(" 0x", " 7"), false);
    Map<String, Exposition.Family> m = byName(f);
    assertThat(m.get("a").points().get(0).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(m.get("b").points().get(0).labels()).containsEntry("y", "line\nbreak");
    assertThat(m.get("b").points().get(0).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(m.get("c").points().get(0).value()).isEqualTo(-1500);
    assertThat(m.get("d").points().get(0).labels()).isEmpty();
  }

  @Test
  void rejectsBrokenLinesWithTheLineNumber() {
    assertThatThrownBy(() -> Exposition.parse("ok 1\nbad{x=\"1} 2\n", false))
        .isInstanceOf(Exposition.ParseException.class).hasMessageContaining("line 2");
    assertThatThrownBy(() -> Exposition.parse("a one\n", false)).hasMessageContaining("bad value");
    assertThatThrownBy(() -> Exposition.parse("a{x=\"1\" y=\"2\"} 1\n", false)).hasMessageContaining("expected ','");
    assertThatThrownBy(() -> Exposition.parse("a 1 notatime\n", false)).hasMessageContaining("bad timestamp");
  }
}
