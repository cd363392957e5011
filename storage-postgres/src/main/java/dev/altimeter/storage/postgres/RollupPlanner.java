package dev.altimeter.storage.postgres;

import dev.altimeter.storage.Statistics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which rows answer a statistics query exactly: rollup buckets where a whole bucket lies inside the
 * query's time range and inside one period window, raw samples for what is left at the edges.
 * Pure logic; the SQL is {@link RollupStatistics}'s.
 *
 * <p>A bucket [b, b + g) can stand for its samples only when every one of them is in or out of the
 * range together and falls into the same window: so the range's bounds are cut at bucket edges (the
 * parts outside whole buckets go to the next finer granularity, and finally to the raw rows), and a
 * granularity serves a period only when the period is a multiple of it and the windows' origin lies
 * on its bucket edge. Anything else the rollups cannot answer exactly is left to the raw rows.
 *
 * <p>Retention: where retention removed the raw samples (before the raw horizon) nothing is exact
 * any more; there the finest level still kept answers at its granularity: a bucket counts for the
 * range, and for the period window, that holds the bucket's start. The bucket that straddles a
 * horizon is read whole from the level, and the finer sources begin at its end, so no sample is
 * counted twice. Where no level is kept either, there is nothing to read.
 */
final class RollupPlanner {
  private static final long MICROS = 1_000_000L;

  /**
   * Part of a query's range, {@code [from, to)} in epoch microseconds ({@code null}: unbounded), read
   * from the rollups of {@code granularity} seconds, or from the raw samples when it is 0.
   */
  record Piece(long granularity, Long from, Long to) {
    /** All of every series, from its totals (SeriesTotals): exact with no bounds, no period, nothing expired. */
    static final Piece WHOLE_SERIES = new Piece(-1, null, null);

    boolean raw() {
      return granularity == 0;
    }

    boolean wholeSeries() {
      return granularity == -1;
    }
  }

  private final List<Long> coarsestFirst;

  /** @param granularities the rollups the database holds, in seconds */
  RollupPlanner(List<Long> granularities) {
    List<Long> g = new ArrayList<>(granularities);
    g.sort(Comparator.reverseOrder());
    this.coarsestFirst = List.copyOf(g);
  }

  /**
   * Whether rollups can serve the query at all: they keep neither metadata nor message ids, group
   * only by the owner's fields (not {@code resource_metadata.*}, and {@code source} is refused by
   * the raw path), and bounds finer than PostgreSQL's microseconds are left to its own rounding.
   */
  static boolean eligible(Statistics.Query q) {
    var f = q.filter();
    if (!f.metadata().isEmpty() || f.messageId() != null) return false;
    for (Statistics.GroupBy g : q.groupBy()) {
      if (g != Statistics.GroupBy.RESOURCE_ID && g != Statistics.GroupBy.USER_ID && g != Statistics.GroupBy.PROJECT_ID) {
        return false;
      }
    }
    return wholeMicros(f.start()) && wholeMicros(f.end());
  }

  /**
   * Whether the query's rollup pieces may read the meter's all-owners rows (one row per bucket and
   * shard, not one per series): nothing in it tells the owners apart, so neither an owner or
   * metadata condition, nor a groupby or a cardinality (all of them on the owner's fields).
   */
  static boolean allOwners(Statistics.Query q) {
    var f = q.filter();
    return f.userId() == null && f.projectId() == null && f.resourceId() == null && f.source() == null
        && f.metadata().isEmpty() && q.groupBy().isEmpty()
        && q.aggregates().stream().noneMatch(a -> a.function() == Statistics.Function.CARDINALITY);
  }

  private static boolean wholeMicros(Instant t) {
    return t == null || t.getNano() % 1_000 == 0;
  }

  /**
   * The pieces covering {@code [from, to)}, coarsest rollups in the middle. With a period (seconds,
   * 0 for none), only granularities whose buckets never straddle a window of {@code origin} + k *
   * period (epoch microseconds) are used.
   */
  List<Piece> cover(Long from, Long to, long period, long origin) {
    return cover(from, to, period, origin, Map.of());
  }

  /**
   * As {@link #cover(Long, Long, long, long)}, with what retention removed: {@code horizons} maps a
   * source (0 the raw samples, else a granularity) to the epoch microsecond before which it holds
   * nothing; a source not in it is complete.
   */
  List<Piece> cover(Long from, Long to, long period, long origin, Map<Long, Long> horizons) {
    List<Long> usable = new ArrayList<>();
    for (long g : coarsestFirst) {
      if (period == 0 || (period % g == 0 && Math.floorMod(origin, g * MICROS) == 0)) usable.add(g);
    }
    // the segments between horizons, in each of which the same sources are complete
    TreeSet<Long> cuts = new TreeSet<>();
    for (long h : horizons.values()) {
      if ((from == null || h > from) && (to == null || h < to)) cuts.add(h);
    }
    List<Long> ends = new ArrayList<>(cuts);
    ends.add(to);
    List<Piece> out = new ArrayList<>();
    Long cursor = from;
    for (Long end : ends) {
      if (cursor != null && end != null && cursor >= end) continue; // read by a bucket that straddled it
      if (kept(horizons, 0, cursor)) {
        Long at = cursor;
        List<Long> levels = usable.stream().filter(g -> kept(horizons, g, at)).toList();
        cover(cursor, end, levels, 0, out);
        cursor = end;
        continue;
      }
      Long finest = null;
      for (long g : coarsestFirst) {
        if (kept(horizons, g, cursor)) finest = g;
      }
      if (finest == null) { // nothing kept here
        cursor = end;
        continue;
      }
      long g = finest * MICROS;
      // buckets starting in [cursor, stop): past a horizon, up to the end of the bucket across it
      Long stop = end == null || end.equals(to) ? end : Math.floorDiv(end + g - 1, g) * g;
      out.add(new Piece(finest, cursor, stop));
      cursor = stop;
    }
    return out;
  }

  /** Whether source {@code g} (0: raw) holds everything from {@code at} (null: the beginning of time). */
  private static boolean kept(Map<Long, Long> horizons, long g, Long at) {
    Long h = horizons.get(g);
    return h == null || (at != null && at >= h);
  }

  private static void cover(Long from, Long to, List<Long> usable, int level, List<Piece> out) {
    if (from != null && to != null && from >= to) return;
    if (level == usable.size()) {
      out.add(new Piece(0, from, to));
      return;
    }
    long g = usable.get(level) * MICROS;
    Long a = from == null ? null : Math.floorDiv(from + g - 1, g) * g; // first bucket edge >= from
    Long b = to == null ? null : Math.floorDiv(to, g) * g; // last bucket edge <= to
    if (a != null && b != null && a >= b) {
      cover(from, to, usable, level + 1, out); // no whole bucket inside
      return;
    }
    if (from != null) cover(from, a, usable, level + 1, out);
    out.add(new Piece(usable.get(level), a, b));
    if (to != null) cover(b, to, usable, level + 1, out);
  }

  /** Whether any piece reads rollups (otherwise the plain raw computation is used). */
  static boolean usesRollups(List<Piece> pieces) {
    return pieces.stream().anyMatch(p -> !p.raw());
  }
}
