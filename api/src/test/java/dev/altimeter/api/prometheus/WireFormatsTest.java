package dev.altimeter.api.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.promql.Labels;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Prometheus's spellings of times, durations and values, and the labels of a sample. */
class WireFormatsTest {
  @Test
  void timesAsPrometheusParsesThem() {
    assertThat(Params.parseTime("1709287200")).isEqualTo(1_709_287_200_000L);
    assertThat(Params.parseTime("1709287200.5")).isEqualTo(1_709_287_200_500L);
    assertThat(Params.parseTime("1709287200.0004")).isEqualTo(1_709_287_200_000L);
    assertThat(Params.parseTime("-1.5")).isEqualTo(-1500L);
    assertThat(Params.parseTime("1e3")).isEqualTo(1_000_000L);
    assertThat(Params.parseTime("2024-03-01T10:00:00Z")).isEqualTo(1_709_287_200_000L);
    assertThat(Params.parseTime("2024-03-01T12:00:00.25+02:00")).isEqualTo(1_709_287_200_250L);
    for (String bad : new String[] {"", "x", "NaN", "Inf", "1e99", "2024-03-01", "2024-13-01T00:00:00Z", "0x10"}) {
      assertThat(Params.parseTime(bad)).as(bad).isNull();
    }
  }

  @Test
  void durationsAsSecondsOrPrometheusDurations() {
    assertThat(Params.parseDuration("15")).isEqualTo(15_000L);
    assertThat(Params.parseDuration("0.5")).isEqualTo(500L);
    assertThat(Params.parseDuration("1m30s")).isEqualTo(90_000L);
    assertThat(Params.parseDuration("1d")).isEqualTo(86_400_000L);
    assertThat(Params.parseDuration("1y2w")).isEqualTo((365L + 14) * 86_400_000L);
    assertThat(Params.parseDuration("100ms")).isEqualTo(100L);
    for (String bad : new String[] {"", "m", "1m1", "5s1m", "99999999999999999999y", "1e99", "NaN"}) {
      assertThat(Params.parseDuration(bad)).as(bad).isNull();
    }
  }

  @Test
  void valuesAndSecondsAsPrometheusWritesThem() {
    assertThat(ResultJson.value(1)).isEqualTo("1");
    assertThat(ResultJson.value(1.5)).isEqualTo("1.5");
    assertThat(ResultJson.value(1e21)).isEqualTo("1000000000000000000000");
    assertThat(ResultJson.value(1e-7)).isEqualTo("0.0000001");
    assertThat(ResultJson.value(-0.0)).isEqualTo("-0");
    assertThat(ResultJson.value(Double.NaN)).isEqualTo("NaN");
    assertThat(ResultJson.value(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(ResultJson.value(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(ResultJson.seconds(1_500).toString()).isEqualTo("1.500");
    assertThat(ResultJson.seconds(1_709_287_200_000L).toString()).isEqualTo("1709287200");
    assertThat(ResultJson.seconds(1_709_287_200_007L).toString()).isEqualTo("1709287200.007");
  }

  @Test
  void aSamplesLabelsNeverLetMetadataOverrideItsFields() {
    Sample s = Sample.builder().meter("disk.device.read-bytes").type(SampleType.CUMULATIVE).unit("B").volume(1)
        .resourceId("vm-1").projectId("p1").source("openstack").timestamp(Instant.EPOCH)
        .resourceMetadata(Map.of("flavor", Map.of("name", "m1.small", "vcpus", 2), "project_id", "p2",
            "__name__", "x", "tags", java.util.List.of("a"), "1st", true, "ratio", 0.5, "a.b", "dotted"))
        .build();
    assertThat(SampleLabels.of(s)).isEqualTo(Labels.of("__name__", "ceilometer_disk_device_read_bytes",
        "resource_id", "vm-1", "project_id", "p1", "unit", "B", "type", "cumulative", "source", "openstack",
        "flavor_name", "m1.small", "flavor_vcpus", "2", "_1st", "true", "ratio", "0.5", "a_b", "dotted"));
  }
}
