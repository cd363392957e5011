-- Events: Ceilometer's event_type / event / trait_* tables, with the typed trait tables folded into
-- one table with one value column per type (exactly one is set). See storage's EventStore.

CREATE TABLE event_type (
  id   serial PRIMARY KEY,
  name text NOT NULL UNIQUE
);

-- One row per notification kept as an event; message_id deduplicates redeliveries.
CREATE TABLE event (
  id            bigserial   PRIMARY KEY,
  message_id    text        NOT NULL UNIQUE,
  event_type_id integer     NOT NULL REFERENCES event_type (id),
  generated     timestamptz NOT NULL,
  raw           jsonb
);
CREATE INDEX event_generated ON event (generated, id);
CREATE INDEX event_type_generated ON event (event_type_id, generated, id);

-- position keeps the traits' definition order.
CREATE TABLE trait (
  event_id   bigint           NOT NULL REFERENCES event (id) ON DELETE CASCADE,
  position   integer          NOT NULL,
  name       text             NOT NULL,
  type       text             NOT NULL CHECK (type IN ('string', 'integer', 'float', 'datetime')),
  t_string   text,
  t_int      bigint,
  t_float    double precision,
  t_datetime timestamptz,
  PRIMARY KEY (event_id, position),
  CONSTRAINT trait_name_once UNIQUE (event_id, name),
  CONSTRAINT trait_one_value CHECK (num_nonnulls(t_string, t_int, t_float, t_datetime) = 1)
);
CREATE INDEX trait_string ON trait (name, t_string) WHERE t_string IS NOT NULL;
CREATE INDEX trait_int ON trait (name, t_int) WHERE t_int IS NOT NULL;
CREATE INDEX trait_float ON trait (name, t_float) WHERE t_float IS NOT NULL;
CREATE INDEX trait_datetime ON trait (name, t_datetime) WHERE t_datetime IS NOT NULL;
