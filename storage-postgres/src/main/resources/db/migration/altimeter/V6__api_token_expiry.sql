-- A token may expire: past expires_at it no longer authenticates (NULL: it never expires).
ALTER TABLE api_token ADD COLUMN expires_at timestamptz;
