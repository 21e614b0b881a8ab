-- +goose Up
-- The marketplace side (DESIGN §3, seed 002): catalog search, installation
-- clients, settings, connection values, permissions and the OpenID Connect
-- provider's state.

-- Catalog search: title, description and features, weighted, one GIN index.
ALTER TABLE apps ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('english', description), 'B') ||
    setweight(to_tsvector('english', features::text), 'C')
) STORED;
CREATE INDEX apps_search_idx ON apps USING gin (search_vector);
CREATE INDEX apps_catalog_idx ON apps (category, created_at DESC, id DESC) WHERE publication_status = 'published';

-- An installation's OAuth client (seed 002): its secret is kept encrypted
-- only until the webhook carrying it (app.installed, secret.rotated) has
-- been delivered; then that copy is erased and only the digest remains.
ALTER TABLE oauth_clients
    ADD CONSTRAINT oauth_clients_installation_fk FOREIGN KEY (installation_id)
        REFERENCES app_installations(id) ON DELETE CASCADE,
    ADD COLUMN secret_ciphertext bytea,
    ADD COLUMN revoked_at timestamptz;
CREATE UNIQUE INDEX oauth_clients_installation_key ON oauth_clients (installation_id) WHERE installation_id IS NOT NULL;

-- Settings values: organization scope (user_id NULL) or one user's.
CREATE TABLE app_settings (
    id              uuid PRIMARY KEY,
    installation_id uuid NOT NULL REFERENCES app_installations(id) ON DELETE CASCADE,
    scope           text NOT NULL CHECK (scope IN ('organization', 'user')),
    user_id         uuid REFERENCES users(id) ON DELETE CASCADE,
    key             text NOT NULL,
    value           jsonb NOT NULL,
    deployment_id   uuid NOT NULL REFERENCES app_deployments(id),
    updated_by      uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'user') = (user_id IS NOT NULL))
);
CREATE UNIQUE INDEX app_settings_org_key ON app_settings (installation_id, key) WHERE scope = 'organization';
CREATE UNIQUE INDEX app_settings_user_key ON app_settings (installation_id, user_id, key) WHERE scope = 'user';

-- The organization's credentials for each connection definition, encrypted
-- (AES-256-GCM); never sent back to any client.
CREATE TABLE connection_values (
    id                       uuid PRIMARY KEY,
    installation_id          uuid NOT NULL REFERENCES app_installations(id) ON DELETE CASCADE,
    connection_definition_id uuid NOT NULL REFERENCES connection_definitions(id) ON DELETE CASCADE,
    ciphertext               bytea NOT NULL,
    updated_by               uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT connection_values_key UNIQUE (installation_id, connection_definition_id)
);

-- Who in the organization may use an installed app (seed 002 app_permission).
CREATE TABLE app_permissions (
    installation_id uuid NOT NULL REFERENCES app_installations(id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    can_access      boolean NOT NULL DEFAULT true,
    is_admin        boolean NOT NULL DEFAULT false,
    permissions     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(permissions) = 'array'),
    granted_by      uuid REFERENCES users(id) ON DELETE SET NULL,
    granted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, user_id)
);
CREATE INDEX app_permissions_user_idx ON app_permissions (user_id);

-- OpenID Connect provider state. Signing keys rotate: the newest signs,
-- older ones stay in the JWKS until their tokens have expired.
CREATE TABLE oidc_signing_keys (
    id                     text PRIMARY KEY, -- kid
    algorithm              text NOT NULL DEFAULT 'RS256',
    private_key_ciphertext bytea NOT NULL,
    public_key_pem         text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    retired_at             timestamptz,  -- no longer signs
    expires_at             timestamptz   -- leaves the JWKS
);

-- Authorization requests and codes, hashed tokens (we only verify them).
CREATE TABLE oidc_auth_requests (
    id                    uuid PRIMARY KEY,
    client_id             text NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
    user_id               uuid REFERENCES users(id) ON DELETE CASCADE,
    installation_id       uuid REFERENCES app_installations(id) ON DELETE CASCADE,
    redirect_uri          text NOT NULL,
    scopes                jsonb NOT NULL DEFAULT '[]',
    state                 text NOT NULL DEFAULT '',
    nonce                 text NOT NULL DEFAULT '',
    response_type         text NOT NULL,
    code_challenge        text NOT NULL DEFAULT '',
    code_challenge_method text NOT NULL DEFAULT '',
    code_hash             bytea UNIQUE,
    done                  boolean NOT NULL DEFAULT false,
    auth_time             timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    expires_at            timestamptz NOT NULL
);

CREATE TABLE oidc_tokens (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('access', 'refresh')),
    token_hash      bytea NOT NULL UNIQUE,
    client_id       text NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    installation_id uuid REFERENCES app_installations(id) ON DELETE CASCADE,
    scopes          jsonb NOT NULL DEFAULT '[]',
    audience        jsonb NOT NULL DEFAULT '[]',
    refresh_of      uuid REFERENCES oidc_tokens(id) ON DELETE CASCADE,
    auth_time       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);
CREATE INDEX oidc_tokens_installation_user_idx ON oidc_tokens (installation_id, user_id) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE oidc_tokens;
DROP TABLE oidc_auth_requests;
DROP TABLE oidc_signing_keys;
DROP TABLE app_permissions;
DROP TABLE connection_values;
DROP TABLE app_settings;
DROP INDEX oauth_clients_installation_key;
ALTER TABLE oauth_clients DROP CONSTRAINT oauth_clients_installation_fk,
    DROP COLUMN secret_ciphertext, DROP COLUMN revoked_at;
DROP INDEX apps_catalog_idx;
DROP INDEX apps_search_idx;
ALTER TABLE apps DROP COLUMN search_vector;
