-- Rollups: per series (meter x resource owner) and bucket of each granularity of the archive policy,
-- the aggregates of the samples stored in it. Maintained by the sample insert itself (same statement,
-- same transaction, only rows actually inserted), so statistics can read buckets instead of samples.
-- See storage's ArchivePolicy and PostgresRollups.

-- The granularities the rollups hold (seconds). The writer rolls up into every one listed here; the
-- store reconciles the list with its archive policy at start (backfilling a new one from the samples).
CREATE TABLE rollup_granularity (
  seconds integer PRIMARY KEY CHECK (seconds > 0)
);

-- bucket: its start, a multiple of the granularity since the Unix epoch.
-- m2: the sum of squared deviations from the bucket's mean (not the plain sum of squares, whose
--     difference with sum^2/count cancels catastrophically); merged with Chan's formula.
-- first_seq: the smallest seq of the bucket's samples (statistics rows come in first-stored order).
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
);

-- The default policy (ArchivePolicy.DEFAULT: 1 minute and 1 hour), computed from the samples already
-- stored; a store started with another policy reconciles the list at start.
INSERT INTO rollup_granularity VALUES (60), (3600);
INSERT INTO rollup (granularity, meter_id, resource_pk, bucket, count, sum, min, max, m2,
                    first_timestamp, last_timestamp, first_seq)
SELECT g.seconds, x.meter_id, x.resource_pk,
       date_bin(make_interval(secs => g.seconds), x.timestamp, timestamptz 'epoch'),
       count(*), sum(x.volume), min(x.volume), max(x.volume), var_pop(x.volume) * count(*),
       min(x.timestamp), max(x.timestamp), min(x.seq)
FROM sample x CROSS JOIN rollup_granularity g
GROUP BY 1, 2, 3, 4;
