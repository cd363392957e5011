-- Rollup buckets and series are updated in place by every batch that has samples of them (the
-- write path, PostgresSampleStore.insertSamples). With full pages such an update cannot stay on its
-- page: it is not HOT, writes a new index entry, and the table and its indexes bloat (measured on
-- the bench's batches, 1,000 series each: 44 % of the 1-minute level's updates, 69 % of the hourly
-- level's and 62 % of series' were HOT; with this migration 100 %, see docs/benchmarks.md "Ingest
-- cost of rollups"). Half of each page is left free: a batch writes one new
-- version of each of its rows while the old one is still visible, the next batch's page pruning
-- frees the dead ones. The store creates new spans with the same fill factor
-- (RollupPartitions.FILL_FACTOR). Storage parameters cannot be set on a partitioned table, hence
-- per span; pages written before this migration stay as they are, new ones follow it.
ALTER TABLE series SET (fillfactor = 50);

DO $$
DECLARE
  span regclass;
BEGIN
  FOR span IN
    SELECT s.inhrelid::regclass
    FROM pg_inherits l
    JOIN pg_inherits s ON s.inhparent = l.inhrelid
    WHERE l.inhparent = 'rollup'::regclass
  LOOP
    EXECUTE format('ALTER TABLE %s SET (fillfactor = 50)', span);
  END LOOP;
END
$$;
