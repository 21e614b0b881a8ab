-- +goose Up
-- Bundles are content addressed: the same bytes of an app are stored once
-- (unique app/type/sha256). The account column lets the storage quota be
-- summed with one index scan.
ALTER TABLE developer_accounts
    ADD COLUMN storage_quota_bytes bigint NOT NULL DEFAULT 524288000 CHECK (storage_quota_bytes >= 0);

CREATE TABLE app_bundles (
    id                   uuid PRIMARY KEY,
    app_id               uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    developer_account_id uuid NOT NULL REFERENCES developer_accounts(id) ON DELETE CASCADE,
    type                 text NOT NULL CHECK (type IN ('client', 'server')),
    sha256               text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes           bigint NOT NULL CHECK (size_bytes >= 0),
    storage_key          text NOT NULL,
    created_by           uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_bundles_content_key UNIQUE (app_id, type, sha256)
);
CREATE INDEX app_bundles_account_idx ON app_bundles (developer_account_id);

-- Deployments are immutable snapshots. Status and review fields move; the
-- content columns never do (the trigger below is the final word).
CREATE TABLE app_deployments (
    id                     uuid PRIMARY KEY,
    app_id                 uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    type                   text NOT NULL CHECK (type IN ('development', 'production')),
    version                text,
    client_bundle_id       uuid REFERENCES app_bundles(id),
    server_bundle_id       uuid REFERENCES app_bundles(id),
    settings_schema        jsonb NOT NULL CHECK (jsonb_typeof(settings_schema) = 'object'),
    environment            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(environment) = 'object'),
    target_organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
    source_deployment_id   uuid REFERENCES app_deployments(id),
    release_notes          text NOT NULL DEFAULT '',
    metadata               jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_by             uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    -- Mutable: the review state machine (DESIGN §4), mirrored from the
    -- Promotion workflow for listings.
    status                 text NOT NULL CHECK (status IN ('active', 'superseded', 'pending-review', 'in-review',
                               'approved', 'rejected', 'withdrawn', 'published', 'deprecated')),
    review_seq             integer NOT NULL DEFAULT 0, -- transitions applied; makes the activity idempotent
    submitted_at           timestamptz,
    reviewer_id            uuid REFERENCES users(id) ON DELETE SET NULL,
    reviewed_at            timestamptz,
    rejection_reasons      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rejection_reasons) = 'array'),
    published_at           timestamptz,
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((type = 'production') = (version IS NOT NULL)),
    CHECK ((type = 'development') = (target_organization_id IS NOT NULL)),
    CHECK (type = 'production' OR source_deployment_id IS NULL),
    CHECK (type = 'production' OR status IN ('active', 'superseded')),
    CONSTRAINT app_deployments_source_key UNIQUE (source_deployment_id),
    CONSTRAINT app_deployments_version_key UNIQUE (app_id, version)
);
CREATE INDEX app_deployments_app_idx ON app_deployments (app_id, created_at DESC, id DESC);
-- At most one production deployment of an app waits for or is in review.
CREATE UNIQUE INDEX app_deployments_one_in_review ON app_deployments (app_id)
    WHERE status IN ('pending-review', 'in-review');
-- The review queue, oldest submission first.
CREATE INDEX app_deployments_queue_idx ON app_deployments (submitted_at, id)
    WHERE status IN ('pending-review', 'in-review');

-- +goose StatementBegin
CREATE FUNCTION app_deployments_immutable() RETURNS trigger AS $$
BEGIN
    IF (NEW.id, NEW.app_id, NEW.type, NEW.version, NEW.client_bundle_id, NEW.server_bundle_id,
        NEW.settings_schema, NEW.environment, NEW.target_organization_id, NEW.source_deployment_id,
        NEW.release_notes, NEW.metadata, NEW.created_by, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.app_id, OLD.type, OLD.version, OLD.client_bundle_id, OLD.server_bundle_id,
        OLD.settings_schema, OLD.environment, OLD.target_organization_id, OLD.source_deployment_id,
        OLD.release_notes, OLD.metadata, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'app_deployments content is immutable (deployment %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER app_deployments_immutable BEFORE UPDATE ON app_deployments
    FOR EACH ROW EXECUTE FUNCTION app_deployments_immutable();

-- Installations of an app in an organization (DESIGN §3). Development
-- installations are made by development deployments; the marketplace adds
-- production ones. Uninstalling is a soft delete that keeps settings.
CREATE TABLE app_installations (
    id              uuid PRIMARY KEY,
    app_id          uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type            text NOT NULL CHECK (type IN ('development', 'production')),
    deployment_id   uuid NOT NULL REFERENCES app_deployments(id),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'suspended')),
    generation      integer NOT NULL DEFAULT 1, -- install-<id>-<generation>; a reinstall adds one
    installed_by    uuid REFERENCES users(id) ON DELETE SET NULL,
    installed_at    timestamptz NOT NULL DEFAULT now(),
    uninstalled_at  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_installations_app_org_type_key UNIQUE (app_id, organization_id, type)
);
CREATE INDEX app_installations_org_idx ON app_installations (organization_id, created_at DESC, id DESC);

-- Outbound webhooks. An endpoint belongs to a developer account (deployment
-- events); deliveries to an app's own webhook URL (installation events)
-- name the app instead, whose URL and secret live on apps.
CREATE TABLE webhook_endpoints (
    id                   uuid PRIMARY KEY,
    developer_account_id uuid NOT NULL REFERENCES developer_accounts(id) ON DELETE CASCADE,
    url                  text NOT NULL,
    description          text NOT NULL DEFAULT '',
    event_types          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(event_types) = 'array'), -- empty: every event
    secret_ciphertext    bytea NOT NULL, -- whsec_…, AES-256-GCM: we sign with it
    status               text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    disabled_reason      text NOT NULL DEFAULT '',
    created_by           uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_account_idx ON webhook_endpoints (developer_account_id, created_at DESC, id DESC);

-- One event to one target. The id is the webhook-id header, so receivers
-- dedupe on it; dedupe_key makes enqueueing idempotent for retried activities.
CREATE TABLE webhook_deliveries (
    id                   uuid PRIMARY KEY,
    endpoint_id          uuid REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    app_id               uuid REFERENCES apps(id) ON DELETE CASCADE,
    developer_account_id uuid NOT NULL REFERENCES developer_accounts(id) ON DELETE CASCADE,
    event_type           text NOT NULL,
    payload              jsonb NOT NULL, -- never secrets: the body is built in the activity
    dedupe_key           text NOT NULL CONSTRAINT webhook_deliveries_dedupe_key UNIQUE,
    redelivery_of        uuid REFERENCES webhook_deliveries(id) ON DELETE SET NULL,
    status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempt_count        integer NOT NULL DEFAULT 0,
    last_status_code     integer,
    last_error           text NOT NULL DEFAULT '',
    next_attempt_at      timestamptz,
    delivered_at         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((endpoint_id IS NULL) <> (app_id IS NULL))
);
CREATE INDEX webhook_deliveries_account_idx ON webhook_deliveries (developer_account_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_app_idx ON webhook_deliveries (app_id, created_at DESC, id DESC);

CREATE TABLE webhook_attempts (
    id          uuid PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt     integer NOT NULL CHECK (attempt >= 1),
    status_code integer,
    latency_ms  integer NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_attempts_delivery_attempt_key UNIQUE (delivery_id, attempt)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE app_installations;
DROP TRIGGER app_deployments_immutable ON app_deployments;
DROP FUNCTION app_deployments_immutable();
DROP TABLE app_deployments;
DROP TABLE app_bundles;
ALTER TABLE developer_accounts DROP COLUMN storage_quota_bytes;
