package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.xerial.snappy.Snappy;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Remote write 1.0 ({@code POST /api/v1/write}) with a real encoder: the WriteRequest written with
 * protobuf-java's CodedOutputStream field by field as Prometheus's remote.proto numbers them, then
 * snappy block-compressed with snappy-java, as Prometheus sends it.
 */
class RemoteWriteTest extends ApiTestSupport {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final long T = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();

  /** One series: label pairs, then (timestamp ms, value) pairs. */
  record Series(List<String> labels, long[] ts, double[] vs) {}

  static byte[] writeRequest(Series... series) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream w = CodedOutputStream.newInstance(out);
    for (Series s : series) w.writeByteArray(1, timeSeries(s));
    w.flush();
    return Snappy.compress(out.toByteArray());
  }

  private static byte[] timeSeries(Series s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream w = CodedOutputStream.newInstance(out);
    for (int i = 0; i < s.labels().size(); i += 2) {
      ByteArrayOutputStream label = new ByteArrayOutputStream();
      CodedOutputStream l = CodedOutputStream.newInstance(label);
      l.writeString(1, s.labels().get(i));
      l.writeString(2, s.labels().get(i + 1));
      l.flush();
      w.writeByteArray(1, label.toByteArray());
    }
    for (int i = 0; i < s.ts().length; i++) {
      ByteArrayOutputStream sample = new ByteArrayOutputStream();
      CodedOutputStream p = CodedOutputStream.newInstance(sample);
      p.writeDouble(1, s.vs()[i]);
      p.writeInt64(2, s.ts()[i]);
      p.flush();
      w.writeByteArray(2, sample.toByteArray());
    }
    w.flush();
    return out.toByteArray();
  }

  WebTestClient.ResponseSpec write(byte[] body, String... headers) {
    var spec = http.post().uri("/api/v1/write").contentType(MediaType.parseMediaType("application/x-protobuf"))
        .header("Content-Encoding", "snappy").header("X-Prometheus-Remote-Write-Version", "0.1.0");
    for (int i = 0; i < headers.length; i += 2) spec = spec.header(headers[i], headers[i + 1]);
    return spec.bodyValue(body).exchange();
  }

  private List<Sample> stored() {
    return store.samples(SampleFilter.ALL, 100).collectList().block(Duration.ofSeconds(10))
        .stream().sorted(Comparator.comparing(Sample::meter).thenComparing(Sample::timestamp)).toList();
  }

  @Test
  void samplesEnterThePipelineMappedToTheDataModel() throws Exception {
    byte[] body = writeRequest(
        new Series(List.of("__name__", "http_requests_total", "instance", "web-1:9090", "job", "web", "code", "200"),
            new long[] {T, T + 15_000}, new double[] {10, 12.5}),
        new Series(List.of("__name__", "temperature", "resource_id", "sensor-7", "unit", "C", "project_id", "p1"),
            // NaN (a staleness marker's kind) and a value past 1e100 cannot be stored: skipped, counted
            new long[] {T, T + 1, T + 2}, new double[] {21.5, Double.NaN, 1e300}));
    write(body).expectStatus().isNoContent().expectHeader().valueEquals("X-Altimeter-Skipped-Samples", "2");
    List<Sample> samples = stored();
    assertThat(samples).hasSize(3);
    Sample http = samples.get(0);
    assertThat(http.meter()).isEqualTo("http_requests_total");
    assertThat(http.type()).isEqualTo(SampleType.CUMULATIVE);
    assertThat(http.resourceId()).isEqualTo("web-1:9090");
    assertThat(http.unit()).isEmpty();
    assertThat(http.source()).isEqualTo("prometheus");
    assertThat(http.timestamp()).isEqualTo(Instant.ofEpochMilli(T));
    assertThat(http.resourceMetadata()).isEqualTo(Map.of("instance", "web-1:9090", "job", "web", "code", "200"));
    Sample temperature = samples.get(2);
    assertThat(temperature.type()).isEqualTo(SampleType.GAUGE);
    assertThat(temperature.resourceId()).isEqualTo("sensor-7");
    assertThat(temperature.projectId()).isEqualTo("p1");
    assertThat(temperature.unit()).isEqualTo("C");
    assertThat(temperature.volume()).isEqualTo(21.5);

    // a retried batch is stored once (message ids derive from project, labels and time)
    write(body).expectStatus().isNoContent();
    assertThat(stored()).hasSize(3);

    // and reads back through the Prometheus API with its labels
    String window = "start=" + (T / 1000 - 60) + "&end=" + (T / 1000 + 60);
    JsonNode series = JSON.readTree(get("/api/v1/series?match[]=ceilometer_http_requests_total&" + window)
        .expectStatus().isOk().expectBody().returnResult().getResponseBody());
    assertThat(JSON.convertValue(series.get("data").get(0), Map.class)).isEqualTo(Map.of(
        "__name__", "ceilometer_http_requests_total", "resource_id", "web-1:9090", "instance", "web-1:9090",
        "job", "web", "code", "200", "type", "cumulative", "source", "prometheus"));
  }

  @Test
  void aMemberWritesIntoItsOwnProjectOnly() throws Exception {
    String[] member = {"X-User-Id", "u1", "X-Project-Id", "p1", "X-Roles", "member"};
    write(writeRequest(new Series(List.of("__name__", "up", "instance", "a"), new long[] {T}, new double[] {1})), member)
        .expectStatus().isNoContent();
    assertThat(stored()).singleElement().satisfies(s -> {
      assertThat(s.projectId()).isEqualTo("p1");
      assertThat(s.userId()).isEqualTo("u1");
    });
    fault(write(writeRequest(new Series(List.of("__name__", "up", "instance", "a", "project_id", "p2"), new long[] {T + 1},
        new double[] {1})), member), 401, "Not Authorized to access project p2");
    fault(write(writeRequest(new Series(List.of("__name__", "up"), new long[] {T}, new double[] {1})),
        "X-User-Id", "u1", "X-Roles", "member"), 403, "RBAC Authorization Failed");
    assertThat(stored()).hasSize(1);
  }

  @Test
  void undecodableBodiesAreBadData() throws Exception {
    List<byte[]> bodies = List.of(new byte[0], "not snappy".getBytes(), Snappy.compress(new byte[] {(byte) 0xff, 1, 2}),
        // a time series field claiming 5 bytes where 3 follow
        Snappy.compress(new byte[] {0x0a, 0x05, 'a', 'b', 'c'}),
        writeRequest(new Series(List.of("job", "x"), new long[] {T}, new double[] {1})));
    for (int i = 0; i < bodies.size(); i++) {
      var response = write(bodies.get(i)).expectBody().returnResult();
      assertThat(response.getStatus().value()).as("body %d", i).isEqualTo(400);
      JsonNode error = JSON.readTree(response.getResponseBody());
      assertThat(error.get("status").asString()).isEqualTo("error");
      assertThat(error.get("errorType").asString()).isEqualTo("bad_data");
    }
    write(writeRequest(), "Content-Encoding", "gzip").expectStatus().isBadRequest();
    assertThat(stored()).isEmpty();
  }
}
