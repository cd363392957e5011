package dev.altimeter.storage.postgres;

import dev.altimeter.storage.Statistics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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
 */
final class RollupPlanner {
  private static final long MICROS = 1_000_000L;

  /**
   * Part of a query's range, {@code [from, to)} in epoch microseconds ({@code null}: unbounded), read
   * from the rollups of {@code granularity} seconds, or from the raw samples when it is 0.
   */
  record Piece(long granularity, Long from, Long to) {
    boolean raw() {
      return granularity == 0;
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

  private static boolean wholeMicros(Instant t) {
    return t == null || t.getNano() % 1_000 == 0;
  }

  /**
   * The pieces covering {@code [from, to)}, coarsest rollups in the middle. With a period (seconds,
   * 0 for none), only granularities whose buckets never straddle a window of {@code origin} + k *
   * period (epoch microseconds) are used.
   */
  List<Piece> cover(Long from, Long to, long period, long origin) {
    List<Long> usable = new ArrayList<>();
    for (long g : coarsestFirst) {
      if (period == 0 || (period % g == 0 && Math.floorMod(origin, g * MICROS) == 0)) usable.add(g);
    }
    List<Piece> out = new ArrayList<>();
    cover(from, to, usable, 0, out);
    return out;
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
