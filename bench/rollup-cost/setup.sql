DROP TABLE IF EXISTS rollup_v7;
INSERT INTO meter (name, type, unit) VALUES ('bench.ingest','gauge','B');
INSERT INTO resource (resource_id, user_id, project_id, source) SELECT 'res-'||i, 'u', 'p', 'openstack' FROM generate_series(0,999) i;
INSERT INTO resource_metadata (hash, doc) SELECT gen_random_uuid(), jsonb_build_object('host','h-'||i) FROM generate_series(0,19) i;
CREATE TABLE sample_20261130 PARTITION OF sample FOR VALUES FROM ('2026-11-30 00:00:00+00') TO ('2026-12-01 00:00:00+00');
CREATE TABLE rollup_60 PARTITION OF rollup FOR VALUES IN (60) PARTITION BY RANGE (bucket);
CREATE TABLE rollup_3600 PARTITION OF rollup FOR VALUES IN (3600) PARTITION BY RANGE (bucket);
CREATE TABLE rollup_60_20261130 PARTITION OF rollup_60 FOR VALUES FROM ('2026-11-30 00:00:00+00') TO ('2026-12-01 00:00:00+00');
CREATE TABLE rollup_3600_20261105 PARTITION OF rollup_3600 FOR VALUES FROM (to_timestamp(1793664000)) TO (to_timestamp(1793664000+2592000));
CREATE SEQUENCE batchno;
-- the bench's batches: sample k (0-based, 1,000 per batch) is 1 ms after k-1, of resource k % 1000,
-- metadata k % 20, volume k % 1000 (IngestBenchmark.body)
CREATE FUNCTION a_ids(b bigint) RETURNS uuid[] LANGUAGE sql AS $$ SELECT array_agg(gen_random_uuid()) FROM generate_series(0, 999) i $$;
CREATE FUNCTION a_ts(b bigint) RETURNS bigint[] LANGUAGE sql AS $$ SELECT array_agg(1796032800000000 + (b * 1000 + i) * 1000 ORDER BY i) FROM generate_series(0, 999) i $$;
CREATE FUNCTION a_meters(b bigint) RETURNS int[] LANGUAGE sql AS $$ SELECT array_agg(1) FROM generate_series(0, 999) i $$;
CREATE FUNCTION a_owners(b bigint) RETURNS bigint[] LANGUAGE sql AS $$ SELECT array_agg((b * 1000 + i) % 1000 + 1 ORDER BY i) FROM generate_series(0, 999) i $$;
CREATE FUNCTION a_meta(b bigint) RETURNS bigint[] LANGUAGE sql AS $$ SELECT array_agg((b * 1000 + i) % 20 + 1 ORDER BY i) FROM generate_series(0, 999) i $$;
CREATE FUNCTION a_vol(b bigint) RETURNS float8[] LANGUAGE sql AS $$ SELECT array_agg(((b * 1000 + i) % 1000)::float8 ORDER BY i) FROM generate_series(0, 999) i $$;
CREATE FUNCTION a_sig(b bigint) RETURNS text[] LANGUAGE sql AS $$ SELECT array_agg(md5(i::text) || md5(b::text)) FROM generate_series(0, 999) i $$;
