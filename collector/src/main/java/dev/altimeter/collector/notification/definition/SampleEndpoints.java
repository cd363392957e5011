package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.notification.Notification;
import dev.altimeter.collector.python.Values;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.wire.PythonText;
import dev.altimeter.wire.Timestamps;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The meters Ceilometer makes in code rather than in meters.yaml, always on as Ceilometer's sample
 * endpoints are: {@code http.request} and {@code http.response} (oslo.messaging's request
 * notifier middleware; {@code ceilometer/middleware.py}) and the ironic IPMI sensor meters {@code
 * hardware.ipmi.current|fan|temperature|voltage} ({@code ceilometer/ipmi/notifications/ironic.py}).
 *
 * <p>Event types are matched as oslo's notification filter does ({@code re.match}, dots match any
 * character). Where Ceilometer's code raises for a whole notification (a key it indexes is missing),
 * the endpoint makes no samples; where it skips one sensor with a warning, so does this, silently
 * (this is the per-sample path). A sample with no resource is dropped, as meters.yaml's are.
 */
final class SampleEndpoints {
  private SampleEndpoints() {}

  /** One of Ceilometer's coded sample endpoints. */
  interface Endpoint {
    boolean matches(String eventType);

    /** Appends the notification's samples; makes none where Ceilometer's endpoint raises. */
    void toSamples(Notification n, List<Sample> out);
  }

  static final List<Endpoint> ALL = List.of(
      new HttpRequests("http.request"), new HttpRequests("http.response"),
      new IpmiSensors("Current"), new IpmiSensors("Fan"), new IpmiSensors("Temperature"),
      new IpmiSensors("Voltage"));

  /**
   * {@code http.request} / {@code http.response}: a delta of 1, named after the event type, its unit
   * the event type's second dot-separated part; user, project and resource (the service name) from
   * the request environment the middleware put in the payload.
   */
  record HttpRequests(Pattern eventType) implements Endpoint {
    HttpRequests(String eventType) {
      this(Pattern.compile(eventType));
    }

    @Override
    public boolean matches(String type) {
      return eventType.matcher(type).lookingAt();
    }

    @Override
    public void toSamples(Notification n, List<Sample> out) {
      String[] parts = n.eventType().split("\\.", -1);
      if (parts.length < 2 || !(n.payload().get("request") instanceof Map<?, ?> request)) return;
      Map<String, Object> meta = new LinkedHashMap<>(n.payload());
      meta.put("event_type", n.eventType());
      meta.put("host", n.publisherId());
      add(out, n, n.eventType(), SampleType.DELTA, parts[1], 1.0, text(request.get("HTTP_X_USER_ID")),
          text(request.get("HTTP_X_PROJECT_ID")), text(request.get("HTTP_X_SERVICE_NAME")), n.timestamp(), meta, 0);
    }
  }

  /**
   * {@code hardware.ipmi.<metric>}: one gauge per sensor of the payload's {@code payload.<Metric>}
   * map, resource {@code <node_uuid>-<sensor id lower case, spaces as underscores>}, volume and unit
   * from the {@code Sensor Reading} ({@code "26 (+/- 0.500) degrees C"}: 26, {@code C}; Watts and
   * Volts as W and V); the sensor's fields plus {@code node} as metadata; the time, event type, user
   * and project are ironic's own payload fields.
   */
  record IpmiSensors(String metric, String meter) implements Endpoint {
    private static final Pattern EVENT_TYPES = Pattern.compile("hardware.ipmi.*");
    private static final Map<String, String> UNITS = Map.of("Watts", "W", "Volts", "V");

    IpmiSensors(String metric) {
      this(metric, "hardware.ipmi." + metric.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean matches(String type) {
      return EVENT_TYPES.matcher(type).lookingAt();
    }

    @Override
    public void toSamples(Notification n, List<Sample> out) {
      Map<String, Object> p = n.payload();
      if (!(p.get("payload") instanceof Map<?, ?> inner) || !(inner.get(metric) instanceof Map<?, ?> sensors)) return;
      // Ceilometer reads these for every sensor and fails the whole notification without them
      if (!(p.get("timestamp") instanceof String time) || !p.containsKey("event_type")) return;
      Instant timestamp = Timestamps.parseIsotime(time);
      if (timestamp == null) return;
      int index = 0;
      for (Object value : sensors.values()) {
        if (!(value instanceof Map<?, ?> sensor)) return; // Ceilometer fails on a sensor that is not a dict
        Object node = p.get("node_uuid");
        Object id = sensor.get("Sensor ID");
        Object reading = sensor.get("Sensor Reading");
        if (node == null || id == null || !(reading instanceof String r)) continue; // skipped sensor
        if (r.equals("Disabled")) continue;
        int space = r.indexOf(' ');
        Double volume = space < 0 ? null : Values.floatOrNull(r.substring(0, space));
        if (volume == null) continue;
        String unit = r.substring(r.lastIndexOf(' ') + 1);
        Map<String, Object> meta = new LinkedHashMap<>();
        sensor.forEach((k, v) -> meta.put(String.valueOf(k), v));
        meta.put("node", node);
        meta.put("event_type", p.get("event_type"));
        meta.put("host", n.publisherId());
        String resource = PythonText.str(node) + "-" + PythonText.str(id).toLowerCase(Locale.ROOT).replace(' ', '_');
        add(out, n, meter, SampleType.GAUGE, UNITS.getOrDefault(unit, unit), volume, text(p.get("user_id")),
            text(p.get("project_id")), resource, timestamp, meta, index++);
      }
    }
  }

  private static String text(Object v) {
    return v == null ? null : PythonText.str(v);
  }

  private static void add(List<Sample> out, Notification n, String meter, SampleType type, String unit, double volume,
      String user, String project, String resource, Instant timestamp, Map<String, Object> meta, int index) {
    if (resource == null || resource.isEmpty() || !Double.isFinite(volume)) return;
    out.add(Sample.builder()
        .meter(meter)
        .type(type)
        .unit(unit)
        .volume(volume)
        .userId(user)
        .projectId(project)
        .resourceId(resource)
        .timestamp(timestamp)
        .source(MeterDefinition.SOURCE)
        .resourceMetadata(meta)
        .messageId(MeterDefinition.sampleId(n.messageId(), meter, index))
        .build());
  }
}
