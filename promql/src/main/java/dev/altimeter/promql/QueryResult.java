package dev.altimeter.promql;

import java.util.List;

/**
 * The value of a query, one of Prometheus' four result types. Timestamps in milliseconds since the
 * epoch. Vector and Matrix elements are sorted by labels (Prometheus sorts matrices; vectors keep
 * evaluation order there, but its API promises no order, and sorting makes responses
 * deterministic). That is why {@code sort()} and {@code sort_desc()} are not supported.
 */
public sealed interface QueryResult {

  /** {@code scalar|string|vector|matrix}, the API's {@code resultType}. */
  String resultType();

  record Scalar(long t, double v) implements QueryResult {
    @Override
    public String resultType() {
      return "scalar";
    }
  }

  record StringResult(long t, String v) implements QueryResult {
    @Override
    public String resultType() {
      return "string";
    }
  }

  record Vector(List<Sample> samples) implements QueryResult {
    public Vector {
      samples = List.copyOf(samples);
    }

    @Override
    public String resultType() {
      return "vector";
    }
  }

  record Matrix(List<Range> series) implements QueryResult {
    public Matrix {
      series = List.copyOf(series);
    }

    @Override
    public String resultType() {
      return "matrix";
    }
  }

  /** One element of an instant vector. */
  record Sample(Labels labels, long t, double v) {
  }

  /** One series of a range result; ts ascending; arrays not to be modified. */
  record Range(Labels labels, long[] ts, double[] vs) {
  }
}
