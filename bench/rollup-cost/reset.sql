TRUNCATE sample, series, rollup; ALTER SEQUENCE batchno RESTART; ALTER SEQUENCE sample_seq RESTART; VACUUM ANALYZE sample, series, rollup_60_20261130, rollup_3600_20261105;
