-- Indexes the listings walk in their own order, so that a listing reads about `limit` rows
-- whatever its filter matches and whether or not the tables were ever analysed
-- (storage's PostgresListings). Series rows are few next to samples, and an upsert that keeps
-- first_seq stays a HOT update: the write path barely notices them.

-- /v2/meters and /v2/resources in first-stored order, all series or one meter's
CREATE INDEX series_first ON series (first_seq);
CREATE INDEX series_meter_first ON series (meter_id, first_seq);
-- one resource owner's series in first-stored order ("is there an earlier series of this resource?")
CREATE INDEX series_resource_first ON series (resource_pk, first_seq);
DROP INDEX series_resource;
-- a user filter resolves to its resource owners through this (project_id has resource_project)
CREATE INDEX resource_user ON resource (user_id);
