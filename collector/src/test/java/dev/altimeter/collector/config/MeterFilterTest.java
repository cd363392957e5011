package dev.altimeter.collector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MeterFilterTest {

  @Test
  void wildcardAcceptsEverything() {
    MeterFilter f = MeterFilter.of(List.of("*"), "meters");
    assertThat(f.matches("cpu")).isTrue();
    assertThat(f.matches("disk.read.bytes")).isTrue();
  }

  @Test
  void namesAndGlobs() {
    MeterFilter f = MeterFilter.of(List.of("cpu", "disk.*", "network.?ncoming.bytes", "vol[ab]"), "meters");
    assertThat(f.matches("cpu")).isTrue();
    assertThat(f.matches("cpu_util")).isFalse();
    assertThat(f.matches("disk.read.bytes")).isTrue();
    assertThat(f.matches("disk")).isFalse();
    assertThat(f.matches("network.incoming.bytes")).isTrue();
    assertThat(f.matches("network.incoming.bytes.rate")).isFalse();
    assertThat(f.matches("vola")).isTrue();
    assertThat(f.matches("volc")).isFalse();
    assertThat(f.matches("CPU")).as("case-sensitive like fnmatch on POSIX").isFalse();
  }

  @Test
  void dotIsLiteralInGlobs() {
    MeterFilter f = MeterFilter.of(List.of("disk.*"), "meters");
    assertThat(f.matches("diskXread")).isFalse();
  }

  @Test
  void onlyExclusionsAcceptTheRest() {
    MeterFilter f = MeterFilter.of(List.of("!disk.*", "!cpu"), "meters");
    assertThat(f.matches("cpu")).isFalse();
    assertThat(f.matches("disk.read.bytes")).isFalse();
    assertThat(f.matches("memory")).isTrue();
    assertThat(f.excludes("disk.write.bytes")).isTrue();
    assertThat(f.excludes("memory")).isFalse();
  }

  @Test
  void exclusionWinsOverWildcard() {
    MeterFilter f = MeterFilter.of(List.of("*", "!cpu"), "meters");
    assertThat(f.matches("cpu")).isFalse();
    assertThat(f.matches("memory")).isTrue();
  }

  @Test
  void leadingStarGlobIsNotAnIncludedName() {
    // Ceilometer counts entries starting with neither '!' nor '*' as included names
    MeterFilter f = MeterFilter.of(List.of("*.bytes", "!disk.read.bytes"), "meters");
    assertThat(f.matches("network.incoming.bytes")).isTrue();
    assertThat(f.matches("disk.read.bytes")).isFalse();
    assertThat(f.matches("cpu")).isFalse();
  }

  @Test
  void negatedCharacterClass() {
    MeterFilter f = MeterFilter.of(List.of("disk[!.]*"), "meters");
    assertThat(f.matches("disk_usage")).isTrue();
    assertThat(f.matches("disk.usage")).isFalse();
    assertThat(MeterFilter.of(List.of("a[b"), "meters").matches("a[b")).isTrue();
  }

  @Test
  void invalidLists() {
    assertThatThrownBy(() -> MeterFilter.of(List.of(), "meters")).hasMessage("No meters specified");
    assertThatThrownBy(() -> MeterFilter.of(List.of("cpu", "!disk"), "meters"))
        .hasMessage("Both included and excluded meters specified");
    assertThatThrownBy(() -> MeterFilter.of(List.of("*", "cpu"), "events"))
        .hasMessage("Included events specified with wildcard");
  }
}
