package dev.altimeter.collector.notification.definition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.notification.Notification;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The meters Ceilometer makes in code, on the cases the golden corpus has no notification for
 * (its notifications are compared with Ceilometer's own output in GoldenCorpusTest).
 */
class SampleEndpointsTest {
  static final MeterDefinitions METERS = MeterDefinitions.builtIn();

  static Notification notification(String eventType, String priority, Map<String, Object> payload) {
    return new Notification(priority, "ironic.conductor-1", eventType, Instant.parse("2017-07-07T15:54:12Z"),
        "f22188ca-c068-47ce-a3e5-0e27ffe234c6", payload, Map.of());
  }

  static Map<String, Object> ipmi(Map<String, Object> sensors) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("node_uuid", "node-1");
    p.put("timestamp", "2017-07-07 15:54:12.169510");
    p.put("event_type", "hardware.ipmi.metrics.update");
    p.put("payload", sensors);
    return p;
  }

  static Map<String, Object> sensor(String id, String reading) {
    return Map.of("Sensor ID", id, "Sensor Reading", reading);
  }

  @Test
  void ipmiSensorsMapUnitsAndSkipWhatCannotBeRead() {
    Map<String, Object> power = new LinkedHashMap<>();
    power.put("a", sensor("PSU1 Current", "0.800 (+/- 0) Watts"));
    power.put("b", sensor("PSU2 Current", "Disabled"));
    power.put("c", sensor("PSU3 Current", "bad"));
    power.put("d", Map.of("Sensor Reading", "1 Volts")); // no Sensor ID
    List<Sample> samples = METERS.toSamples(notification("hardware.ipmi.metrics.update", "info",
        ipmi(Map.of("Current", power))));
    assertThat(samples).hasSize(1);
    Sample s = samples.get(0);
    assertThat(s.meter()).isEqualTo("hardware.ipmi.current");
    assertThat(s.type()).isEqualTo(SampleType.GAUGE);
    assertThat(s.unit()).isEqualTo("W");
    assertThat(s.volume()).isEqualTo(0.8);
    assertThat(s.resourceId()).isEqualTo("node-1-psu1_current");
    assertThat(s.timestamp()).isEqualTo(Instant.parse("2017-07-07T15:54:12.169510Z")); // ironic's own time
    assertThat(s.resourceMetadata()).containsEntry("node", "node-1").containsEntry("host", "ironic.conductor-1")
        .containsEntry("event_type", "hardware.ipmi.metrics.update");
  }

  @Test
  void ipmiWithoutItsTimestampMakesNoSamplesAsCeilometerFailsIt() {
    Map<String, Object> p = ipmi(Map.of("Fan", Map.of("a", sensor("Fan 1", "4000 (+/- 0) RPM"))));
    assertThat(METERS.toSamples(notification("hardware.ipmi.metrics.update", "info", p))).hasSize(1);
    p.remove("timestamp");
    assertThat(METERS.toSamples(notification("hardware.ipmi.metrics.update", "info", p))).isEmpty();
  }

  @Test
  void httpRequestsNeedTheRequestEnvironmentAndASampleOrInfoPriority() {
    Map<String, Object> request = Map.of("request", Map.of("HTTP_X_SERVICE_NAME", "nova", "HTTP_X_USER_ID", "u"));
    List<Sample> samples = METERS.toSamples(notification("http.response", "info", request));
    assertThat(samples).extracting(Sample::meter, Sample::unit, Sample::volume, Sample::resourceId, Sample::userId,
        Sample::projectId).containsExactly(org.assertj.core.groups.Tuple.tuple("http.response", "response", 1.0, "nova",
        "u", null));
    assertThat(METERS.toSamples(notification("http.response", "error", request))).isEmpty();
    assertThat(METERS.toSamples(notification("http.request", "info", Map.of("other", 1)))).isEmpty();
    // no service name: no resource, no sample
    assertThat(METERS.toSamples(notification("http.request", "info", Map.of("request", Map.of())))).isEmpty();
  }
}
