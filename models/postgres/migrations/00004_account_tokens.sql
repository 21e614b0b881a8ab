-- +goose Up
-- A password reset raises session_generation; sessions (JWTs) carry the
-- generation they were issued under, and the auth middleware refuses older ones.
ALTER TABLE users ADD COLUMN session_generation integer NOT NULL DEFAULT 0
    CHECK (session_generation >= 0);

-- One mail about an account: a verification link, a reset link, or the note
-- to an owner that someone tried to sign up with their address. The link's
-- token is made when the mail goes out; only its SHA-256 is kept. A request
-- is used once (used_at) and dies at expires_at; retention deletes it a day
-- later.
CREATE TABLE account_mail_requests (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'signup_existing')),
    token_hash bytea UNIQUE,
    expires_at timestamptz,
    mailed_at  timestamptz,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (token_hash IS NULL OR purpose <> 'signup_existing')
);
CREATE INDEX account_mail_requests_user_idx ON account_mail_requests (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX account_mail_requests_expires_idx ON account_mail_requests (expires_at);

-- +goose Down
DROP TABLE account_mail_requests;
ALTER TABLE users DROP COLUMN session_generation;
