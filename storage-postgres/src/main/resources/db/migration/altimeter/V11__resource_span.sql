-- Per resource owner, the first-stored position of its series (the smallest series.first_seq): the
-- /v2/resources listing walks these rows in first-stored order and reads about `limit` of them, where
-- walking series read every series of the resources it passed (10 per resource in the bench) and
-- checked each for an earlier one of its resource id (storage's PostgresListings.resources,
-- ResourceSpans).
--
-- Kept by the sample insert itself (same statement and transaction as the batch), from the series
-- rows it upserted, and written only when one of them starts in the batch (a new series, or one
-- whose first sample arrives late): a batch that only extends existing series does not touch it.
-- The key references resource, so TRUNCATE resource CASCADE empties it too.
CREATE TABLE resource_span (
  resource_pk bigint PRIMARY KEY REFERENCES resource (id),
  first_seq   bigint NOT NULL
);
CREATE INDEX resource_span_first ON resource_span (first_seq);

INSERT INTO resource_span (resource_pk, first_seq)
SELECT resource_pk, min(first_seq) FROM series GROUP BY resource_pk;
