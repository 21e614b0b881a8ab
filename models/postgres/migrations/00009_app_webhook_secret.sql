-- +goose Up
-- The app's webhook signing secret (whsec_…): made when the webhook URL is
-- first set, shown once, and kept encrypted because the platform signs
-- every delivery with it.
ALTER TABLE apps
    ADD COLUMN webhook_secret_ciphertext bytea,
    ADD COLUMN webhook_secret_created_at timestamptz;

-- +goose Down
ALTER TABLE apps
    DROP COLUMN webhook_secret_ciphertext,
    DROP COLUMN webhook_secret_created_at;
