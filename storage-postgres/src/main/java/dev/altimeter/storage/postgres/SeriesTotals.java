package dev.altimeter.storage.postgres;

/**
 * The aggregates of all of a series' samples, kept in its {@code series} row (migration V12) by the
 * upsert every batch already makes of it: statistics with no period and no time bounds read one row
 * per series instead of every bucket of the coarsest rollup ({@link RollupStatistics}).
 *
 * <p>Contract: while no raw sample was ever expired (no {@code retention_horizon} row for the raw
 * samples, granularity 0), a series'
 * count, sum, min, max and m2 are those of the samples stored in it, as its rollup buckets' are of
 * theirs (only rows actually inserted are folded in: a redelivered sample counts once).
 */
final class SeriesTotals {
  private SeriesTotals() {}

  /**
   * The series upsert's {@code SET} items merging the batch's aggregates ({@code excluded}) into the
   * stored ones (Chan's formula for m2, as {@link PostgresRollups#upsert}). A stored count of 0 (a
   * series whose samples retention dropped before V12) takes the batch's m2 as is.
   */
  static final String MERGE = """
      m2 = CASE WHEN series.count = 0 THEN excluded.m2
                ELSE series.m2 + excluded.m2 + (excluded.sum / excluded.count - series.sum / series.count) ^ 2
                     * series.count::float8 * excluded.count / (series.count + excluded.count) END,
      count = series.count + excluded.count,
      sum = series.sum + excluded.sum,
      min = least(series.min, excluded.min),
      max = greatest(series.max, excluded.max)""";

  /** A partial of {@link RollupStatistics}' union per series: the whole series as one bucket. */
  static final String PARTIALS = "SELECT x.meter_id, x.resource_pk, x.first_timestamp AS t, x.count AS n,"
      + " x.sum AS s, x.min AS mn, x.max AS mx, x.m2, x.first_timestamp AS tsmin, x.last_timestamp AS tsmax,"
      + " x.first_seq FROM series x WHERE true";
}
