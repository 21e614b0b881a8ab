package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// Apps stores apps: their listings, publication, webhook URL and staff flags.
type Apps struct{ *core }

// CheckAppSlug normalises raw and says whether an app could take it now
// (DESIGN §5: the slug rules, not reserved, unique among apps). Creating the
// app checks again: the unique index is the final word. It returns an error
// only when the database fails.
func (s *Apps) CheckAppSlug(ctx context.Context, raw string) (*models.SlugCheck, error) {
	return s.checkSlug(ctx, raw, "apps")
}

// CreateApp creates an unpublished app of developer account accountID and
// records app.created. rawSlug is normalised (DESIGN §5). It returns an
// invalid error ("invalid_slug", "slug_reserved", "invalid_title"), a
// not-found error when the account does not exist, and a conflict
// ("slug_taken") when another app has the slug — also one created
// concurrently, which the unique index decides.
func (s *Apps) CreateApp(ctx context.Context, accountID uuid.UUID, rawSlug, title string) (*models.App, error) {
	slug := models.NormalizeSlug(rawSlug)
	if reason, msg := models.SlugProblem(rawSlug, slug); reason != "" {
		return nil, models.Invalid("invalid_slug", msg, models.FieldError{Field: "slug", Message: reason})
	}
	title = strings.TrimSpace(title)
	if probs := models.ListingProblems(&models.App{Title: title}, s.urls); len(probs) > 0 {
		return nil, models.Invalid("invalid_title", fmt.Sprintf("Give the app a title of 1 to %d characters.", models.MaxAppTitleLen), probs...)
	}
	now := s.now()
	app := &models.App{ID: newID(), DeveloperAccountID: accountID, Slug: slug, Title: title,
		ScreenshotURLs: models.StringList{}, Features: models.StringList{}, RequiredScopes: models.StringList{},
		PublicationStatus: models.AppUnpublished, IsFree: true, CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var reserved bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM reserved_slugs WHERE slug = ?)`, slug).Scan(&reserved).Error; err != nil {
			return err
		}
		if reserved {
			return models.Invalid("slug_reserved", slugReservedMessage, models.FieldError{Field: "slug", Message: models.SlugReserved})
		}
		// Share-locks the account: it cannot vanish under the new app.
		var found []uuid.UUID
		if err := tx.Raw(`SELECT id FROM developer_accounts WHERE id = ? FOR SHARE`, accountID).Scan(&found).Error; err != nil {
			return err
		}
		if len(found) == 0 {
			return models.ErrDeveloperAccountNotFound
		}
		if err := tx.Create(app).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventAppCreated, DeveloperAccountID: &accountID, AppID: &app.ID,
			Data: models.JSONMap{"slug": slug, "title": title}})
	})
	if isUniqueViolation(err, "apps_slug_key") {
		return nil, &models.Error{Kind: models.KindConflict, Code: "slug_taken", Message: slugTakenMessage,
			Fields: []models.FieldError{{Field: "slug", Message: models.SlugTaken}}, Err: err}
	}
	if err != nil {
		return nil, storeError("create app", err)
	}
	return app, nil
}

// GetApp returns the app with id, or a not-found error ("app_not_found").
func (s *Apps) GetApp(ctx context.Context, id uuid.UUID) (*models.App, error) {
	var app models.App
	if err := first(s.db.WithContext(ctx), &app, "get app", models.ErrAppNotFound, "id = ?", id); err != nil {
		return nil, err
	}
	return &app, nil
}

// ListApps returns a page of developer account accountID's apps, newest
// first. limit is clamped to 1..MaxAppLimit; a bad cursor is an invalid
// error ("invalid_cursor").
func (s *Apps) ListApps(ctx context.Context, accountID uuid.UUID, cursor string, limit int) (*models.AppPage, error) {
	limit = min(max(limit, 1), models.MaxAppLimit)
	q := s.db.WithContext(ctx).Model(&models.App{}).Where("developer_account_id = ?", accountID)
	apps, next, err := keysetPage(q, cursor, limit, func(a *models.App) models.Cursor { return models.Cursor{CreatedAt: a.CreatedAt, ID: a.ID} })
	if err != nil {
		return nil, storeError("list apps", err)
	}
	return &models.AppPage{Apps: apps, NextCursor: next}, nil
}

// UpdateAppListing changes the listing fields of app id that in sets and
// records app.updated naming the fields that changed. Every rule a saved
// listing keeps is checked at once: a broken one is an invalid error
// ("invalid_listing") listing each bad field, and nothing changes. It
// returns a not-found error ("app_not_found") when there is no such app.
func (s *Apps) UpdateAppListing(ctx context.Context, id uuid.UUID, in models.AppListingUpdate) (*models.App, error) {
	var app models.App
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&app, "id = ?", id).Error; err != nil {
			return err
		}
		before := app
		in.Apply(&app)
		if probs := models.ListingProblems(&app, s.urls); len(probs) > 0 {
			return models.Invalid("invalid_listing", "Some listing fields need fixing; nothing was saved.", probs...)
		}
		changed := models.ChangedListingFields(&before, &app)
		if len(changed) == 0 {
			return nil
		}
		app.UpdatedAt = s.now()
		if err := tx.Model(&app).Select("*").Omit("id", "developer_account_id", "slug", "created_at").Updates(&app).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventAppUpdated, DeveloperAccountID: &app.DeveloperAccountID, AppID: &app.ID,
			Data: models.JSONMap{"fields": changed}})
	})
	if err != nil {
		return nil, storeError("update app listing", notFoundAs(err, models.ErrAppNotFound))
	}
	return &app, nil
}
