-- +goose Up
-- The records area (DESIGN §3 wave 2, §7): each organization's contacts,
-- tickets and call recordings, which app surfaces are later shown beside.
--
-- Every table has a generated, weighted search_vector with a GIN index (as
-- apps have for the catalog) and an index serving the newest-first keyset
-- lists of one organization: (organization_id, created_at DESC, id DESC).

CREATE TABLE contacts (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email           text NOT NULL DEFAULT '',
    phone           text NOT NULL DEFAULT '',
    company         text NOT NULL DEFAULT '',
    title           text NOT NULL DEFAULT '',
    notes           text NOT NULL DEFAULT '',
    created_by      uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    search_vector   tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A') ||
        setweight(to_tsvector('english', company || ' ' || email), 'B') ||
        setweight(to_tsvector('english', title || ' ' || phone), 'C') ||
        setweight(to_tsvector('english', notes), 'D')
    ) STORED,
    -- The target of the same-organization foreign keys below.
    CONSTRAINT contacts_org_id_key UNIQUE (organization_id, id)
);
CREATE INDEX contacts_search_idx ON contacts USING gin (search_vector);
CREATE INDEX contacts_list_idx ON contacts (organization_id, created_at DESC, id DESC);

-- A ticket's contact must belong to the ticket's organization: the foreign
-- key includes organization_id. Deleting the contact keeps the ticket and
-- clears only contact_id.
CREATE TABLE tickets (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    description     text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'solved', 'closed')),
    priority        text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    contact_id      uuid,
    created_by      uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    search_vector   tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', subject), 'A') ||
        setweight(to_tsvector('english', description), 'B')
    ) STORED,
    CONSTRAINT tickets_contact_fk FOREIGN KEY (organization_id, contact_id)
        REFERENCES contacts (organization_id, id) ON DELETE SET NULL (contact_id)
);
CREATE INDEX tickets_search_idx ON tickets USING gin (search_vector);
CREATE INDEX tickets_list_idx ON tickets (organization_id, created_at DESC, id DESC);
CREATE INDEX tickets_contact_idx ON tickets (organization_id, contact_id) WHERE contact_id IS NOT NULL;

CREATE TABLE call_recordings (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    contact_id       uuid,
    duration_seconds integer NOT NULL DEFAULT 0 CHECK (duration_seconds >= 0),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    transcript       text NOT NULL DEFAULT '',
    summary          text NOT NULL DEFAULT '',
    insight          text NOT NULL DEFAULT '',
    created_by       uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search_vector    tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', summary), 'B') ||
        setweight(to_tsvector('english', insight), 'C') ||
        setweight(to_tsvector('english', transcript), 'D')
    ) STORED,
    CONSTRAINT call_recordings_contact_fk FOREIGN KEY (organization_id, contact_id)
        REFERENCES contacts (organization_id, id) ON DELETE SET NULL (contact_id)
);
CREATE INDEX call_recordings_search_idx ON call_recordings USING gin (search_vector);
CREATE INDEX call_recordings_list_idx ON call_recordings (organization_id, created_at DESC, id DESC);
CREATE INDEX call_recordings_contact_idx ON call_recordings (organization_id, contact_id) WHERE contact_id IS NOT NULL;

-- +goose Down
DROP TABLE call_recordings;
DROP TABLE tickets;
DROP TABLE contacts;
