-- +goose Up
-- OAuth clients of the platform: one per app (installation_id NULL), and
-- later one per installation. client_id is public; secrets are kept only as
-- SHA-256 digests. Rotation keeps the previous generation's digest until
-- previous_expires_at, or until the SecretRotation workflow revokes it.
CREATE TABLE oauth_clients (
    id                   uuid PRIMARY KEY,
    app_id               uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    installation_id      uuid,
    client_id            text NOT NULL UNIQUE CHECK (client_id LIKE 'asc\_%'),
    secret_hash          bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
    secret_generation    integer NOT NULL CHECK (secret_generation >= 1),
    previous_secret_hash bytea CHECK (octet_length(previous_secret_hash) = 32),
    previous_generation  integer,
    previous_expires_at  timestamptz,
    redirect_uris        jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(redirect_uris) = 'array' AND jsonb_array_length(redirect_uris) <= 10),
    scopes               jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(scopes) = 'array'),
    pkce_required        boolean NOT NULL DEFAULT true,
    entrypoint_url       text NOT NULL DEFAULT '',
    enabled              boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- The previous secret is all there or not at all, and always older.
    CHECK ((previous_secret_hash IS NULL) = (previous_generation IS NULL)
       AND (previous_generation IS NULL) = (previous_expires_at IS NULL)),
    CHECK (previous_generation < secret_generation)
);
-- One client per app for the app itself; installation clients come later.
CREATE UNIQUE INDEX oauth_clients_app_key ON oauth_clients (app_id) WHERE installation_id IS NULL;

-- +goose Down
DROP TABLE oauth_clients;
