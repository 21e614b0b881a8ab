-- +goose Up
-- Slugs nobody may take: they would shadow routes or impersonate the platform.
CREATE TABLE reserved_slugs (
    slug text PRIMARY KEY
);
INSERT INTO reserved_slugs (slug) VALUES
    ('account'), ('accounts'), ('admin'), ('api'), ('app'), ('apps'), ('appstore'), ('auth'),
    ('billing'), ('dev'), ('developer'), ('developers'), ('docs'), ('help'), ('invitations'),
    ('login'), ('logout'), ('marketplace'), ('me'), ('new'), ('oauth'), ('organizations'),
    ('review'), ('reviewer'), ('root'), ('settings'), ('signup'), ('staff'), ('static'),
    ('status'), ('support'), ('system'), ('www');

-- An invitation's link carries a token whose SHA-256 is token_hash. The
-- Invitation workflow mails generation n once (mailed_generation); a resend
-- raises generation and the next mail replaces the hash, so older links stop
-- working. The hash of a finished invitation is kept so its link can say
-- what became of it.
CREATE TABLE developer_account_invitations (
    id                   uuid PRIMARY KEY,
    developer_account_id uuid NOT NULL REFERENCES developer_accounts(id) ON DELETE CASCADE,
    email                citext NOT NULL,
    role                 text NOT NULL CHECK (role IN ('admin', 'member')),
    token_hash           bytea UNIQUE,
    status               text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'cancelled', 'expired')),
    expires_at           timestamptz NOT NULL,
    resend_count         integer NOT NULL DEFAULT 0 CHECK (resend_count >= 0),
    generation           integer NOT NULL DEFAULT 1 CHECK (generation >= 1),
    mailed_generation    integer NOT NULL DEFAULT 0 CHECK (mailed_generation >= 0),
    invited_by           uuid REFERENCES users(id) ON DELETE SET NULL,
    accepted_by          uuid REFERENCES users(id) ON DELETE SET NULL,
    accepted_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'accepted') = (accepted_at IS NOT NULL))
);
-- One pending invitation per address and account: the final word when two
-- admins invite the same person at once.
CREATE UNIQUE INDEX developer_account_invitations_pending_key
    ON developer_account_invitations (developer_account_id, email) WHERE status = 'pending';
CREATE INDEX developer_account_invitations_account_idx
    ON developer_account_invitations (developer_account_id, created_at DESC, id DESC);

-- The development Mailer's outbox, read by /dev/mail.
CREATE TABLE dev_mail_outbox (
    id         uuid PRIMARY KEY,
    to_email   text NOT NULL,
    subject    text NOT NULL,
    text_body  text NOT NULL DEFAULT '',
    html_body  text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dev_mail_outbox_page_idx ON dev_mail_outbox (created_at DESC, id DESC);

-- +goose Down
DROP TABLE dev_mail_outbox;
DROP TABLE developer_account_invitations;
DROP TABLE reserved_slugs;
