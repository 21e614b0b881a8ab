package models

import (
	"time"

	"github.com/google/uuid"
)

// DevMail is one message the development Mailer "sent": it lands in the
// dev_mail_outbox table, and /dev/mail shows it.
type DevMail struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	To        string    `gorm:"column:to_email" json:"to"`
	Subject   string    `json:"subject"`
	Text      string    `gorm:"column:text_body" json:"text"`
	HTML      string    `gorm:"column:html_body" json:"html"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName is dev_mail_outbox.
func (DevMail) TableName() string { return "dev_mail_outbox" }

// Dev mail page sizes.
const (
	DefaultDevMailLimit = 50
	MaxDevMailLimit     = 500
)
