package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"appstore/models"
)

// DevMail stores the mails the development mailer caught.
type DevMail struct{ *core }

// SaveDevMail stores m in the outbox, giving it an id and time when it has none.
func (s *DevMail) SaveDevMail(ctx context.Context, m models.DevMail) error {
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
func (s *DevMail) ListDevMails(ctx context.Context, limit int) ([]models.DevMail, error) {
	if limit < 1 || limit > models.MaxDevMailLimit {
		limit = models.DefaultDevMailLimit
	}
	mails := []models.DevMail{}
	if err := s.db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&mails).Error; err != nil {
		return nil, fmt.Errorf("store: list dev mail: %w", err)
	}
	return mails, nil
}

// GetDevMail returns the outbox message id, or a not-found error.
func (s *DevMail) GetDevMail(ctx context.Context, id uuid.UUID) (*models.DevMail, error) {
	var m models.DevMail
	if err := first(s.db.WithContext(ctx), &m, "get dev mail", &models.Error{Kind: models.KindNotFound, Code: "mail_not_found", Message: "No such mail."}, "id = ?", id); err != nil {
		return nil, err
	}
	return &m, nil
}
