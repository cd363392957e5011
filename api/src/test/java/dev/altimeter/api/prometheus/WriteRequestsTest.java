package dev.altimeter.api.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class WriteRequestsTest {
  @Test
  void refusesWhatIsNotSnappyOrNotAWriteRequest() throws Exception {
    for (byte[] body : List.of(new byte[0], "not snappy".getBytes(), Snappy.compress(new byte[] {(byte) 0xff, 1, 2}),
        Snappy.compress(new byte[] {0x0a, 0x05, 'a', 'b', 'c'}))) {
      assertThatThrownBy(() -> WriteRequests.decode(body)).as(new String(body))
          .isInstanceOfSatisfying(PrometheusError.class, e -> assertThat(e.errorType()).isEqualTo("bad_data"));
    }
  }

  @Test
  void decodesLabelsAndSamples() throws Exception {
    // TimeSeries{labels: [{__name__: up}], samples: [{value: 1.5, timestamp: 1000}]}
    byte[] label = {0x0a, 0x08, '_', '_', 'n', 'a', 'm', 'e', '_', '_', 0x12, 0x02, 'u', 'p'};
    byte[] sample = {0x09, 0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x3f, 0x10, (byte) 0xe8, 0x07};
    byte[] series = new byte[2 + label.length + 2 + sample.length];
    series[0] = 0x0a;
    series[1] = (byte) label.length;
    System.arraycopy(label, 0, series, 2, label.length);
    series[2 + label.length] = 0x12;
    series[3 + label.length] = (byte) sample.length;
    System.arraycopy(sample, 0, series, 4 + label.length, sample.length);
    byte[] request = new byte[2 + series.length];
    request[0] = 0x0a;
    request[1] = (byte) series.length;
    System.arraycopy(series, 0, request, 2, series.length);
    List<WriteRequests.TimeSeries> decoded = WriteRequests.decode(Snappy.compress(request));
    assertThat(decoded).singleElement().satisfies(ts -> {
      assertThat(ts.labels()).isEqualTo(Map.of("__name__", "up"));
      assertThat(ts.timestampsMs()).containsExactly(1000L);
      assertThat(ts.values()).containsExactly(1.5);
    });
  }

  /** A snappy bomb: 3 MB compressed, 64 MiB of one repeated series; refused before decoding it all. */
  @Test
  void refusesABodyOfMoreSeriesAndSamplesThanTheBound() throws Exception {
    // TimeSeries{labels: [{__name__: up}], samples: [{value: 1.5, timestamp: 1000}]}
    byte[] series = {0x0a, 0x1e, 0x0a, 0x0e, 0x0a, 0x08, '_', '_', 'n', 'a', 'm', 'e', '_', '_', 0x12, 0x02, 'u', 'p',
        0x12, 0x0c, 0x09, 0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x3f, 0x10, (byte) 0xe8, 0x07};
    int copies = (WriteRequests.MAX_DECOMPRESSED - 1024) / series.length;
    byte[] raw = new byte[copies * series.length];
    for (int i = 0; i < copies; i++) System.arraycopy(series, 0, raw, i * series.length, series.length);
    byte[] body = Snappy.compress(raw);
    assertThat(body.length).isLessThan(raw.length / 10);
    assertThatThrownBy(() -> WriteRequests.decode(body))
        .isInstanceOfSatisfying(PrometheusError.class, e -> {
          assertThat(e.status()).isEqualTo(413);
          assertThat(e.getMessage()).contains("more than " + WriteRequests.MAX_ITEMS);
        });
    // at the bound exactly, it decodes
    int fit = WriteRequests.MAX_ITEMS / 2;
    byte[] ok = java.util.Arrays.copyOf(raw, fit * series.length);
    assertThat(WriteRequests.decode(Snappy.compress(ok))).hasSize(fit);
  }
}
