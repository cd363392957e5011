package dev.altimeter.api.prometheus;

import dev.altimeter.api.v2.Caller;
import dev.altimeter.promql.Labels;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.StoreException;
import dev.altimeter.storage.Values;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Prometheus remote write 1.0 receiver, {@code POST /api/v1/write} (snappy-compressed protobuf
 * {@code WriteRequest}). Samples enter the same pipeline as every other source ({@link
 * SampleConsumer}) and answer 204 once stored. Mapping (docs/promql.md):
 *
 * <ul>
 *   <li>meter: the metric name ({@code __name__}) unchanged, so {@code up} is queried back as
 *       {@code ceilometer_up};</li>
 *   <li>type: {@code cumulative} when the name ends with {@code _total}, else {@code gauge};</li>
 *   <li>resource_id: the {@code resource_id} label, else {@code instance}, else {@code job}, else
 *       the metric name;</li>
 *   <li>project_id: the caller's (a non-admin naming another project in a {@code project_id} label
 *       is refused, 401, as on /v2); an admin's {@code project_id} label is kept;</li>
 *   <li>user_id: the {@code user_id} label, else the caller's; unit: the {@code unit} label, else
 *       {@code ""}; source: the {@code source} label, else {@code prometheus};</li>
 *   <li>every other label goes into the resource metadata, as text, so it comes back as a label.</li>
 * </ul>
 *
 * Samples no store can hold (NaN, among them Prometheus's staleness markers, infinities, values
 * beyond ±1e100, timestamps outside years 1 to 9999) are skipped, counted in the answer's {@code
 * X-Altimeter-Skipped-Samples} header. The message id is derived from project, labels and timestamp,
 * so a batch Prometheus retries is stored once.
 */
@RestController
class RemoteWriteController {
  static final String DEFAULT_SOURCE = "prometheus";
  static final String SKIPPED = "X-Altimeter-Skipped-Samples";

  private final SampleConsumer pipeline;

  RemoteWriteController(SampleConsumer pipeline) {
    this.pipeline = pipeline;
  }

  @PostMapping(path = "/api/v1/write")
  Mono<ResponseEntity<Void>> write(@RequestBody(required = false) Mono<byte[]> body, Caller caller,
      ServerWebExchange exchange) {
    for (String encoding : exchange.getRequest().getHeaders().getOrDefault(HttpHeaders.CONTENT_ENCODING, List.of())) {
      if (!encoding.trim().equalsIgnoreCase("snappy")) {
        return Mono.error(PrometheusError.badData("unsupported Content-Encoding " + encoding + ": remote write bodies are snappy"));
      }
    }
    // authorised before the body is read: a member naming no project at all is refused here
    String project = caller.admin() ? caller.projectId() : caller.confineProject(null);
    return body.defaultIfEmpty(new byte[0])
        // decompressing and decoding a large body takes a while: not on the event loop, and not on
        // parallel(), whose threads also run Reactor's timers (the queries' timeouts among them)
        .publishOn(Schedulers.boundedElastic())
        .map(bytes -> toSamples(WriteRequests.decode(bytes), caller, project))
        .flatMap(batch -> (batch.samples.isEmpty() ? Mono.<Void>empty() : pipeline.accept(batch.samples))
            .then(Mono.fromSupplier(() -> ResponseEntity.status(HttpStatus.NO_CONTENT)
                .header(SKIPPED, Integer.toString(batch.skipped)).<Void>build())));
  }

  record Batch(List<Sample> samples, int skipped) {}

  static Batch toSamples(List<WriteRequests.TimeSeries> series, Caller caller, String defaultProject) {
    List<Sample> out = new ArrayList<>();
    int skipped = 0;
    for (WriteRequests.TimeSeries ts : series) {
      Map<String, String> labels = new TreeMap<>(ts.labels());
      labels.values().removeIf(String::isEmpty); // an empty label is no label (Prometheus)
      String name = labels.remove(Labels.METRIC_NAME);
      if (name == null) throw PrometheusError.badData("a time series has no metric name (" + Labels.of(ts.labels()) + ")");
      String projectLabel = labels.remove(SampleLabels.PROJECT_ID);
      String project = projectLabel == null ? defaultProject
          : caller.admin() ? projectLabel : caller.confineProject(projectLabel);
      String resource = labels.remove(SampleLabels.RESOURCE_ID);
      if (resource == null) resource = labels.get("instance");
      if (resource == null) resource = labels.get("job");
      if (resource == null) resource = name;
      String user = labels.remove(SampleLabels.USER_ID);
      String unit = labels.remove(SampleLabels.UNIT);
      String source = labels.remove(SampleLabels.SOURCE);
      labels.remove(SampleLabels.TYPE); // derived from the name; the read side would drop it anyway
      SampleType type = name.endsWith("_total") ? SampleType.CUMULATIVE : SampleType.GAUGE;
      Map<String, Object> metadata = Map.copyOf(labels);
      String identity = project + "\u0000" + Labels.of(ts.labels());
      for (int i = 0; i < ts.values().length; i++) {
        double v = ts.values()[i];
        long ms = ts.timestampsMs()[i];
        if (!storable(v, ms)) {
          skipped++;
          continue;
        }
        try {
          out.add(Sample.builder().meter(name).type(type).unit(unit == null ? "" : unit).volume(v)
              .userId(user != null ? user : caller.userId()).projectId(project).resourceId(resource)
              .source(source != null ? source : DEFAULT_SOURCE).timestamp(Instant.ofEpochMilli(ms))
              .resourceMetadata(metadata)
              .messageId(UUID.nameUUIDFromBytes((identity + "\u0000" + ms).getBytes(StandardCharsets.UTF_8)))
              .build());
        } catch (IllegalArgumentException e) {
          throw PrometheusError.badData("sample of " + Labels.of(ts.labels()) + " cannot be stored: " + e.getMessage());
        }
      }
    }
    return new Batch(out, skipped);
  }

  private static boolean storable(double v, long ms) {
    return !Double.isNaN(v) && Math.abs(v) <= Values.MAX_VOLUME
        && ms >= Values.EARLIEST.toEpochMilli() && ms <= Values.LATEST.toEpochMilli();
  }

  @ExceptionHandler(PrometheusError.class)
  ResponseEntity<Map<String, Object>> error(PrometheusError e) {
    return e.response();
  }

  @ExceptionHandler({SampleConsumer.Overloaded.class, StoreException.Unavailable.class})
  ResponseEntity<Map<String, Object>> overloaded(RuntimeException e) {
    return PrometheusError.unavailable(e.getMessage()).response();
  }

  @ExceptionHandler(SampleConsumer.TooLarge.class)
  ResponseEntity<Map<String, Object>> tooLarge(SampleConsumer.TooLarge e) {
    return new PrometheusError("bad_data", 413, e.getMessage()).response();
  }

  @ExceptionHandler(StoreException.InvalidData.class)
  ResponseEntity<Map<String, Object>> invalid(StoreException.InvalidData e) {
    return PrometheusError.badData("Invalid input: " + e.getMessage()).response();
  }
}
