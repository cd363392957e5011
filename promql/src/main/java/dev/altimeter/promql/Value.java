package dev.altimeter.promql;

import java.util.List;

/** Values during evaluation at one timestamp; package-private, not thread-safe, mutable lists. */
sealed interface Value {

  record Scalar(double v) implements Value {
  }

  record Str(String s) implements Value {
  }

  /**
   * An instant vector. {@code t} of a sample is the timestamp of the stored sample it came from
   * when read by a vector selector (for timestamp()), the evaluation time otherwise.
   */
  record Vec(List<Sample> samples) implements Value {
  }

  record Sample(Labels labels, double v, long t) {
  }

  /** A range vector: per series, the samples ts[from..to) (arrays shared, not copied). */
  record Mat(List<Window> windows) implements Value {
  }

  record Window(Labels labels, long[] ts, double[] vs, int from, int to) {
    int size() {
      return to - from;
    }
  }
}
