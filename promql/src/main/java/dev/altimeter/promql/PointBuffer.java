package dev.altimeter.promql;

import java.util.Arrays;

/** A growing series of (timestamp, value) points in ascending time; not thread-safe. */
final class PointBuffer {

  private long[] ts = new long[16];
  private double[] vs = new double[16];
  private int n;

  void add(long t, double v) {
    if (n == ts.length) {
      ts = Arrays.copyOf(ts, n * 2);
      vs = Arrays.copyOf(vs, n * 2);
    }
    ts[n] = t;
    vs[n++] = v;
  }

  long[] timestamps() {
    return Arrays.copyOf(ts, n);
  }

  double[] values() {
    return Arrays.copyOf(vs, n);
  }
}
