package dev.altimeter.promql;

import java.util.Arrays;
import java.util.Objects;

/**
 * One series as a SeriesSource returns it: its labels (with {@code __name__}) and its samples,
 * timestamps in milliseconds since the epoch, strictly ascending, {@code values[i]} at
 * {@code timestamps[i]}. The arrays are not copied; neither side may modify them afterwards.
 */
public record Series(Labels labels, long[] timestamps, double[] values) {

  public Series {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(timestamps, "timestamps");
    Objects.requireNonNull(values, "values");
    if (timestamps.length != values.length) {
      throw new IllegalArgumentException("timestamps and values differ in length: "
          + timestamps.length + " != " + values.length);
    }
  }

  public int size() {
    return timestamps.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Series s && labels.equals(s.labels) && Arrays.equals(timestamps, s.timestamps)
        && Arrays.equals(values, s.values);
  }

  @Override
  public int hashCode() {
    return labels.hashCode();
  }

  @Override
  public String toString() {
    return labels + " " + timestamps.length + " samples";
  }
}
