-- Traits move into their event's row, as one jsonb array in definition order:
--   [[name, type, value], ...]   type: string | integer | float | datetime
-- where a datetime value is ISO 8601 in UTC with six fractional digits ("2026-11-25T17:00:00.123456Z")
-- and a float that is not finite is the string "NaN", "Infinity" or "-Infinity".
--
-- Why: a notification's event has up to 25 traits (nova's instance events). As rows of their own,
-- each trait cost a heap tuple, three index entries and a foreign-key check, and storing traits
-- took more of PostgreSQL's time than everything else a notification produces (docs/benchmarks.md,
-- Notifications). One GIN index (jsonb_path_ops) serves trait equality filters; other comparisons
-- are checked row by row after the event type and time conditions.
ALTER TABLE event ADD COLUMN traits jsonb NOT NULL DEFAULT '[]';

UPDATE event e SET traits = t.traits
FROM (
  SELECT event_id, jsonb_agg(jsonb_build_array(name, type, CASE type
           WHEN 'string' THEN to_jsonb(t_string)
           WHEN 'integer' THEN to_jsonb(t_int)
           WHEN 'float' THEN CASE WHEN t_float IN ('NaN', 'Infinity', '-Infinity') THEN to_jsonb(t_float::text)
                                  ELSE to_jsonb(t_float) END
           ELSE to_jsonb(to_char(t_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
         END) ORDER BY position) AS traits
  FROM trait GROUP BY event_id
) t
WHERE t.event_id = e.id;

DROP TABLE trait;

CREATE INDEX event_traits ON event USING gin (traits jsonb_path_ops);

-- The foreign key to event_type is checked by a trigger for every inserted event (about a third of
-- an event's insert cost without traits). The store only ever inserts event types, before the events
-- that name them, and never deletes one, so the check could not fail.
ALTER TABLE event DROP CONSTRAINT event_event_type_id_fkey;
