package dev.altimeter.collector.pipeline.transform;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-key transformer state with a capacity: a map in access order that evicts its least recently
 * used entry when an insertion would exceed {@code capacity}, counting evictions. Not thread-safe
 * (see {@link Transformer}).
 */
final class BoundedState<K, V> extends LinkedHashMap<K, V> {
  private final int capacity;
  private long evictions;

  BoundedState(int capacity) {
    super(16, 0.75f, true);
    if (capacity < 1) throw new IllegalArgumentException("capacity must be > 0: " + capacity);
    this.capacity = capacity;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    if (size() > capacity) {
      evictions++;
      return true;
    }
    return false;
  }

  boolean isFull() {
    return size() >= capacity;
  }

  long evictions() {
    return evictions;
  }
}
