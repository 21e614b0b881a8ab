package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// SetAppPublicationStatus moves app id to publication status to and records
// the transition's event. Publishing an unpublished app needs every
// publication check to pass (else an invalid error "publish_checks_failed"
// listing them) and a published deployment (else a conflict
// "no_published_deployment"). A move DESIGN §4 does not allow is a conflict
// ("invalid_transition") naming the current status; an unknown app a
// not-found error ("app_not_found").
func (s *Apps) SetAppPublicationStatus(ctx context.Context, id uuid.UUID, to models.PublicationStatus) (*models.App, error) {
	var app models.App
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The lock keeps listing edits out until the transition commits, so
		// the checks below judge the listing that is published.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&app, "id = ?", id).Error; err != nil {
			return err
		}
		from := app.PublicationStatus
		event, ok := models.AppTransitions[[2]models.PublicationStatus{from, to}]
		if !ok {
			return &models.Error{Kind: models.KindConflict, Code: "invalid_transition",
				Message: fmt.Sprintf("The app is %s; it cannot become %s.", from, to)}
		}
		if from == models.AppUnpublished {
			checks, err := s.publishChecksOf(ctx, &app)
			if err != nil {
				return err
			}
			if models.Blocking(checks) {
				return models.PublishChecksFailed(checks)
			}
			var published int64
			if err := tx.Model(&models.Deployment{}).Where("app_id = ? AND type = ? AND status = ?", id, models.DeploymentProduction, models.DeploymentPublished).
				Count(&published).Error; err != nil {
				return err
			}
			if published == 0 {
				return &models.Error{Kind: models.KindConflict, Code: "no_published_deployment",
					Message: "Publish a production deployment of the app before publishing the app."}
			}
		}
		now := s.now()
		if err := tx.Model(&models.App{}).Where("id = ?", id).
			Updates(map[string]any{"publication_status": to, "updated_at": now}).Error; err != nil {
			return err
		}
		app.PublicationStatus, app.UpdatedAt = to, now
		// A takedown suspends every active installation until staff
		// restore the app (DESIGN §4); restoring wakes exactly those.
		var err error
		switch {
		case to == models.AppSuspended:
			err = tx.Model(&models.Installation{}).Where("app_id = ? AND status = ?", id, models.InstallationActive).
				Updates(map[string]any{"status": models.InstallationSuspended, "updated_at": now}).Error
		case from == models.AppSuspended:
			err = tx.Model(&models.Installation{}).Where("app_id = ? AND status = ?", id, models.InstallationSuspended).
				Updates(map[string]any{"status": models.InstallationActive, "updated_at": now}).Error
		}
		if err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: event, DeveloperAccountID: &app.DeveloperAccountID, AppID: &app.ID,
			Data: models.JSONMap{"from": string(from), "to": string(to)}})
	})
	if err != nil {
		return nil, storeError("set app publication status", notFoundAs(err, models.ErrAppNotFound))
	}
	return &app, nil
}

// PublishChecks runs the publication checks on the stored app id with its
// OAuth client and connection definitions. It returns a not-found error
// ("app_not_found") when there is no such app.
func (s *Apps) PublishChecks(ctx context.Context, appID uuid.UUID) ([]models.PublishCheck, error) {
	app, err := s.GetApp(ctx, appID)
	if err != nil {
		return nil, err
	}
	return s.publishChecksOf(ctx, app)
}

// PreviewPublishChecks runs the publication checks on the stored app id as
// it would be with the draft listing applied, changing nothing: the portal's
// live checklist. It returns a not-found error ("app_not_found").
func (s *Apps) PreviewPublishChecks(ctx context.Context, appID uuid.UUID, draft models.AppListingUpdate) ([]models.PublishCheck, error) {
	app, err := s.GetApp(ctx, appID)
	if err != nil {
		return nil, err
	}
	draft.Apply(app)
	return s.publishChecksOf(ctx, app)
}

// publishChecksOf loads what the checks need besides app and runs them.
func (s *Apps) publishChecksOf(ctx context.Context, app *models.App) ([]models.PublishCheck, error) {
	oauth, conns, err := s.publishSources(ctx, app.ID)
	if err != nil {
		return nil, fmt.Errorf("store: publish checks: %w", err)
	}
	return models.PublishChecks(app, oauth, conns, s.urls.Production), nil
}
