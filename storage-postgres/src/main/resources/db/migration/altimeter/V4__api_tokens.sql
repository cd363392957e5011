-- Bearer tokens of the API's token mode (altimeter.api.auth=token). Only the SHA-256 of a token is
-- kept: a leaked table does not leak usable tokens.
CREATE TABLE api_token (
  id         uuid        PRIMARY KEY,
  hash       bytea       NOT NULL UNIQUE CHECK (length(hash) = 32),
  project_id text        NOT NULL,
  user_id    text,
  roles      text[]      NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
