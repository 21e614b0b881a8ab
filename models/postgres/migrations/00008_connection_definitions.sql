-- +goose Up
-- What an app needs from each organization that installs it, to call an
-- external service: an API key, an OAuth2 client flow against a provider, or
-- a custom set of fields. Developers define the shape here; organizations
-- fill in the values at install time (connection_values, later).
-- An oauth2 definition may be saved incomplete (a draft): the publication
-- checks name what is missing. The provider's client secret is a secret we
-- must use, so it is kept AES-256-GCM encrypted (models.Encrypter), never
-- in clear and never served back.
CREATE TABLE connection_definitions (
    id                      uuid PRIMARY KEY,
    app_id                  uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    key                     text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{1,47}$'),
    type                    text NOT NULL CHECK (type IN ('api_key', 'oauth2', 'custom')),
    display_name            text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
    description             text NOT NULL DEFAULT '',
    required                boolean NOT NULL DEFAULT false,
    default_value           text NOT NULL DEFAULT '',
    placeholder             text NOT NULL DEFAULT '',
    authorize_url           text NOT NULL DEFAULT '',
    token_url               text NOT NULL DEFAULT '',
    scopes                  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(scopes) = 'array'),
    pkce                    boolean NOT NULL DEFAULT false,
    refresh                 text NOT NULL DEFAULT 'none'
        CHECK (refresh IN ('none', 'refresh_token', 'reauthorize')),
    client_id               text NOT NULL DEFAULT '',
    client_secret_encrypted bytea,
    fields                  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(fields) = 'array'),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT connection_definitions_app_key_key UNIQUE (app_id, key),
    -- Each type carries only its own settings.
    CHECK (type = 'oauth2' OR (authorize_url = '' AND token_url = '' AND scopes = '[]'::jsonb
        AND NOT pkce AND refresh = 'none' AND client_id = '' AND client_secret_encrypted IS NULL)),
    CHECK (type = 'custom' OR fields = '[]'::jsonb),
    CHECK (type = 'api_key' OR (default_value = '' AND placeholder = ''))
);

-- +goose Down
DROP TABLE connection_definitions;
