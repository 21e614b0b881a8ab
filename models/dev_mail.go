package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
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

// SaveDevMail stores m in the outbox, giving it an id and time when it has none.
func (s *Store) SaveDevMail(ctx context.Context, m DevMail) error {
	if m.ID == uuid.Nil {
		m.ID = newID()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	if err := s.db.WithContext(ctx).Create(&m).Error; err != nil {
		return fmt.Errorf("store: save dev mail: %w", err)
	}
	return nil
}

// ListDevMails returns at most limit outbox messages, newest first. A limit
// out of 1..MaxDevMailLimit means the default.
func (s *Store) ListDevMails(ctx context.Context, limit int) ([]DevMail, error) {
	if limit < 1 || limit > MaxDevMailLimit {
		limit = DefaultDevMailLimit
	}
	mails := []DevMail{}
	if err := s.db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&mails).Error; err != nil {
		return nil, fmt.Errorf("store: list dev mail: %w", err)
	}
	return mails, nil
}

// GetDevMail returns the outbox message id, or a not-found error.
func (s *Store) GetDevMail(ctx context.Context, id uuid.UUID) (*DevMail, error) {
	var m DevMail
	err := s.db.WithContext(ctx).First(&m, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, &Error{Kind: KindNotFound, Code: "mail_not_found", Message: "No such mail."}
	}
	if err != nil {
		return nil, fmt.Errorf("store: get dev mail: %w", err)
	}
	return &m, nil
}
