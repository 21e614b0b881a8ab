package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// publishSources loads what the publication checks need of app appID
// besides the listing: its own OAuth client (nil when it has none) and its
// connection definitions, ordered by key.
func (s *Apps) publishSources(ctx context.Context, appID uuid.UUID) (*models.PublishOAuth, []models.PublishConnection, error) {
	db := s.db.WithContext(ctx)
	var oauth *models.PublishOAuth
	var client models.OAuthClient
	err := db.Where("app_id = ? AND installation_id IS NULL", appID).Take(&client).Error
	switch {
	case err == nil:
		info := client.PublishInfo()
		oauth = &info
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil, err
	}
	var defs []models.ConnectionDefinition
	if err := db.Where("app_id = ?", appID).Order("key").Find(&defs).Error; err != nil {
		return nil, nil, err
	}
	conns := make([]models.PublishConnection, len(defs))
	for i := range defs {
		conns[i] = defs[i].PublishInfo()
	}
	return oauth, conns, nil
}
