package dev.altimeter.collector.pipeline.transform;

import static dev.altimeter.collector.pipeline.transform.Samples.T0;
import static dev.altimeter.collector.pipeline.transform.Samples.sample;
import static dev.altimeter.storage.SampleType.CUMULATIVE;
import static dev.altimeter.storage.SampleType.DELTA;
import static dev.altimeter.storage.SampleType.GAUGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.altimeter.storage.Sample;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransformersTest {
  final TransformerCatalog catalog = TransformerCatalog.standard();

  /** The cpu_sink transformer of pipeline_with_transformers_rocky.yaml. */
  static final Map<String, Object> CPU_UTIL = Map.of("target", Map.of("name", "cpu_util", "unit", "%",
      "type", "gauge", "max", 100, "scale", "100.0 / (10**9 * (resource_metadata.cpu_number or 1))"));

  static final Map<String, Object> DISK_RATE = Map.of(
      "source", Map.of("map_from", Map.of("name", "(disk\\.device|disk)\\.(read|write)\\.(bytes|requests)",
          "unit", "(B|request)")),
      "target", Map.of("map_to", Map.of("name", "\\1.\\2.\\3.rate", "unit", "\\1/s"), "type", "gauge"));

  static final Map<String, Object> NETWORK_RATE = Map.of(
      "source", Map.of("map_from", Map.of("name", "network\\.(incoming|outgoing)\\.(bytes|packets)",
          "unit", "(B|packet)")),
      "target", Map.of("map_to", Map.of("name", "network.\\1.\\2.rate", "unit", "\\1/s"), "type", "gauge"));

  static Map<String, Object> cpus(long n) {
    return Map.of("cpu_number", n);
  }

  @Test
  void cpuUtilWorkedExample() {
    Transformer t = catalog.create("rate_of_change", CPU_UTIL);
    // first sample: cached and dropped
    assertThat(t.handle(sample("cpu", CUMULATIVE, "ns", 10e9, "vm1", 0, cpus(2)))).isEmpty();
    // 6e9 ns of cpu in 60 s = 1e8 ns/s; scale 100 / (1e9 * 2) => 5 %
    Sample util = t.handle(sample("cpu", CUMULATIVE, "ns", 16e9, "vm1", 60, cpus(2))).get(0);
    assertThat(util.meter()).isEqualTo("cpu_util");
    assertThat(util.unit()).isEqualTo("%");
    assertThat(util.type()).isEqualTo(GAUGE);
    assertThat(util.volume()).isCloseTo(5.0, within(1e-9));
    assertThat(util.timestamp()).isEqualTo(T0.plusSeconds(60));
    assertThat(util.resourceId()).isEqualTo("vm1");
    // counter reset: 2e9 < 16e9 and cumulative => delta = 2e9 over 60 s => 3.333e7 ns/s => 1.6667 %
    assertThat(t.handle(sample("cpu", CUMULATIVE, "ns", 2e9, "vm1", 120, cpus(2))).get(0).volume())
        .isCloseTo(100.0 / 60.0, within(1e-9));
    // without cpu_number the scale uses 1 cpu: 3e9 ns in 10 s => 3e8 ns/s => 30 %
    assertThat(t.handle(sample("cpu", CUMULATIVE, "ns", 5e9, "vm1", 130)).get(0).volume())
        .isCloseTo(30.0, within(1e-9));
    // capped at max 100: 5e10 ns in 10 s on one cpu would be 450 %
    assertThat(t.handle(sample("cpu", CUMULATIVE, "ns", 50e9, "vm1", 140)).get(0).volume()).isEqualTo(100.0);
  }

  @Test
  void rateOfChangeOutOfOrderKeepsTheNewerCache() {
    Transformer t = catalog.create("rate_of_change", CPU_UTIL);
    t.handle(sample("cpu", CUMULATIVE, "ns", 10e9, "vm1", 100));
    assertThat(t.handle(sample("cpu", CUMULATIVE, "ns", 9e9, "vm1", 40))).as("negative time delta").isEmpty();
    // compared with the sample at t=100, not the dropped one: 1e9 ns in 10 s => 10 %
    assertThat(t.handle(sample("cpu", CUMULATIVE, "ns", 11e9, "vm1", 110)).get(0).volume())
        .isCloseTo(10.0, within(1e-9));
  }

  @Test
  void rateOfChangeZeroTimeDeltaIsZeroAndResourcesAreSeparate() {
    Transformer t = catalog.create("rate_of_change", CPU_UTIL);
    t.handle(sample("cpu", CUMULATIVE, "ns", 1e9, "vm1", 0));
    assertThat(t.handle(sample("cpu", CUMULATIVE, "ns", 1e9, "vm2", 10))).as("vm2 has no predecessor").isEmpty();
    assertThat(t.handle(sample("cpu", CUMULATIVE, "ns", 5e9, "vm1", 0)).get(0).volume()).isEqualTo(0.0);
  }

  @Test
  void gaugeDecreaseIsANegativeRate() {
    Transformer t = catalog.create("rate_of_change", Map.of());
    t.handle(sample("temperature", GAUGE, "C", 30, "h1", 0));
    Sample s = t.handle(sample("temperature", GAUGE, "C", 20, "h1", 5)).get(0);
    assertThat(s.volume()).isEqualTo(-2.0);
    assertThat(s.meter()).isEqualTo("temperature");
    assertThat(s.unit()).isEqualTo("C");
  }

  @Test
  void diskAndNetworkRatesMapNamesAndUnits() {
    Transformer disk = catalog.create("rate_of_change", DISK_RATE);
    disk.handle(sample("disk.read.bytes", CUMULATIVE, "B", 1000, "vm1", 0));
    Sample r = disk.handle(sample("disk.read.bytes", CUMULATIVE, "B", 3000, "vm1", 10)).get(0);
    assertThat(r.meter()).isEqualTo("disk.read.bytes.rate");
    assertThat(r.unit()).isEqualTo("B/s");
    assertThat(r.type()).isEqualTo(GAUGE);
    assertThat(r.volume()).isEqualTo(200.0);
    disk.handle(sample("disk.device.write.requests", CUMULATIVE, "request", 10, "vm1-vda", 0));
    Sample q = disk.handle(sample("disk.device.write.requests", CUMULATIVE, "request", 70, "vm1-vda", 30)).get(0);
    assertThat(q.meter()).isEqualTo("disk.device.write.requests.rate");
    assertThat(q.unit()).isEqualTo("request/s");
    assertThat(q.volume()).isEqualTo(2.0);

    Transformer net = catalog.create("rate_of_change", NETWORK_RATE);
    net.handle(sample("network.outgoing.packets", CUMULATIVE, "packet", 100, "tap0", 0));
    Sample n = net.handle(sample("network.outgoing.packets", CUMULATIVE, "packet", 160, "tap0", 20)).get(0);
    assertThat(n.meter()).isEqualTo("network.outgoing.packets.rate");
    assertThat(n.unit()).isEqualTo("packet/s");
    assertThat(n.volume()).isEqualTo(3.0);
  }

  @Test
  void derivedSamplesGetDeterministicIdsDistinctFromTheirInput() {
    Sample a = sample("cpu", CUMULATIVE, "ns", 1e9, "vm1", 0);
    Sample b = sample("cpu", CUMULATIVE, "ns", 2e9, "vm1", 10);
    Transformer t1 = catalog.create("rate_of_change", CPU_UTIL);
    Transformer t2 = catalog.create("rate_of_change", CPU_UTIL);
    t1.handle(a);
    t2.handle(a);
    Sample x = t1.handle(b).get(0);
    assertThat(x.messageId()).isEqualTo(t2.handle(b).get(0).messageId()).isNotEqualTo(b.messageId());
  }

  @Test
  void unitConversionWithExpressionNumberAndSourceUnit() {
    Transformer kb = catalog.create("unit_conversion", Map.of(
        "source", Map.of("unit", "B"),
        "target", Map.of("unit", "KB", "scale", "volume * 1.0 / 1024.0")));
    Sample s = kb.handle(sample("disk.usage", GAUGE, "B", 2048, "vm1", 0)).get(0);
    assertThat(s.volume()).isEqualTo(2.0);
    assertThat(s.unit()).isEqualTo("KB");
    assertThat(s.meter()).isEqualTo("disk.usage");
    Sample other = sample("disk.usage", GAUGE, "MB", 3, "vm1", 0);
    assertThat(kb.handle(other)).as("source.unit does not match: unchanged").containsExactly(other);

    Transformer numeric = catalog.create("unit_conversion", Map.of(
        "target", Map.of("name", "memory.mb", "scale", 0.5, "max", 10, "type", "cumulative")));
    Sample m = numeric.handle(sample("memory", GAUGE, "MB", 30, "vm1", 0)).get(0);
    assertThat(m.meter()).isEqualTo("memory.mb");
    assertThat(m.type()).isEqualTo(CUMULATIVE);
    assertThat(m.volume()).as("30 * 0.5 = 15 capped at 10").isEqualTo(10.0);
  }

  @Test
  void deltaWithGrowthOnlyFromTheRockyPipeline() {
    Transformer t = catalog.create("delta", Map.of("target", Map.of("name", "cpu.delta"), "growth_only", true));
    List<Double> out = new ArrayList<>();
    double[][] input = {{10, 0}, {15, 10}, {12, 20}, {20, 30}, {5, 25}, {26, 40}};
    for (double[] in : input) {
      for (Sample s : t.handle(sample("cpu", CUMULATIVE, "ns", in[0], "vm1", in[1]))) {
        assertThat(s.meter()).isEqualTo("cpu.delta");
        assertThat(s.type()).isEqualTo(DELTA);
        assertThat(s.unit()).isEqualTo("ns");
        out.add(s.volume());
      }
    }
    // 10 first (dropped); 15-10=5; 12-15<0 dropped (growth_only) but cached; 20-12=8;
    // 5@25 is older than 20@30: dropped, cache keeps 20; 26-20=6
    assertThat(out).containsExactly(5.0, 8.0, 6.0);
  }

  @Test
  void deltaWithoutGrowthOnlyKeepsNegatives() {
    Transformer t = catalog.create("delta", Map.of());
    t.handle(sample("x", GAUGE, "B", 10, "r", 0));
    Sample s = t.handle(sample("x", GAUGE, "B", 4, "r", 1)).get(0);
    assertThat(s.volume()).isEqualTo(-6.0);
    assertThat(s.meter()).isEqualTo("x");
  }

  @Test
  void accumulatorReleasesOnFlushOnceSizeReached() {
    Transformer t = catalog.create("accumulator", Map.of("size", 3));
    t.handle(sample("a", GAUGE, "u", 1, "r", 0));
    t.handle(sample("a", GAUGE, "u", 2, "r", 1));
    assertThat(t.flush()).isEmpty();
    t.handle(sample("a", GAUGE, "u", 3, "r", 2));
    t.handle(sample("a", GAUGE, "u", 4, "r", 3));
    assertThat(t.flush()).extracting(Sample::volume).containsExactly(1.0, 2.0, 3.0, 4.0);
    assertThat(t.flush()).isEmpty();
    Transformer pass = catalog.create("accumulator", Map.of("size", 0));
    assertThat(pass.handle(sample("a", GAUGE, "u", 1, "r", 0))).hasSize(1);
  }

  @Test
  void aggregatorAveragesGaugesSumsDeltasAndKeepsLastCumulative() {
    Transformer t = catalog.create("aggregator", Map.of("size", 6));
    t.handle(sample("g", GAUGE, "u", 1, "r", 0));
    t.handle(sample("g", GAUGE, "u", 2, "r", 1));
    t.handle(sample("d", DELTA, "u", 5, "r", 2));
    t.handle(sample("d", DELTA, "u", 7, "r", 3));
    t.handle(sample("c", CUMULATIVE, "u", 100, "r", 4));
    assertThat(t.flush()).as("5 < size 6").isEmpty();
    t.handle(sample("c", CUMULATIVE, "u", 90, "r", 5));
    List<Sample> out = t.flush();
    assertThat(out).extracting(Sample::meter).containsExactly("g", "d", "c");
    assertThat(out).extracting(Sample::volume).containsExactly(1.5, 12.0, 90.0);
    assertThat(out.get(0).timestamp()).as("timestamp: first").isEqualTo(T0);
    assertThat(t.flush()).as("state reset").isEmpty();
  }

  @Test
  void aggregatorPoliciesAndGrouping() {
    Transformer t = catalog.create("aggregator", Map.of("size", 4, "user_id", "last", "resource_metadata", "drop",
        "timestamp", "last", "target", Map.of("scale", 2)));
    t.handle(withUser(sample("g", GAUGE, "u", 1, "r", 0, Map.of("a", 1L)), "alice", "p1"));
    t.handle(withUser(sample("g", GAUGE, "u", 3, "r", 1), "bob", "p1"));
    t.handle(withUser(sample("g", GAUGE, "u", 10, "r", 2), "carol", "p2"));
    t.handle(withUser(sample("g", GAUGE, "u", 20, "r", 3), "dave", null));
    List<Sample> out = t.flush();
    // user_id has a policy (merged, last); project_id has none (grouped): p1, p2, <undefined>
    assertThat(out).hasSize(3);
    Sample p1 = out.get(0);
    assertThat(p1.volume()).as("(1*2 + 3*2) / 2").isEqualTo(4.0);
    assertThat(p1.userId()).isEqualTo("bob");
    assertThat(p1.projectId()).isEqualTo("p1");
    assertThat(p1.resourceMetadata()).isEmpty();
    assertThat(p1.timestamp()).isEqualTo(T0.plusSeconds(1));
    assertThat(out.get(1).volume()).isEqualTo(20.0);
    assertThat(out.get(2).projectId()).isNull();
  }

  @Test
  void aggregatorRetentionTimeUsesTheWallClock() {
    MutableClock clock = new MutableClock(T0);
    Transformer t = TransformerCatalog.standard(100, clock).create("aggregator", Map.of("retention_time", 60));
    t.handle(sample("d", DELTA, "u", 5, "r", 0));
    t.handle(sample("d", DELTA, "u", 6, "r", 10));
    clock.now = T0.plusSeconds(60);
    assertThat(t.flush()).as("not older than 60 s yet").isEmpty();
    clock.now = T0.plusSeconds(61);
    assertThat(t.flush()).extracting(Sample::volume).containsExactly(11.0);
  }

  @Test
  void aggregatorStateIsBounded() {
    Transformer t = TransformerCatalog.standard(2, Clock.systemUTC()).create("aggregator", Map.of("size", 100));
    t.handle(sample("g", GAUGE, "u", 1, "r1", 0));
    t.handle(sample("g", GAUGE, "u", 1, "r2", 0));
    t.handle(sample("g", GAUGE, "u", 1, "r3", 0));
    t.handle(sample("g", GAUGE, "u", 1, "r1", 0));
    assertThat(t.evictions()).isEqualTo(1);
  }

  @Test
  void rateOfChangeStateIsBoundedWithLruEviction() {
    Transformer t = TransformerCatalog.standard(2, Clock.systemUTC()).create("rate_of_change", Map.of());
    t.handle(sample("m", CUMULATIVE, "u", 1, "r1", 0));
    t.handle(sample("m", CUMULATIVE, "u", 1, "r2", 0));
    t.handle(sample("m", CUMULATIVE, "u", 1, "r3", 0)); // evicts r1
    assertThat(t.evictions()).isEqualTo(1);
    assertThat(t.handle(sample("m", CUMULATIVE, "u", 2, "r1", 1))).as("r1 was forgotten").isEmpty();
    assertThat(t.handle(sample("m", CUMULATIVE, "u", 2, "r3", 1))).hasSize(1);
  }

  @Test
  void arithmeticMemoryUtil() {
    Transformer t = catalog.create("arithmetic", Map.of("target", Map.of("name", "memory_util", "unit", "%",
        "type", "gauge", "expr", "100 * $(memory.usage) / $(memory)")));
    assertThat(t.handle(sample("memory", GAUGE, "MB", 2048, "vm1", 0))).isEmpty();
    t.handle(sample("memory", GAUGE, "MB", 4096, "vm2", 1));
    t.handle(sample("cpu", CUMULATIVE, "ns", 1, "vm1", 2));
    assertThat(t.flush()).as("no resource has both meters").isEmpty();
    t.handle(sample("memory.usage", GAUGE, "MB", 512, "vm1", 3));
    List<Sample> out = t.flush();
    assertThat(out).singleElement().satisfies(s -> {
      assertThat(s.meter()).isEqualTo("memory_util");
      assertThat(s.unit()).isEqualTo("%");
      assertThat(s.volume()).isEqualTo(25.0);
      assertThat(s.resourceId()).isEqualTo("vm1");
      assertThat(s.timestamp()).isEqualTo(T0.plusSeconds(3));
    });
    assertThat(t.flush()).as("vm1 forgotten after its output").isEmpty();
  }

  @Test
  void arithmeticWithMetadataAndFailures() {
    Transformer t = catalog.create("arithmetic", Map.of("target", Map.of(
        "expr", "$(memory) / $(memory).resource_metadata.ram")));
    t.handle(sample("memory", GAUGE, "MB", 1024, "vm1", 0, Map.of("ram", 2048L)));
    t.handle(sample("memory", GAUGE, "MB", 1024, "vm2", 0, Map.of("ram", 0L)));
    List<Sample> out = t.flush();
    assertThat(out).singleElement().satisfies(s -> {
      assertThat(s.meter()).as("reference meter's name").isEqualTo("memory");
      assertThat(s.volume()).isEqualTo(0.5);
    });
    assertThat(((Arithmetic) t).failures()).as("division by zero on vm2").isEqualTo(1);
  }

  @Test
  void badParameters() {
    assertThatThrownBy(() -> catalog.create("rate_of_change", Map.of("target", Map.of("scale", List.of(1)))))
        .hasMessage("parameter 'target.scale' must be a number or an expression string");
    assertThatThrownBy(() -> catalog.create("rate_of_change", Map.of("source", Map.of("map_from",
        Map.of("name", "(a")), "target", Map.of("map_to", Map.of("name", "x")))))
        .hasMessageStartingWith("parameter 'source.map_from.name' / 'target.map_to.name': is not a valid regular expression");
    assertThatThrownBy(() -> catalog.create("rate_of_change", Map.of("source", Map.of("map_from",
        Map.of("name", "(a)")), "target", Map.of("map_to", Map.of("name", "\\2")))))
        .hasMessage("parameter 'source.map_from.name' / 'target.map_to.name': invalid group reference 2 in replacement");
    assertThatThrownBy(() -> catalog.create("aggregator", Map.of("user_id", "middle")))
        .hasMessage("parameter 'user_id' must be one of first, last, got 'middle'");
    assertThatThrownBy(() -> catalog.create("accumulator", Map.of("size", "ten")))
        .hasMessage("parameter 'size' must be a number, got 'ten'");
    assertThatThrownBy(() -> catalog.create("delta", Map.of("growth_only", "maybe")))
        .hasMessage("parameter 'growth_only' must be a boolean, got 'maybe'");
    assertThatThrownBy(() -> catalog.create("nope", Map.of())).hasMessageStartingWith("unknown transformer 'nope'");
  }

  static Sample withUser(Sample s, String user, String project) {
    return new Sample(s.meter(), s.type(), s.unit(), s.volume(), user, project, s.resourceId(), s.timestamp(),
        null, s.source(), s.resourceMetadata(), s.messageId(), null);
  }

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void derivedIdsAreNameBasedUuidsOfInputIdAndNewName() {
    for (int i = 0; i < 50; i++) {
      java.util.UUID in = java.util.UUID.randomUUID();
      String name = "cpu_util" + i;
      assertThat(Scaling.derivedId(in, name)).isEqualTo(java.util.UUID.nameUUIDFromBytes(
          (in + "/" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
  }

  @Test
  void expressionNamespaceViewHasSampleAsDictKeys() {
    Sample s = sample("cpu", CUMULATIVE, "ns", 5, "r1", 0, cpus(4));
    Map<String, Object> ns = SampleNamespace.of(s);
    assertThat(ns).containsKeys("name", "volume", "resource_metadata", "monotonic_time").hasSize(12);
    assertThat(ns.get("volume")).isEqualTo(5.0);
    assertThat(ns.get("monotonic_time")).isNull();
    assertThat(ns.containsKey("nope")).isFalse();
  }
}
