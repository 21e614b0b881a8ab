package models

// WebhookSecretPrefix starts every webhook signing secret (Standard Webhooks).
const WebhookSecretPrefix = "whsec_"

// AppStaffFlags are the fields only platform staff set.
type AppStaffFlags struct {
	Verified     *bool `json:"verified"`
	IsFirstParty *bool `json:"is_first_party"`
}
