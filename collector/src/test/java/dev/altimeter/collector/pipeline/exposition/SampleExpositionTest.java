package dev.altimeter.collector.pipeline.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SampleExpositionTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final AtomicLong clock = new AtomicLong();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  SampleExposition exposition(int maxSeries, Duration maxAge) {
    return new SampleExposition(maxSeries, maxAge, clock::get, registry);
  }

  static Sample sample(String meter, SampleType type, String resource, double volume, Instant at) {
    return Sample.builder().meter(meter).type(type).unit("ns").volume(volume).userId("u1").projectId("p1")
        .resourceId(resource).timestamp(at).build();
  }

  double evictions(String reason) {
    return registry.get("altimeter.exposition.evictions").tag("reason", reason).counter().count();
  }

  @Test
  void exactExpositionText() {
    SampleExposition e = exposition(100, Duration.ofMinutes(10));
    e.update(List.of(
        sample("cpu", SampleType.CUMULATIVE, "vm-2", 2.5e20, T0),
        sample("cpu", SampleType.CUMULATIVE, "vm-1", 1.2e10, T0),
        Sample.builder().meter("disk.device.read-bytes").type(SampleType.GAUGE).unit("B").volume(19)
            .resourceId("vm-1-vda").timestamp(T0).build(),
        sample("network.incoming.bytes.delta", SampleType.DELTA, "tap\"1\\x\n", 0.25, T0)));
    assertThat(e.scrape()).isEqualTo("""
        # TYPE ceilometer_cpu counter
        ceilometer_cpu{resource_id="vm-1",user_id="u1",project_id="p1",unit="ns"} 12000000000
        ceilometer_cpu{resource_id="vm-2",user_id="u1",project_id="p1",unit="ns"} 2.5E20
        # TYPE ceilometer_disk_device_read_bytes gauge
        ceilometer_disk_device_read_bytes{resource_id="vm-1-vda",unit="B"} 19
        # TYPE ceilometer_network_incoming_bytes_delta gauge
        ceilometer_network_incoming_bytes_delta{resource_id="tap\\"1\\\\x\\n",user_id="u1",project_id="p1",unit="ns"} 0.25
        """);
    assertThat(e.size()).isEqualTo(4);
    assertThat(registry.get("altimeter.exposition.series").gauge().value()).isEqualTo(4);
  }

  @Test
  void latestValuePerMeterAndResource() {
    SampleExposition e = exposition(100, Duration.ZERO);
    e.update(List.of(sample("cpu", SampleType.CUMULATIVE, "vm-1", 10, T0.plusSeconds(60))));
    e.update(List.of(sample("cpu", SampleType.CUMULATIVE, "vm-1", 5, T0))); // older, arrives late: ignored
    e.update(List.of(sample("cpu", SampleType.CUMULATIVE, "vm-1", 20, T0.plusSeconds(120))));
    assertThat(e.scrape()).isEqualTo("""
        # TYPE ceilometer_cpu counter
        ceilometer_cpu{resource_id="vm-1",user_id="u1",project_id="p1",unit="ns"} 20
        """);
  }

  @Test
  void namesAndTypes() {
    assertThat(SampleExposition.metricName("cpu")).isEqualTo("ceilometer_cpu");
    assertThat(SampleExposition.metricName("disk.device.read.bytes")).isEqualTo("ceilometer_disk_device_read_bytes");
    assertThat(SampleExposition.metricName("hardware.memory.total")).isEqualTo("ceilometer_hardware_memory_total");
    assertThat(SampleExposition.metricName("a-b/c:d é")).isEqualTo("ceilometer_a_b_c:d__");
    // one family, one type: cumulative mixed with a gauge is a gauge
    SampleExposition e = exposition(100, Duration.ZERO);
    e.update(List.of(sample("m", SampleType.CUMULATIVE, "r1", 1, T0), sample("m", SampleType.GAUGE, "r2", 2, T0)));
    assertThat(e.scrape()).startsWith("# TYPE ceilometer_m gauge\n");
  }

  @Test
  void boundedLeastRecentlyUpdatedEvicted() {
    SampleExposition e = exposition(2, Duration.ZERO);
    e.update(List.of(sample("m", SampleType.GAUGE, "r1", 1, T0), sample("m", SampleType.GAUGE, "r2", 2, T0)));
    e.update(List.of(sample("m", SampleType.GAUGE, "r1", 3, T0.plusSeconds(1)))); // r2 is now the stalest
    e.update(List.of(sample("m", SampleType.GAUGE, "r3", 4, T0)));
    assertThat(e.size()).isEqualTo(2);
    assertThat(e.scrape()).contains("resource_id=\"r1\"", "resource_id=\"r3\"").doesNotContain("resource_id=\"r2\"");
    assertThat(evictions("overflow")).isEqualTo(1);
    e.update(List.of(sample("m", SampleType.GAUGE, "r3", 5, T0.plusSeconds(1)))); // an update, not a new series
    assertThat(evictions("overflow")).isEqualTo(1);
  }

  @Test
  void staleSeriesExpire() {
    SampleExposition e = exposition(100, Duration.ofMinutes(5));
    e.update(List.of(sample("m", SampleType.GAUGE, "old", 1, T0)));
    clock.addAndGet(Duration.ofMinutes(3).toNanos());
    e.update(List.of(sample("m", SampleType.GAUGE, "new", 2, T0)));
    clock.addAndGet(Duration.ofMinutes(3).toNanos()); // old: 6 min, new: 3 min
    assertThat(e.scrape()).doesNotContain("\"old\"").contains("\"new\"");
    assertThat(evictions("expired")).isEqualTo(1);
    clock.addAndGet(Duration.ofMinutes(3).toNanos());
    assertThat(e.scrape()).isEmpty();
    assertThat(e.size()).isZero();
    assertThat(evictions("expired")).isEqualTo(2);
  }

  @Test
  void publisherFeedsTheExpositionAndTakesNoOptions() {
    SampleExposition e = exposition(100, Duration.ZERO);
    var factory = ExpositionPublisher.factory(e);
    factory.create(PublisherUrl.parse("prometheus-exposition://"), PublisherContext.defaults())
        .publishSamples(List.of(sample("cpu", SampleType.CUMULATIVE, "vm-1", 1, T0))).block();
    assertThat(e.size()).isEqualTo(1);
    assertThatThrownBy(() -> factory.create(PublisherUrl.parse("prometheus-exposition://?max_series=5"),
        PublisherContext.defaults())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("altimeter.exposition");
  }
}
