-- Retention per archive-policy level (issue 13 item 3): rollups are partitioned like the samples, so a
-- level's expired buckets go as whole tables, never row by row.
--
-- rollup is partitioned by LIST (granularity), each level by RANGE (bucket) in spans of whole days
-- (storage's RollupPartitions: about 720 buckets, a multiple of the granularity and of a day: 1 day for
-- 1-minute buckets, 30 days for hourly ones). The partitions are created by the store: the level's
-- at start (PostgresRollups.apply), a span's on demand by the writer, as for sample's days. The V7
-- table is kept as rollup_v7 until the store's first start moves its rows into the partitions and
-- drops it (PostgresRollups.apply; one transaction).
ALTER TABLE rollup RENAME TO rollup_v7;
ALTER INDEX rollup_pkey RENAME TO rollup_v7_pkey;

CREATE TABLE rollup (
  granularity     integer          NOT NULL,
  meter_id        integer          NOT NULL,
  resource_pk     bigint           NOT NULL,
  bucket          timestamptz      NOT NULL,
  count           bigint           NOT NULL,
  sum             double precision NOT NULL,
  min             double precision NOT NULL,
  max             double precision NOT NULL,
  m2              double precision NOT NULL,
  first_timestamp timestamptz      NOT NULL,
  last_timestamp  timestamptz      NOT NULL,
  first_seq       bigint           NOT NULL,
  PRIMARY KEY (granularity, meter_id, resource_pk, bucket)
) PARTITION BY LIST (granularity);

-- What retention removed: everything of a level (granularity seconds; 0 is the raw samples) before
-- its horizon is gone. Written by the expirer in the transaction that drops the partitions; read by
-- the statistics planner, which answers ranges before the raw horizon from the rollups that remain.
CREATE TABLE retention_horizon (
  granularity integer     PRIMARY KEY CHECK (granularity >= 0),
  horizon     timestamptz NOT NULL
);
