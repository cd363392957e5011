package dev.altimeter.promql;

import dev.altimeter.promql.Value.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * topk/bottomk's selection exactly as Prometheus 2.42 makes it: Go's container/heap (same sift-up
 * and sift-down) over vectorByValueHeap / vectorByReverseValueHeap, pop-then-push when full. Which
 * of several equal values survive depends on the heap's shape, so only the same algorithm picks
 * the same series among ties. Not thread-safe.
 */
final class SelectionHeap {

  private final List<Sample> h = new ArrayList<>();
  private final long k;
  private final boolean top;

  SelectionHeap(long k, boolean top) {
    this.k = k;
    this.top = top;
  }

  /** Offers the next sample of the group, in input order. */
  void offer(Sample s) {
    if (h.size() < k || (top ? h.get(0).v() < s.v() : h.get(0).v() > s.v()) || Double.isNaN(h.get(0).v())) {
      if (h.size() == k) {
        pop();
      }
      h.add(s);
      up(h.size() - 1);
    }
  }

  /** The retained samples, in heap order (callers sort as they need). */
  List<Sample> samples() {
    return h;
  }

  private boolean less(int i, int j) {
    double a = h.get(i).v();
    if (Double.isNaN(a)) {
      return true;
    }
    return top ? a < h.get(j).v() : a > h.get(j).v();
  }

  private void swap(int i, int j) {
    Sample t = h.get(i);
    h.set(i, h.get(j));
    h.set(j, t);
  }

  private void pop() {
    int n = h.size() - 1;
    swap(0, n);
    down(0, n);
    h.remove(n);
  }

  private void up(int j) {
    while (true) {
      int i = (j - 1) / 2; // Go's integer division truncates: j = 0 gives i = 0
      if (i == j || !less(j, i)) {
        return;
      }
      swap(i, j);
      j = i;
    }
  }

  private void down(int i0, int n) {
    int i = i0;
    while (true) {
      int j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) {
        return;
      }
      int j = j1;
      int j2 = j1 + 1;
      if (j2 < n && less(j2, j1)) {
        j = j2;
      }
      if (!less(j, i)) {
        return;
      }
      swap(i, j);
      i = j;
    }
  }
}
