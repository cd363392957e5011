-- Samples: small dictionaries (meter, resource, resource_metadata) and a narrow, time-partitioned
-- sample table. See DESIGN.md "Storage". Needs PostgreSQL 15+ (NULLS NOT DISTINCT).

CREATE TABLE meter (
  id   serial PRIMARY KEY,
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('gauge', 'delta', 'cumulative')),
  unit text NOT NULL,
  CONSTRAINT meter_definition UNIQUE (name, type, unit)
);

-- The owner of a series: one row per (resource_id, user_id, project_id, source).
CREATE TABLE resource (
  id          bigserial PRIMARY KEY,
  resource_id text NOT NULL,
  user_id     text,
  project_id  text,
  source      text,
  CONSTRAINT resource_owner UNIQUE NULLS NOT DISTINCT (resource_id, user_id, project_id, source)
);
CREATE INDEX resource_project ON resource (project_id);

-- Deduplicated resource metadata: most samples of a resource repeat the same document.
-- hash = first 128 bits of SHA-256 of the canonical (sorted-key) JSON.
CREATE TABLE resource_metadata (
  id   bigserial PRIMARY KEY,
  hash uuid NOT NULL UNIQUE,
  doc  jsonb NOT NULL
);

CREATE SEQUENCE sample_seq;

-- Raw samples, range-partitioned by day on timestamp; partitions are created ahead and on demand
-- by the writer. The primary key holds the partition key, so deduplication is by
-- (message_id, timestamp): both are deterministic for a given input.
CREATE TABLE sample (
  message_id        uuid             NOT NULL,
  timestamp         timestamptz      NOT NULL,
  meter_id          integer          NOT NULL,
  resource_pk       bigint           NOT NULL,
  metadata_id       bigint           NOT NULL,
  volume            double precision NOT NULL,
  recorded_at       timestamptz      NOT NULL,
  seq               bigint           NOT NULL,
  message_signature text,
  PRIMARY KEY (message_id, timestamp)
) PARTITION BY RANGE (timestamp);
CREATE INDEX sample_meter_time ON sample (meter_id, timestamp DESC);
CREATE INDEX sample_resource_time ON sample (resource_pk, timestamp DESC);
CREATE INDEX sample_time ON sample (timestamp DESC, seq);

-- One row per (meter, resource owner): the newest sample's time and metadata, and the seq of its
-- first sample (listing order). Written in the same statement as the samples; makes meter and
-- resource listings cheap.
CREATE TABLE series (
  first_seq       bigint      NOT NULL,
  meter_id        integer     NOT NULL REFERENCES meter (id),
  resource_pk     bigint      NOT NULL REFERENCES resource (id),
  first_timestamp timestamptz NOT NULL,
  last_timestamp  timestamptz NOT NULL,
  last_metadata_id bigint     NOT NULL REFERENCES resource_metadata (id),
  PRIMARY KEY (meter_id, resource_pk)
);
CREATE INDEX series_resource ON series (resource_pk);
