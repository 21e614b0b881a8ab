-- +goose Up
-- The review sandbox: one organization, made on first use, where
-- reviewers run a production deployment under review on seeded records.
ALTER TABLE organizations ADD COLUMN review_sandbox boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX organizations_one_review_sandbox ON organizations ((true)) WHERE review_sandbox;

-- +goose Down
DROP INDEX organizations_one_review_sandbox;
ALTER TABLE organizations DROP COLUMN review_sandbox;
