package dev.altimeter.collector.polling.partition;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A consistent hash ring, as Ceilometer's own partitioner before tooz (spec: workload partitioning):
 * every member has {@value #REPLICAS} points at {@code md5("<member>-<r>")} (first 4 bytes, big
 * endian, unsigned); a key belongs to the first member clockwise of {@code md5(key)}. Removing a
 * member moves only that member's keys. Immutable; thread-safe.
 */
final class HashRing {
  static final int REPLICAS = 100;

  private final NavigableMap<Long, String> points;
  private final List<String> members;

  HashRing(Collection<String> members) {
    TreeMap<Long, String> p = new TreeMap<>();
    for (String m : new TreeSet<>(members)) {
      for (int r = 0; r < REPLICAS; r++) p.putIfAbsent(hash(m + "-" + r), m);
    }
    this.points = p;
    this.members = List.copyOf(new TreeSet<>(members));
  }

  /** The sorted members. */
  List<String> members() {
    return members;
  }

  /** The member owning {@code key}, or {@code null} when the ring is empty. */
  String owner(String key) {
    if (points.isEmpty()) return null;
    Map.Entry<Long, String> e = points.ceilingEntry(hash(key));
    return (e != null ? e : points.firstEntry()).getValue();
  }

  static long hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
      return ((d[0] & 0xFFL) << 24) | ((d[1] & 0xFFL) << 16) | ((d[2] & 0xFFL) << 8) | (d[3] & 0xFFL);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is always available", e);
    }
  }
}
