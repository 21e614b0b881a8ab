-- +goose Up
-- OpenID Connect grants: every token descends from one authorization code
-- (grant_id is that authorization request's id) so a replayed code or a
-- reused refresh token revokes the whole chain at once (RFC 9700 §4.14).
-- A redeemed code's request is kept (redeemed_at) to recognise its replay;
-- max_age holds the request's max_age (prompt=login is max_age 0).
ALTER TABLE oidc_tokens
    ADD COLUMN grant_id   uuid,
    ADD COLUMN rotated_at timestamptz; -- a refresh token exchanged for its successor

-- Tokens issued before grants existed: each refresh chain becomes a grant
-- rooted at its first token.
WITH RECURSIVE chain (id, root) AS (
    SELECT id, id FROM oidc_tokens WHERE refresh_of IS NULL
    UNION ALL
    SELECT t.id, c.root FROM oidc_tokens t JOIN chain c ON t.refresh_of = c.id
)
UPDATE oidc_tokens t SET grant_id = chain.root FROM chain WHERE chain.id = t.id;
UPDATE oidc_tokens SET grant_id = id WHERE grant_id IS NULL;
UPDATE oidc_tokens SET rotated_at = revoked_at
WHERE kind = 'refresh' AND id IN (SELECT refresh_of FROM oidc_tokens WHERE refresh_of IS NOT NULL);
-- A token written without one (not by the provider) is a grant of its own.
ALTER TABLE oidc_tokens ALTER COLUMN grant_id SET DEFAULT gen_random_uuid(),
    ALTER COLUMN grant_id SET NOT NULL;
CREATE INDEX oidc_tokens_grant_idx ON oidc_tokens (grant_id) WHERE revoked_at IS NULL;

ALTER TABLE oidc_auth_requests
    ADD COLUMN redeemed_at timestamptz,
    ADD COLUMN max_age     integer CHECK (max_age >= 0);
CREATE INDEX oidc_auth_requests_expires_idx ON oidc_auth_requests (expires_at);

-- +goose Down
DROP INDEX oidc_auth_requests_expires_idx;
ALTER TABLE oidc_auth_requests DROP COLUMN max_age, DROP COLUMN redeemed_at;
DROP INDEX oidc_tokens_grant_idx;
ALTER TABLE oidc_tokens DROP COLUMN rotated_at, DROP COLUMN grant_id;
