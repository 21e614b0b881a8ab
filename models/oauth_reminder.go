package models

import (
	"github.com/google/uuid"
)

// RotationReminder is whom to remind of rotating an app's client secret.
type RotationReminder struct {
	ClientID           string
	AppID              uuid.UUID
	AppTitle           string
	DeveloperAccountID uuid.UUID
	AdminEmails        []string
	Enabled            bool // a disabled client is not reminded of
}
