package dev.altimeter.promql;

import dev.altimeter.promql.Value.Window;
import java.util.Arrays;

/**
 * The functions over a range vector's window, ported from Prometheus 2.42 promql/functions.go
 * (Apache 2.0, the Prometheus Authors). Each returns NaN-boxed "no result" as {@code null}.
 * Windows are never empty here (the evaluator skips empty ones, as Prometheus does).
 */
final class RangeFunctions {

  private RangeFunctions() {
  }

  /**
   * rate, increase, delta: the difference between first and last sample (plus counter resets),
   * extrapolated to the window's boundaries when the samples come close to them.
   * rangeStart/rangeEnd in ms, the window's [t - offset - range, t - offset].
   */
  static Double extrapolatedRate(Window w, long rangeStart, long rangeEnd, long rangeMs, boolean isCounter,
      boolean isRate) {
    if (w.size() < 2) {
      return null;
    }
    long[] ts = w.ts();
    double[] vs = w.vs();
    int first = w.from();
    int last = w.to() - 1;
    double result = vs[last] - vs[first];
    if (isCounter) {
      double lastValue = 0;
      for (int k = first; k <= last; k++) {
        if (vs[k] < lastValue) {
          result += lastValue;
        }
        lastValue = vs[k];
      }
    }
    double durationToStart = (ts[first] - rangeStart) / 1000.0;
    double durationToEnd = (rangeEnd - ts[last]) / 1000.0;
    double sampledInterval = (ts[last] - ts[first]) / 1000.0;
    double averageDurationBetweenSamples = sampledInterval / (last - first);
    if (isCounter && result > 0 && vs[first] >= 0) {
      // a counter cannot go below zero: do not extrapolate further back than where it would be 0
      double durationToZero = sampledInterval * (vs[first] / result);
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    double extrapolationThreshold = averageDurationBetweenSamples * 1.1;
    double extrapolateToInterval = sampledInterval;
    extrapolateToInterval += durationToStart < extrapolationThreshold ? durationToStart
        : averageDurationBetweenSamples / 2;
    extrapolateToInterval += durationToEnd < extrapolationThreshold ? durationToEnd
        : averageDurationBetweenSamples / 2;
    result = result * (extrapolateToInterval / sampledInterval);
    if (isRate) {
      result = result / (rangeMs / 1000.0);
    }
    return result;
  }

  /** irate, idelta: from the last two samples. */
  static Double instantValue(Window w, boolean isRate) {
    if (w.size() < 2) {
      return null;
    }
    int last = w.to() - 1;
    double lastV = w.vs()[last];
    double prevV = w.vs()[last - 1];
    double result = isRate && lastV < prevV ? lastV : lastV - prevV;
    long interval = w.ts()[last] - w.ts()[last - 1];
    if (interval == 0) {
      return null;
    }
    if (isRate) {
      result /= interval / 1000.0;
    }
    return result;
  }

  /** deriv: the slope of the least-squares line, per second. */
  static Double deriv(Window w) {
    if (w.size() < 2) {
      return null;
    }
    return linearRegression(w, w.ts()[w.from()])[0];
  }

  /** predict_linear: the regression line (intercept at the evaluation time t) at t + seconds. */
  static Double predictLinear(Window w, long t, double seconds) {
    if (w.size() < 2) {
      return null;
    }
    double[] line = linearRegression(w, t);
    return line[0] * seconds + line[1];
  }

  /** {slope per second, intercept at interceptTime}, as Prometheus' linearRegression. */
  private static double[] linearRegression(Window w, long interceptTime) {
    double n = 0;
    double[] sumX = new double[2];
    double[] sumY = new double[2];
    double[] sumXY = new double[2];
    double[] sumX2 = new double[2];
    double initY = w.vs()[w.from()];
    boolean constY = true;
    for (int k = w.from(); k < w.to(); k++) {
      double v = w.vs()[k];
      if (constY && k > w.from() && v != initY) {
        constY = false;
      }
      n += 1.0;
      double x = (w.ts()[k] - interceptTime) / 1e3;
      kahanInc(x, sumX);
      kahanInc(v, sumY);
      kahanInc(x * v, sumXY);
      kahanInc(x * x, sumX2);
    }
    if (constY) {
      return Double.isInfinite(initY) ? new double[] {Double.NaN, Double.NaN} : new double[] {0, initY};
    }
    double sx = sumX[0] + sumX[1];
    double sy = sumY[0] + sumY[1];
    double sxy = sumXY[0] + sumXY[1];
    double sx2 = sumX2[0] + sumX2[1];
    double covXY = sxy - sx * sy / n;
    double varX = sx2 - sx * sx / n;
    double slope = covXY / varX;
    return new double[] {slope, sy / n - slope * sx / n};
  }

  /** Kahan-Neumaier summation step: acc[0] the sum, acc[1] the compensation. */
  static void kahanInc(double inc, double[] acc) {
    double sum = acc[0];
    double t = sum + inc;
    if (Math.abs(sum) >= Math.abs(inc)) {
      acc[1] += (sum - t) + inc;
    } else {
      acc[1] += (inc - t) + sum;
    }
    acc[0] = t;
  }

  static double resets(Window w) {
    int resets = 0;
    double prev = w.vs()[w.from()];
    for (int k = w.from() + 1; k < w.to(); k++) {
      double cur = w.vs()[k];
      if (cur < prev) {
        resets++;
      }
      prev = cur;
    }
    return resets;
  }

  static double changes(Window w) {
    int changes = 0;
    double prev = w.vs()[w.from()];
    for (int k = w.from() + 1; k < w.to(); k++) {
      double cur = w.vs()[k];
      if (cur != prev && !(Double.isNaN(cur) && Double.isNaN(prev))) {
        changes++;
      }
      prev = cur;
    }
    return changes;
  }

  static double avgOverTime(Window w) {
    double mean = 0;
    double count = 0;
    for (int k = w.from(); k < w.to(); k++) {
      double v = w.vs()[k];
      count++;
      if (Double.isInfinite(mean)) {
        if (Double.isInfinite(v) && (mean > 0) == (v > 0)) {
          continue;
        }
        if (!Double.isInfinite(v) && !Double.isNaN(v)) {
          continue;
        }
      }
      mean += v / count - mean / count;
    }
    return mean;
  }

  static double minOverTime(Window w) {
    double min = w.vs()[w.from()];
    for (int k = w.from(); k < w.to(); k++) {
      double v = w.vs()[k];
      if (v < min || Double.isNaN(min)) {
        min = v;
      }
    }
    return min;
  }

  static double maxOverTime(Window w) {
    double max = w.vs()[w.from()];
    for (int k = w.from(); k < w.to(); k++) {
      double v = w.vs()[k];
      if (v > max || Double.isNaN(max)) {
        max = v;
      }
    }
    return max;
  }

  static double sumOverTime(Window w) {
    double sum = 0;
    for (int k = w.from(); k < w.to(); k++) {
      sum += w.vs()[k];
    }
    return sum;
  }

  static double stdvarOverTime(Window w) {
    double count = 0;
    double[] mean = new double[2];
    double[] aux = new double[2];
    for (int k = w.from(); k < w.to(); k++) {
      double v = w.vs()[k];
      count++;
      double delta = v - (mean[0] + mean[1]);
      kahanInc(delta / count, mean);
      kahanInc(delta * (v - (mean[0] + mean[1])), aux);
    }
    return (aux[0] + aux[1]) / count;
  }

  static double quantileOverTime(double q, Window w) {
    return quantile(q, Arrays.copyOfRange(w.vs(), w.from(), w.to()));
  }

  /**
   * Prometheus' quantile: linear interpolation between the closest ranks, NaN sorted first,
   * -Inf for q &lt; 0, +Inf for q &gt; 1, NaN for no values. Sorts {@code values} in place.
   */
  static double quantile(double q, double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    Double[] boxed = new Double[values.length];
    for (int k = 0; k < values.length; k++) {
      boxed[k] = values[k];
    }
    Arrays.sort(boxed, (a, b) -> Double.isNaN(a) ? (Double.isNaN(b) ? 0 : -1) : Double.isNaN(b) ? 1 : Double.compare(a, b));
    double n = values.length;
    double rank = q * (n - 1);
    double lowerIndex = Math.max(0, Math.floor(rank));
    double upperIndex = Math.min(n - 1, lowerIndex + 1);
    double weight = rank - Math.floor(rank);
    return boxed[(int) lowerIndex] * (1 - weight) + boxed[(int) upperIndex] * weight;
  }
}
