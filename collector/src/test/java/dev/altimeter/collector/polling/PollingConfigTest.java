package dev.altimeter.collector.polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.config.MeterFilter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollingConfigTest {

  static Path reference(String name) throws Exception {
    return Path.of(PollingConfigTest.class.getResource("/ceilometer/" + name).toURI());
  }

  @Test
  void loadsCeilometersReferencePollingYaml() throws Exception {
    PollingConfig c = PollingConfig.load(reference("polling.yaml"));
    assertThat(c.sources()).hasSize(1);
    PollingConfig.Source s = c.sources().get(0);
    assertThat(s.name()).isEqualTo("some_pollsters");
    assertThat(s.interval()).isEqualTo(Duration.ofSeconds(300));
    assertThat(s.meterRules()).hasSize(15).contains("cpu", "volume.backup.size");
    assertThat(s.selects("cpu")).isTrue();
    assertThat(s.selects("network.incoming.bytes")).isTrue();
    assertThat(s.selects("hardware.cpu.util")).isFalse();
    assertThat(s.resources()).isEmpty();
  }

  @Test
  void loadsPollingAllYaml() throws Exception {
    PollingConfig c = PollingConfig.load(reference("polling_all.yaml"));
    assertThat(c.sources()).singleElement().satisfies(s -> {
      assertThat(s.selects("anything.at.all")).isTrue();
      assertThat(s.interval()).isEqualTo(Duration.ofSeconds(300));
    });
  }

  @Test
  void theBuiltInDefaultPollsTheHostEveryMinute() {
    PollingConfig c = PollingConfig.builtIn();
    assertThat(c.sources()).singleElement().satisfies(s -> {
      assertThat(s.interval()).isEqualTo(Duration.ofSeconds(60));
      assertThat(s.selects("hardware.memory.used")).isTrue();
      assertThat(s.selects("cpu")).isFalse();
    });
  }

  @Test
  void oneScheduleIntervalPerDistinctInterval() {
    PollingConfig c = PollingConfig.parse("""
        sources:
          - {name: a, interval: 60, meters: ["*"]}
          - {name: b, interval: 300, meters: ["*"], resources: [r1, r2], discovery: [local_node]}
          - {name: c, interval: 60, meters: ["*"]}
        """, "p.yaml");
    assertThat(c.intervals()).containsExactly(Duration.ofSeconds(60), Duration.ofSeconds(300));
    assertThat(c.sources().get(1).resources()).containsExactly("r1", "r2");
    assertThat(c.sources().get(1).discovery()).containsExactly("local_node");
  }

  @Test
  void meterRulesFollowPipelineSemantics() {
    MeterFilter globs = MeterFilter.of(List.of("disk.*", "cpu", "hardware.cpu.load.?min", "x[0-9]", "y[!a]"), "meters");
    assertThat(globs.matches("disk.read.bytes")).isTrue();
    assertThat(globs.matches("cpu")).isTrue();
    assertThat(globs.matches("cpu_util")).isFalse();
    assertThat(globs.matches("hardware.cpu.load.1min")).isTrue();
    assertThat(globs.matches("hardware.cpu.load.15min")).isFalse();
    assertThat(globs.matches("x7")).isTrue();
    assertThat(globs.matches("ya")).isFalse();
    assertThat(globs.matches("yb")).isTrue();

    MeterFilter excluded = MeterFilter.of(List.of("!disk.*", "!cpu"), "meters");
    assertThat(excluded.matches("memory")).isTrue();
    assertThat(excluded.matches("disk.read.bytes")).isFalse();
    assertThat(excluded.matches("cpu")).isFalse();

    assertThat(MeterFilter.of(List.of("*"), "meters").matches("a.b")).isTrue();
    assertThat(MeterFilter.of(List.of("dynamic.radosgw.api.request.{category}"), "meters").matches("dynamic.radosgw.api.request.{category}")).isTrue();
  }

  @Test
  void errorsNameFileLineSourceAndRule() {
    assertThatThrownBy(() -> PollingConfig.parse("""
        sources:
          - name: cpu
            interval: -1
            meters: ["cpu"]
        """, "polling.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("polling.yaml:3: source 'cpu': interval must be a positive integer (seconds), got -1");

    ConfigException e = catchConfig("""
        sources:
          - name: mixed
            interval: 60
            meters:
              - cpu
              - "!disk.*"
        """);
    assertThat(e.file()).isEqualTo("polling.yaml");
    assertThat(e.line()).isEqualTo(5);
    assertThat(e.field()).isEqualTo("source 'mixed'");
    assertThat(e.reason()).isEqualTo("Both included and excluded meters specified");

    assertThat(catchConfig("sources:\n  - {name: s, interval: 60, meters: ['*', cpu]}\n").reason()).isEqualTo("Included meters specified with wildcard");
    assertThat(catchConfig("sources:\n  - {name: s, interval: 60, meters: []}\n").reason()).isEqualTo("No meters specified");
    assertThat(catchConfig("sources:\n  - {name: s, interval: abc, meters: [a]}\n").reason()).contains("got 'abc'");
    assertThat(catchConfig("sources:\n  - {name: s, meters: [a]}\n").reason()).contains("'interval' is required");
    assertThat(catchConfig("sources:\n  - {name: s, interval: 5}\n").reason()).contains("'meters' is required");
    assertThat(catchConfig("sources:\n  - {interval: 5, meters: [a]}\n").reason()).contains("'name' is required");
    ConfigException dup = catchConfig("sources:\n  - {name: s, interval: 5, meters: [a]}\n  - {name: s, interval: 5, meters: [a]}\n");
    assertThat(dup.reason()).contains("duplicated");
    assertThat(dup.line()).isEqualTo(3);
    assertThat(catchConfig("").reason()).contains("empty");
    assertThat(catchConfig("sources: {a: 1}\n").reason()).contains("must be a list");
    assertThat(catchConfig("sources: [\n").reason()).contains("not valid YAML");
  }

  static ConfigException catchConfig(String yaml) {
    try {
      PollingConfig.parse(yaml, "polling.yaml");
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("no error for " + yaml);
  }
}
