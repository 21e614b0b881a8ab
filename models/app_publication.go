package models

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// appTransitions are the publication moves of DESIGN §4 and the event each
// records. Who may make them is the API's business: publish and unpublish
// are the account admins', suspend and restore (suspended -> published)
// platform staff's.
var appTransitions = map[[2]PublicationStatus]EventType{
	{AppUnpublished, AppPublished}: EventAppPublished,
	{AppPublished, AppUnpublished}: EventAppUnpublished,
	{AppPublished, AppSuspended}:   EventAppSuspended,
	{AppSuspended, AppPublished}:   EventAppRestored,
}

// CanTransitionApp reports whether an app may move from one publication
// status to another.
func CanTransitionApp(from, to PublicationStatus) bool {
	_, ok := appTransitions[[2]PublicationStatus{from, to}]
	return ok
}

// SetAppPublicationStatus moves app id to publication status to and records
// the transition's event. Publishing an unpublished app needs every
// publication check to pass (else an invalid error "publish_checks_failed"
// listing them) and a published deployment (else a conflict
// "no_published_deployment"). A move DESIGN §4 does not allow is a conflict
// ("invalid_transition") naming the current status; an unknown app a
// not-found error ("app_not_found").
func (s *Store) SetAppPublicationStatus(ctx context.Context, id uuid.UUID, to PublicationStatus) (*App, error) {
	var app App
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The lock keeps listing edits out until the transition commits, so
		// the checks below judge the listing that is published.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&app, "id = ?", id).Error; err != nil {
			return err
		}
		from := app.PublicationStatus
		event, ok := appTransitions[[2]PublicationStatus{from, to}]
		if !ok {
			return &Error{Kind: KindConflict, Code: "invalid_transition",
				Message: fmt.Sprintf("The app is %s; it cannot become %s.", from, to)}
		}
		if from == AppUnpublished {
			checks, err := s.publishChecksOf(ctx, &app)
			if err != nil {
				return err
			}
			if Blocking(checks) {
				return publishChecksFailed(checks)
			}
			var published int64
			if err := tx.Model(&Deployment{}).Where("app_id = ? AND type = ? AND status = ?", id, DeploymentProduction, DeploymentPublished).
				Count(&published).Error; err != nil {
				return err
			}
			if published == 0 {
				return &Error{Kind: KindConflict, Code: "no_published_deployment",
					Message: "Publish a production deployment of the app before publishing the app."}
			}
		}
		now := s.now()
		if err := tx.Model(&App{}).Where("id = ?", id).
			Updates(map[string]any{"publication_status": to, "updated_at": now}).Error; err != nil {
			return err
		}
		app.PublicationStatus, app.UpdatedAt = to, now
		// A takedown suspends every active installation until staff
		// restore the app (DESIGN §4); restoring wakes exactly those.
		var err error
		switch {
		case to == AppSuspended:
			err = tx.Model(&Installation{}).Where("app_id = ? AND status = ?", id, InstallationActive).
				Updates(map[string]any{"status": InstallationSuspended, "updated_at": now}).Error
		case from == AppSuspended:
			err = tx.Model(&Installation{}).Where("app_id = ? AND status = ?", id, InstallationSuspended).
				Updates(map[string]any{"status": InstallationActive, "updated_at": now}).Error
		}
		if err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{Type: event, DeveloperAccountID: &app.DeveloperAccountID, AppID: &app.ID,
			Data: JSONMap{"from": string(from), "to": string(to)}})
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errAppNotFound
	}
	if err != nil {
		return nil, storeError("set app publication status", err)
	}
	return &app, nil
}

// publishChecksFailed is the error of a publication the checks refuse: one
// field error per blocking check.
func publishChecksFailed(checks []PublishCheck) *Error {
	var fields []FieldError
	for _, c := range checks {
		if c.Severity == CheckError {
			fields = append(fields, FieldError{Field: c.Field, Message: c.Message})
		}
	}
	return Invalid("publish_checks_failed",
		fmt.Sprintf("The app cannot be published yet: %d publication checks fail.", len(fields)), fields...)
}

// PublishChecks runs the publication checks on the stored app id with its
// OAuth client and connection definitions. It returns a not-found error
// ("app_not_found") when there is no such app.
func (s *Store) PublishChecks(ctx context.Context, appID uuid.UUID) ([]PublishCheck, error) {
	app, err := s.GetApp(ctx, appID)
	if err != nil {
		return nil, err
	}
	return s.publishChecksOf(ctx, app)
}

// PreviewPublishChecks runs the publication checks on the stored app id as
// it would be with the draft listing applied, changing nothing: the portal's
// live checklist. It returns a not-found error ("app_not_found").
func (s *Store) PreviewPublishChecks(ctx context.Context, appID uuid.UUID, draft AppListingUpdate) ([]PublishCheck, error) {
	app, err := s.GetApp(ctx, appID)
	if err != nil {
		return nil, err
	}
	draft.apply(app)
	return s.publishChecksOf(ctx, app)
}

// publishChecksOf loads what the checks need besides app and runs them.
func (s *Store) publishChecksOf(ctx context.Context, app *App) ([]PublishCheck, error) {
	oauth, conns, err := s.publishSources(ctx, app.ID)
	if err != nil {
		return nil, fmt.Errorf("store: publish checks: %w", err)
	}
	return PublishChecks(app, oauth, conns, s.urls.Production), nil
}
