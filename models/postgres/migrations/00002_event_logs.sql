-- +goose Up
-- Event logs are an append-only record of every mutation, written in the
-- transaction of the change. Subjects carry no foreign keys: the record must
-- outlive what it describes.
CREATE TABLE event_logs (
    id                   uuid PRIMARY KEY,
    created_at           timestamptz NOT NULL DEFAULT now(),
    type                 text NOT NULL,
    actor_id             uuid,
    developer_account_id uuid,
    app_id               uuid,
    organization_id      uuid,
    deployment_id        uuid,
    data                 jsonb NOT NULL DEFAULT '{}',
    request_id           text NOT NULL DEFAULT '',
    request_method       text NOT NULL DEFAULT '',
    request_path         text NOT NULL DEFAULT '',
    search               tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', replace(type, '.', ' '))
        || jsonb_to_tsvector('simple', data, '["string", "numeric"]')
    ) STORED
);

-- Keyset pagination walks (created_at, id) descending.
CREATE INDEX event_logs_page_idx ON event_logs (created_at DESC, id DESC);
CREATE INDEX event_logs_type_idx ON event_logs (type, created_at DESC, id DESC);
CREATE INDEX event_logs_org_idx ON event_logs (organization_id, created_at DESC, id DESC) WHERE organization_id IS NOT NULL;
CREATE INDEX event_logs_devacct_idx ON event_logs (developer_account_id, created_at DESC, id DESC) WHERE developer_account_id IS NOT NULL;
CREATE INDEX event_logs_app_idx ON event_logs (app_id, created_at DESC, id DESC) WHERE app_id IS NOT NULL;
CREATE INDEX event_logs_actor_idx ON event_logs (actor_id, created_at DESC, id DESC) WHERE actor_id IS NOT NULL;
CREATE INDEX event_logs_search_idx ON event_logs USING gin (search);

-- +goose StatementBegin
CREATE FUNCTION event_logs_forbid_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event_logs rows are never updated' USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER event_logs_no_update BEFORE UPDATE ON event_logs
    FOR EACH ROW EXECUTE FUNCTION event_logs_forbid_update();

-- +goose Down
DROP TABLE event_logs;
DROP FUNCTION event_logs_forbid_update();
