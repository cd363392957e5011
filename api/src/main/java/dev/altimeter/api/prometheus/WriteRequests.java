package dev.altimeter.api.prometheus;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.xerial.snappy.Snappy;

/**
 * Decodes a remote write 1.0 body: a snappy block (not framed) holding the protobuf {@code
 * prometheus.WriteRequest}, read field by field with {@link CodedInputStream} (no generated code):
 *
 * <pre>
 * WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 * TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; exemplars = 3; histograms = 4; }
 * Label        { string name = 1; string value = 2; }
 * Sample       { double value = 1; int64 timestamp = 2; }  // milliseconds
 * </pre>
 *
 * Unknown fields, metadata, exemplars and native histograms are skipped. Stateless.
 */
final class WriteRequests {
  /** The largest body once decompressed; a snappy header claiming more is refused before allocating. */
  static final int MAX_DECOMPRESSED = 64 * 1024 * 1024;
  /**
   * The most series plus samples one body may hold. 64 MiB of repeated 40-byte series, 3 MB once
   * snappy-compressed, would otherwise decode to ~1.6 M series and samples, gigabytes of objects
   * before the pipeline's own size check (413) could refuse them. Prometheus sends at most a few
   * thousand per request (queue_config.max_samples_per_send); the store queue's default capacity
   * is also 200,000.
   */
  static final int MAX_ITEMS = 200_000;

  private WriteRequests() {}

  /** One series: its labels by name, and its samples. */
  record TimeSeries(Map<String, String> labels, long[] timestampsMs, double[] values) {}

  /**
   * @throws PrometheusError bad_data when the body is not snappy, not a WriteRequest, or too large;
   *     413 when it holds more than {@link #MAX_ITEMS} series and samples
   */
  static List<TimeSeries> decode(byte[] body) {
    byte[] raw;
    try {
      if (!Snappy.isValidCompressedBuffer(body)) throw PrometheusError.badData("the body is not snappy-compressed");
      int length = Snappy.uncompressedLength(body);
      if (length < 0 || length > MAX_DECOMPRESSED) {
        throw PrometheusError.badData("the body decompresses to " + length + " bytes, more than " + MAX_DECOMPRESSED);
      }
      raw = Snappy.uncompress(body);
    } catch (IOException e) {
      throw PrometheusError.badData("the body is not valid snappy: " + e.getMessage());
    }
    try {
      return writeRequest(CodedInputStream.newInstance(raw));
    } catch (IOException | IllegalArgumentException e) {
      throw PrometheusError.badData("the body is not a valid WriteRequest: " + e.getMessage());
    }
  }

  /** A field's tag: its number and wire type (protobuf's own helper is not public). */
  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  private static List<TimeSeries> writeRequest(CodedInputStream in) throws IOException {
    List<TimeSeries> out = new ArrayList<>();
    long items = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        int limit = in.pushLimit(in.readRawVarint32());
        TimeSeries ts = timeSeries(in, MAX_ITEMS - items);
        items += 1 + ts.values().length;
        if (items > MAX_ITEMS) throw tooLarge();
        out.add(ts);
        in.popLimit(limit);
      } else if (!in.skipField(tag)) {
        break;
      }
    }
    return out;
  }

  private static PrometheusError tooLarge() {
    return new PrometheusError("bad_data", 413,
        "the body holds more than " + MAX_ITEMS + " series and samples: send smaller batches");
  }

  /** @param room series and samples still allowed in this body */
  private static TimeSeries timeSeries(CodedInputStream in, long room) throws IOException {
    Map<String, String> labels = new TreeMap<>();
    long[] ts = new long[4];
    double[] vs = new double[4];
    int n = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        int limit = in.pushLimit(in.readRawVarint32());
        String name = "";
        String value = "";
        for (int t; (t = in.readTag()) != 0; ) {
          if (t == tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
            name = in.readStringRequireUtf8();
          } else if (t == tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
            value = in.readStringRequireUtf8();
          } else if (!in.skipField(t)) {
            break;
          }
        }
        in.popLimit(limit);
        labels.put(name, value);
      } else if (field == 2 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        int limit = in.pushLimit(in.readRawVarint32());
        double value = 0;
        long timestamp = 0;
        for (int t; (t = in.readTag()) != 0; ) {
          if (t == tag(1, WireFormat.WIRETYPE_FIXED64)) {
            value = in.readDouble();
          } else if (t == tag(2, WireFormat.WIRETYPE_VARINT)) {
            timestamp = in.readInt64();
          } else if (!in.skipField(t)) {
            break;
          }
        }
        in.popLimit(limit);
        if (n >= room) throw tooLarge();
        if (n == ts.length) {
          ts = java.util.Arrays.copyOf(ts, n * 2);
          vs = java.util.Arrays.copyOf(vs, n * 2);
        }
        ts[n] = timestamp;
        vs[n++] = value;
      } else if (!in.skipField(tag)) {
        break;
      }
    }
    return new TimeSeries(labels, java.util.Arrays.copyOf(ts, n), java.util.Arrays.copyOf(vs, n));
  }
}
