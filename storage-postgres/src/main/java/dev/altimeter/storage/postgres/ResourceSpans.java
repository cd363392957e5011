package dev.altimeter.storage.postgres;

/**
 * The {@code resource_span} table (migration V11): per resource owner, the first-stored position of
 * its series, so that the resources listing walks about {@code limit} rows in first-stored order
 * instead of every series of the resources it passes.
 *
 * <p>Contract: after every committed batch, an owner's span holds the smallest {@code first_seq} of
 * its series. The batch's insert keeps it ({@link #UPSERT}): a series' {@code first_seq} only ever
 * becomes one of the seqs of the batch that wrote it (a new series, or an earlier sample arriving
 * late), so only series rows whose {@code first_seq} is at least the batch's smallest seq can lower
 * a span; in the steady state (batches extending existing series) none does, and the step writes
 * nothing. Raw retention, which deletes series, folds the spans again ({@link #DROP_EMPTY}, {@link
 * #REFOLD}).
 */
final class ResourceSpans {
  private ResourceSpans() {}

  /**
   * The insert statement's CTE body: the series rows the CTE {@code folded} returned ({@code
   * resource_pk, first_seq}, as stored after the upsert) that started in this batch (the CTE {@code
   * ins}: its inserted samples, with their {@code seq}), folded into their owners' spans. Rows in
   * key order, as every upsert of the write path (concurrent batches lock in the same order).
   */
  static final String UPSERT = """
      INSERT INTO resource_span (resource_pk, first_seq)
      SELECT resource_pk, min(first_seq) FROM folded
      WHERE first_seq >= (SELECT min(seq) FROM ins)
      GROUP BY resource_pk ORDER BY resource_pk
      ON CONFLICT (resource_pk) DO UPDATE SET first_seq = least(resource_span.first_seq, excluded.first_seq)""";

  /**
   * After raw retention deleted series: drops the spans of owners with no series left. Two
   * statements with {@link #REFOLD}: a data-modifying CTE would still see the deleted series.
   */
  static final String DROP_EMPTY = "DELETE FROM resource_span sp"
      + " WHERE NOT EXISTS (SELECT 1 FROM series se WHERE se.resource_pk = sp.resource_pk)";

  /** After {@link #DROP_EMPTY}: every span the smallest {@code first_seq} of the series left. */
  static final String REFOLD = """
      UPDATE resource_span sp SET first_seq = f.first_seq
      FROM (SELECT resource_pk, min(first_seq) AS first_seq FROM series GROUP BY resource_pk) f
      WHERE f.resource_pk = sp.resource_pk AND f.first_seq <> sp.first_seq""";
}
