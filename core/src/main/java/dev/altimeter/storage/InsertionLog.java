package dev.altimeter.storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The contents of an in-memory store: values in insertion order, each numbered, deduplicated by a
 * key, at most {@code capacity} of them. Past the capacity the first inserted are dropped (and their
 * keys forgotten) and counted. Thread-safe: one lock, held only to append or to copy.
 */
final class InsertionLog<T> {
  /** A value with its insertion number: "first stored" and tie rules are decided by it. */
  record Entry<T>(long seq, T value) {}

  private final int capacity;
  private final Function<T, Object> key;
  private final Object lock = new Object();
  private final ArrayDeque<Entry<T>> entries = new ArrayDeque<>();
  private final Set<Object> keys = new HashSet<>();
  private long nextSeq;
  private long dropped;

  /** @throws IllegalArgumentException when {@code capacity} is not positive, naming {@code what} */
  InsertionLog(int capacity, String what, Function<T, Object> key) {
    if (capacity < 1) throw new IllegalArgumentException(what + " must be at least 1, not " + capacity);
    this.capacity = capacity;
    this.key = key;
  }

  /**
   * Appends the values whose key is new (the first of a key in the batch wins), as {@code onStore}
   * makes them, then drops the first inserted beyond the capacity.
   *
   * @return how many were appended
   */
  int append(List<T> values, UnaryOperator<T> onStore) {
    int appended = 0;
    synchronized (lock) {
      for (T v : values) {
        if (!keys.add(key.apply(v))) continue;
        entries.addLast(new Entry<>(nextSeq++, onStore.apply(v)));
        appended++;
      }
      while (entries.size() > capacity) {
        keys.remove(key.apply(entries.removeFirst().value()));
        dropped++;
      }
    }
    return appended;
  }

  /** A copy of the entries, in insertion order. */
  List<Entry<T>> snapshot() {
    synchronized (lock) {
      return new ArrayList<>(entries);
    }
  }

  int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  long dropped() {
    synchronized (lock) {
      return dropped;
    }
  }

  /** Forgets every entry; the dropped count stays. */
  void clear() {
    synchronized (lock) {
      entries.clear();
      keys.clear();
    }
  }
}
