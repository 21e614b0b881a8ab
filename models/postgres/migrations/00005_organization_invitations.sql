-- +goose Up
-- One invitations table for both flavours: an invitation asks someone to
-- join a developer account OR an organization, with the same token, expiry,
-- resend and status rules, so it is one table driven by one workflow.
ALTER TABLE developer_account_invitations RENAME TO invitations;
ALTER INDEX developer_account_invitations_pkey RENAME TO invitations_pkey;
ALTER INDEX developer_account_invitations_token_hash_key RENAME TO invitations_token_hash_key;
ALTER INDEX developer_account_invitations_pending_key RENAME TO invitations_account_pending_key;
ALTER INDEX developer_account_invitations_account_idx RENAME TO invitations_account_idx;

ALTER TABLE invitations
    ALTER COLUMN developer_account_id DROP NOT NULL,
    ADD COLUMN organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
    ADD CONSTRAINT invitations_one_target CHECK (num_nonnulls(developer_account_id, organization_id) = 1);
-- Organizations grant the same two roles by invitation (admin|member, the
-- existing role CHECK): owners are made by a role change, never by a link.

-- One pending invitation per address and organization, as per account.
CREATE UNIQUE INDEX invitations_organization_pending_key
    ON invitations (organization_id, email) WHERE status = 'pending';
CREATE INDEX invitations_organization_idx
    ON invitations (organization_id, created_at DESC, id DESC) WHERE organization_id IS NOT NULL;

-- The developer-account invitations under their old name (DESIGN §3), with
-- their old columns, for queries and tools written against it. A plain
-- view, so PostgreSQL can also update through it.
CREATE VIEW developer_account_invitations AS
    SELECT id, developer_account_id, email, role, token_hash, status, expires_at, resend_count,
           generation, mailed_generation, invited_by, accepted_by, accepted_at, created_at, updated_at
    FROM invitations
    WHERE developer_account_id IS NOT NULL;

-- +goose Down
DROP VIEW developer_account_invitations;
-- Organization invitations cannot exist without the column that names their
-- target: rolling back loses them.
DELETE FROM invitations WHERE organization_id IS NOT NULL;
DROP INDEX invitations_organization_idx;
DROP INDEX invitations_organization_pending_key;
ALTER TABLE invitations
    DROP CONSTRAINT invitations_one_target,
    DROP COLUMN organization_id,
    ALTER COLUMN developer_account_id SET NOT NULL;
ALTER INDEX invitations_account_idx RENAME TO developer_account_invitations_account_idx;
ALTER INDEX invitations_account_pending_key RENAME TO developer_account_invitations_pending_key;
ALTER INDEX invitations_token_hash_key RENAME TO developer_account_invitations_token_hash_key;
ALTER INDEX invitations_pkey RENAME TO developer_account_invitations_pkey;
ALTER TABLE invitations RENAME TO developer_account_invitations;
