-- Rollup rows of all the owners of a meter: resource_pk = -1 - s is shard s (0..7) of the bucket of
-- every series of the meter together (storage's PostgresRollups.upsert keeps them from now on, in the
-- statement that keeps the series' rows). Statistics of a meter with no owner condition, groupby or
-- cardinality read one row per bucket and shard instead of one per series. Here they are merged from
-- the series' rows already stored, into shard 0, with Chan's merge of the squared deviations around
-- the bucket's mean: m2 = sum(m2_i + n_i * (mean_i - mean)^2). The same statement as
-- PostgresRollups.allOwnersFrom("rollup"), which also serves the rollups a V7 database still holds.
INSERT INTO rollup (granularity, meter_id, resource_pk, bucket, count, sum, min, max, m2,
                    first_timestamp, last_timestamp, first_seq)
SELECT granularity, meter_id, -1, bucket, sum(count), sum(sum), min(min), max(max),
       sum(m2 + count * (sum / count - mean) ^ 2),
       min(first_timestamp), max(last_timestamp), min(first_seq)
FROM (SELECT x.*, sum(x.sum) OVER b / sum(x.count) OVER b AS mean FROM rollup x
      WHERE x.resource_pk >= 0 WINDOW b AS (PARTITION BY x.granularity, x.meter_id, x.bucket)) x
GROUP BY granularity, meter_id, bucket ORDER BY 1, 2, 4;
