package dev.altimeter.collector.polling.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.altimeter.collector.polling.PollCycle;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class HostPollsterTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  Scheduler blocking;
  HostPollster pollster;
  Path proc;

  @BeforeEach
  void setUp() throws Exception {
    Path fixture = Path.of(getClass().getResource("/host").toURI());
    try (Stream<Path> files = Files.walk(fixture)) {
      for (Path p : files.toList()) {
        Path target = dir.resolve(fixture.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.createDirectories(root.resolve("data dir"));
    proc = dir.resolve("proc");
    blocking = Schedulers.newBoundedElastic(2, 16, "test-blocking-io");
    pollster = new HostPollster(new HostPollster.Config(null, proc, dir.resolve("sys"), root, null), blocking);
  }

  @AfterEach
  void tearDown() {
    blocking.dispose();
  }

  List<Sample> poll(Instant at) {
    return pollster.poll(new PollCycle("host", at, List.of())).collectList().block(Duration.ofSeconds(10));
  }

  static Map<String, Sample> byMeterAndResource(List<Sample> samples) {
    return samples.stream().collect(Collectors.toMap(s -> s.meter() + "@" + s.resourceId(), s -> s));
  }

  @Test
  void readsHardwareMetersFromTheProcTree() {
    List<Sample> samples = poll(T0);
    Map<String, Sample> m = byMeterAndResource(samples);

    assertThat(samples).allSatisfy(s -> {
      assertThat(s.timestamp()).isEqualTo(T0);
      assertThat(s.source()).isEqualTo("hardware");
      assertThat(HostPollster.METERS).contains(s.meter());
    });
    assertThat(m.get("hardware.cpu.load.1min@node-7").volume()).isEqualTo(0.52);
    assertThat(m.get("hardware.cpu.load.5min@node-7").volume()).isEqualTo(0.41);
    assertThat(m.get("hardware.cpu.load.15min@node-7").volume()).isEqualTo(0.30);
    assertThat(m.get("hardware.cpu.load.15min@node-7").unit()).isEqualTo("process");
    assertThat(m.get("hardware.cpu.user@node-7").volume()).isEqualTo(10000);
    assertThat(m.get("hardware.cpu.wait@node-7").volume()).isEqualTo(500);
    assertThat(m.get("hardware.cpu.interrupt@node-7").volume()).isEqualTo(150);
    assertThat(m.get("hardware.cpu.util@node-7").volume()).isCloseTo(100.0 * 13350 / 93850, within(1e-9));

    Sample used = m.get("hardware.memory.used@node-7");
    assertThat(used.volume()).isEqualTo(3_000_000);
    assertThat(used.unit()).isEqualTo("KB");
    assertThat(used.type()).isEqualTo(SampleType.GAUGE);
    assertThat(m.get("hardware.memory.total@node-7").volume()).isEqualTo(8_000_000);
    assertThat(m.get("hardware.memory.free@node-7").volume()).isEqualTo(1_000_000);
    assertThat(m.get("hardware.memory.swap.avail@node-7").volume()).isEqualTo(1_500_000);

    assertThat(m.get("hardware.disk.read.bytes@node-7.sda").volume()).isEqualTo(4000 * 512);
    assertThat(m.get("hardware.disk.write.bytes@node-7.sda").volume()).isEqualTo(8000 * 512);
    assertThat(m.get("hardware.disk.read.requests@node-7.nvme0n1").volume()).isEqualTo(2000);
    assertThat(m).doesNotContainKeys("hardware.disk.read.bytes@node-7.sda1", "hardware.disk.read.bytes@node-7.loop0");

    Sample fsTotal = m.get("hardware.disk.size.total@node-7.sda1");
    Sample fsUsed = m.get("hardware.disk.size.used@node-7.sda1");
    assertThat(fsTotal.volume()).isPositive();
    assertThat(fsUsed.volume()).isBetween(0.0, fsTotal.volume());
    assertThat(fsTotal.resourceMetadata()).containsEntry("path", "/").containsEntry("device", "/dev/sda1");
    assertThat(m.get("hardware.disk.size.total@node-7.nvme0n1").resourceMetadata()).containsEntry("path", "/data dir");
    assertThat(samples.stream().filter(s -> s.meter().equals("hardware.disk.size.total"))).hasSize(2);

    Sample in = m.get("hardware.network.incoming.bytes@node-7.eth0");
    assertThat(in.volume()).isEqualTo(123456789);
    assertThat(in.type()).isEqualTo(SampleType.CUMULATIVE);
    assertThat(in.unit()).isEqualTo("B");
    assertThat(in.resourceMetadata()).containsEntry("mac", "00:11:22:33:44:55").containsEntry("speed", 125_000_000L)
        .containsEntry("name", "eth0");
    assertThat(m.get("hardware.network.outgoing.bytes@node-7.eth0").volume()).isEqualTo(987654321);
    assertThat(m.get("hardware.network.incoming.errors@node-7.eth0").volume()).isEqualTo(3);
    assertThat(m.get("hardware.network.outgoing.packets@node-7.lo").volume()).isEqualTo(50);

    assertThat(samples).extracting(Sample::messageId).doesNotHaveDuplicates();
  }

  @Test
  void cpuUtilisationCoversTheLastInterval() throws Exception {
    poll(T0);
    // 1000 more ticks, 250 of them busy (user)
    Files.writeString(proc.resolve("stat"), "cpu  10250 200 3000 80750 500 100 50 0 0 0\n");
    Map<String, Sample> m = byMeterAndResource(poll(T0.plusSeconds(60)));
    assertThat(m.get("hardware.cpu.util@node-7").volume()).isCloseTo(25.0, within(1e-9));
  }

  @Test
  void readsOnTheGivenSchedulerNotTheCaller() {
    String thread = pollster.poll(new PollCycle("host", T0, List.of()))
        .next().map(s -> Thread.currentThread().getName()).block(Duration.ofSeconds(10));
    assertThat(thread).startsWith("test-blocking-io");
  }

  @Test
  void missingFilesYieldNoSamplesButNoFailure() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    HostPollster p = new HostPollster(new HostPollster.Config(null, empty, empty, empty, "h"), blocking);
    assertThat(p.poll(new PollCycle("host", T0, List.of())).collectList().block()).isEmpty();
  }
}
