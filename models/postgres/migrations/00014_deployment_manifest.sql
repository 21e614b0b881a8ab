-- +goose Up
-- The app manifest (DESIGN §7): surfaces, server functions, workflow
-- blocks and triggers, webhook handlers, outbound hosts. Extracted at build
-- time and as immutable as the settings schema beside it.
ALTER TABLE app_deployments ADD COLUMN manifest jsonb NOT NULL DEFAULT '{}';

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_deployments_immutable() RETURNS trigger AS $$
BEGIN
    IF (NEW.id, NEW.app_id, NEW.type, NEW.version, NEW.client_bundle_id, NEW.server_bundle_id,
        NEW.settings_schema, NEW.manifest, NEW.environment, NEW.target_organization_id, NEW.source_deployment_id,
        NEW.release_notes, NEW.metadata, NEW.created_by, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.app_id, OLD.type, OLD.version, OLD.client_bundle_id, OLD.server_bundle_id,
        OLD.settings_schema, OLD.manifest, OLD.environment, OLD.target_organization_id, OLD.source_deployment_id,
        OLD.release_notes, OLD.metadata, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'app_deployments content is immutable (deployment %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION app_deployments_immutable() RETURNS trigger AS $$
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
ALTER TABLE app_deployments DROP COLUMN manifest;
