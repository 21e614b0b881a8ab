-- +goose Up
-- An app is a developer account's catalog entry: its listing (what the
-- marketplace shows), its marketplace fields (seed 002) and its
-- publication state. Empty strings mean "not filled in yet": drafts are
-- saved as they are and the publication checks say what is missing.
CREATE TABLE apps (
    id                   uuid PRIMARY KEY,
    developer_account_id uuid NOT NULL REFERENCES developer_accounts(id) ON DELETE CASCADE,
    slug                 text NOT NULL CONSTRAINT apps_slug_key UNIQUE,
    title                text NOT NULL,
    description          text NOT NULL DEFAULT '',
    category             text NOT NULL DEFAULT '',
    avatar_url           text NOT NULL DEFAULT '',
    screenshot_urls      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(screenshot_urls) = 'array'),
    website_url          text NOT NULL DEFAULT '',
    docs_url             text NOT NULL DEFAULT '',
    contact_url          text NOT NULL DEFAULT '',
    support_url          text NOT NULL DEFAULT '',
    terms_url            text NOT NULL DEFAULT '',
    overview             text NOT NULL DEFAULT '',
    content_how_it_works text NOT NULL DEFAULT '',
    content_configure    text NOT NULL DEFAULT '',
    has_oauth            boolean NOT NULL DEFAULT false,
    has_bundle           boolean NOT NULL DEFAULT false,
    publication_status   text NOT NULL DEFAULT 'unpublished'
        CHECK (publication_status IN ('unpublished', 'published', 'suspended')),
    review_status        text NOT NULL DEFAULT '',
    verified             boolean NOT NULL DEFAULT false, -- platform staff only
    is_first_party       boolean NOT NULL DEFAULT false, -- platform staff only
    app_url              text NOT NULL DEFAULT '',
    callback_url         text NOT NULL DEFAULT '',
    webhook_url          text NOT NULL DEFAULT '',
    is_free              boolean NOT NULL DEFAULT true,
    monthly_price        numeric(9, 2) CHECK (monthly_price >= 0),
    features             jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(features) = 'array'),
    required_scopes      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(required_scopes) = 'array'),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- A price belongs to paid apps only.
    CHECK (NOT is_free OR monthly_price IS NULL)
);
CREATE INDEX apps_account_idx ON apps (developer_account_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE apps;
