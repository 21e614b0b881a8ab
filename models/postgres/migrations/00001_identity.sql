-- +goose Up
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         citext NOT NULL UNIQUE,
    name          text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    platform_role text NOT NULL DEFAULT 'none'
        CHECK (platform_role IN ('none', 'reviewer', 'staff-admin')),
    email_verified_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organizations (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_by uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organization_members (
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user_idx ON organization_members (user_id);

CREATE TABLE developer_accounts (
    id            uuid PRIMARY KEY,
    slug          text NOT NULL UNIQUE,
    title         text NOT NULL,
    logo_url      text NOT NULL DEFAULT '',
    feature_flags jsonb NOT NULL DEFAULT '{}',
    auto_approve  boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE developer_account_members (
    developer_account_id uuid NOT NULL REFERENCES developer_accounts(id) ON DELETE CASCADE,
    user_id              uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role                 text NOT NULL CHECK (role IN ('admin', 'member')),
    created_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (developer_account_id, user_id)
);
CREATE INDEX developer_account_members_user_idx ON developer_account_members (user_id);

-- Personal access tokens authenticate the CLI. Only a SHA-256 of the token is
-- kept: tokens are 256-bit random, so a fast hash is enough.
CREATE TABLE personal_access_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   bytea NOT NULL UNIQUE,
    token_prefix text NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX personal_access_tokens_user_idx ON personal_access_tokens (user_id, created_at DESC, id DESC);

-- Login tokens bridge a password check and a session: single-use, short-lived.
CREATE TABLE login_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_tokens_expires_idx ON login_tokens (expires_at);

-- +goose Down
DROP TABLE login_tokens;
DROP TABLE personal_access_tokens;
DROP TABLE developer_account_members;
DROP TABLE developer_accounts;
DROP TABLE organization_members;
DROP TABLE organizations;
DROP TABLE users;
