package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// RecordRotationReminder records oauth.rotation_reminder for client
// clientID under eventID, once: a retry with the same eventID writes
// nothing more. It returns whom to mail: the developer account's admins.
// A disabled client gets no event and Enabled false. It returns a
// not-found error ("oauth_not_enabled") for an unknown client.
func (s *OAuthClients) RecordRotationReminder(ctx context.Context, clientID string, eventID uuid.UUID) (*models.RotationReminder, error) {
	var r models.RotationReminder
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row struct {
			AppID              uuid.UUID
			Title              string
			DeveloperAccountID uuid.UUID
			Enabled            bool
			SecretGeneration   int
		}
		err := tx.Raw(`SELECT c.app_id, a.title, a.developer_account_id, c.enabled, c.secret_generation
			FROM oauth_clients c JOIN apps a ON a.id = c.app_id WHERE c.client_id = ?`, clientID).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrOAuthNotEnabled
		}
		if err != nil {
			return err
		}
		r = models.RotationReminder{ClientID: clientID, AppID: row.AppID, AppTitle: row.Title,
			DeveloperAccountID: row.DeveloperAccountID, Enabled: row.Enabled}
		if !r.Enabled {
			return nil
		}
		err = tx.Raw(`SELECT u.email FROM developer_account_members m JOIN users u ON u.id = m.user_id
			WHERE m.developer_account_id = ? AND m.role = ? ORDER BY u.email`, row.DeveloperAccountID, models.DevRoleAdmin).
			Scan(&r.AdminEmails).Error
		if err != nil {
			return err
		}
		e := oauthEvent(models.EventOAuthRotationReminder, row.DeveloperAccountID, row.AppID, models.JSONMap{
			"client_id": clientID, "generation": row.SecretGeneration, "admins": len(r.AdminEmails)})
		e.ID = eventID
		return appendEvent(ctx, tx.Clauses(clause.OnConflict{DoNothing: true}), e)
	})
	if err != nil {
		return nil, storeError("record rotation reminder", err)
	}
	return &r, nil
}
