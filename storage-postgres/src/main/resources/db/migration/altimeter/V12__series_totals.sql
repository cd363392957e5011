-- Per series, the aggregates of all its samples (count, sum, min, max, and m2: the sum of squared
-- deviations from the mean, merged with Chan's formula as the rollups'), kept by the sample insert
-- in the series upsert it already makes for every batch. Statistics with no period and no time
-- bounds read one row per series instead of every hourly bucket (storage's RollupStatistics), as
-- long as no raw sample was ever expired (no retention_horizon row of granularity 0): raw retention drops samples
-- that a series spanning the cutoff still counts.
ALTER TABLE series ADD COLUMN count bigint, ADD COLUMN sum double precision, ADD COLUMN min double precision,
  ADD COLUMN max double precision, ADD COLUMN m2 double precision;

UPDATE series se SET count = a.count, sum = a.sum, min = a.min, max = a.max, m2 = a.m2
FROM (SELECT meter_id, resource_pk, count(*) AS count, sum(volume) AS sum, min(volume) AS min,
             max(volume) AS max, var_pop(volume) * count(*) AS m2
      FROM sample GROUP BY meter_id, resource_pk) a
WHERE a.meter_id = se.meter_id AND a.resource_pk = se.resource_pk;

-- a series none of whose samples is left (only after raw retention, when the totals are not read):
-- it counts from nothing; min and max stay unknown (NULL) until its next sample
UPDATE series SET count = 0, sum = 0, m2 = 0 WHERE count IS NULL;
ALTER TABLE series ALTER COLUMN count SET NOT NULL, ALTER COLUMN sum SET NOT NULL, ALTER COLUMN m2 SET NOT NULL;
