package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

var errAppNotFound = &Error{Kind: KindNotFound, Code: "app_not_found", Message: "No such app."}

// CheckAppSlug normalises raw and says whether an app could take it now
// (DESIGN §5: the slug rules, not reserved, unique among apps). Creating the
// app checks again: the unique index is the final word. It returns an error
// only when the database fails.
func (s *Store) CheckAppSlug(ctx context.Context, raw string) (*SlugCheck, error) {
	slug := NormalizeSlug(raw)
	if reason, msg := slugProblem(raw, slug); reason != "" {
		return &SlugCheck{Slug: slug, Reason: reason, Message: msg}, nil
	}
	var found struct{ Reserved, Taken bool }
	err := s.db.WithContext(ctx).Raw(`SELECT
		EXISTS (SELECT 1 FROM reserved_slugs WHERE slug = @s) AS reserved,
		EXISTS (SELECT 1 FROM apps WHERE slug = @s) AS taken`,
		map[string]any{"s": slug}).Scan(&found).Error
	if err != nil {
		return nil, fmt.Errorf("store: check app slug: %w", err)
	}
	switch {
	case found.Reserved:
		return &SlugCheck{Slug: slug, Reason: SlugReserved, Message: slugReservedMessage}, nil
	case found.Taken:
		return &SlugCheck{Slug: slug, Reason: SlugTaken, Message: slugTakenMessage}, nil
	}
	return &SlugCheck{Slug: slug, Available: true}, nil
}

// CreateApp creates an unpublished app of developer account accountID and
// records app.created. rawSlug is normalised (DESIGN §5). It returns an
// invalid error ("invalid_slug", "slug_reserved", "invalid_title"), a
// not-found error when the account does not exist, and a conflict
// ("slug_taken") when another app has the slug — also one created
// concurrently, which the unique index decides.
func (s *Store) CreateApp(ctx context.Context, accountID uuid.UUID, rawSlug, title string) (*App, error) {
	slug := NormalizeSlug(rawSlug)
	if reason, msg := slugProblem(rawSlug, slug); reason != "" {
		return nil, Invalid("invalid_slug", msg, FieldError{Field: "slug", Message: reason})
	}
	title = strings.TrimSpace(title)
	if probs := listingProblems(&App{Title: title}, s.urls); len(probs) > 0 {
		return nil, Invalid("invalid_title", fmt.Sprintf("Give the app a title of 1 to %d characters.", MaxAppTitleLen), probs...)
	}
	now := s.now()
	app := &App{ID: newID(), DeveloperAccountID: accountID, Slug: slug, Title: title,
		ScreenshotURLs: StringList{}, Features: StringList{}, RequiredScopes: StringList{},
		PublicationStatus: AppUnpublished, IsFree: true, CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var reserved bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM reserved_slugs WHERE slug = ?)`, slug).Scan(&reserved).Error; err != nil {
			return err
		}
		if reserved {
			return Invalid("slug_reserved", slugReservedMessage, FieldError{Field: "slug", Message: SlugReserved})
		}
		// Share-locks the account: it cannot vanish under the new app.
		var found []uuid.UUID
		if err := tx.Raw(`SELECT id FROM developer_accounts WHERE id = ? FOR SHARE`, accountID).Scan(&found).Error; err != nil {
			return err
		}
		if len(found) == 0 {
			return errDeveloperAccountNotFound
		}
		if err := tx.Create(app).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{Type: EventAppCreated, DeveloperAccountID: &accountID, AppID: &app.ID,
			Data: JSONMap{"slug": slug, "title": title}})
	})
	if isUniqueViolation(err, "apps_slug_key") {
		return nil, &Error{Kind: KindConflict, Code: "slug_taken", Message: slugTakenMessage,
			Fields: []FieldError{{Field: "slug", Message: SlugTaken}}, Err: err}
	}
	if err != nil {
		return nil, storeError("create app", err)
	}
	return app, nil
}

// GetApp returns the app with id, or a not-found error ("app_not_found").
func (s *Store) GetApp(ctx context.Context, id uuid.UUID) (*App, error) {
	var app App
	err := s.db.WithContext(ctx).First(&app, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errAppNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get app: %w", err)
	}
	return &app, nil
}

// ListApps returns a page of developer account accountID's apps, newest
// first. limit is clamped to 1..MaxAppLimit; a bad cursor is an invalid
// error ("invalid_cursor").
func (s *Store) ListApps(ctx context.Context, accountID uuid.UUID, cursor string, limit int) (*AppPage, error) {
	limit = min(max(limit, 1), MaxAppLimit)
	q := s.db.WithContext(ctx).Model(&App{}).Where("developer_account_id = ?", accountID)
	apps, next, err := keysetPage(q, cursor, limit, func(a *App) Cursor { return Cursor{CreatedAt: a.CreatedAt, ID: a.ID} })
	if err != nil {
		return nil, storeError("list apps", err)
	}
	return &AppPage{Apps: apps, NextCursor: next}, nil
}

// UpdateAppListing changes the listing fields of app id that in sets and
// records app.updated naming the fields that changed. Every rule a saved
// listing keeps is checked at once: a broken one is an invalid error
// ("invalid_listing") listing each bad field, and nothing changes. It
// returns a not-found error ("app_not_found") when there is no such app.
func (s *Store) UpdateAppListing(ctx context.Context, id uuid.UUID, in AppListingUpdate) (*App, error) {
	var app App
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&app, "id = ?", id).Error; err != nil {
			return err
		}
		before := app
		in.apply(&app)
		if probs := listingProblems(&app, s.urls); len(probs) > 0 {
			return Invalid("invalid_listing", "Some listing fields need fixing; nothing was saved.", probs...)
		}
		changed := changedListingFields(&before, &app)
		if len(changed) == 0 {
			return nil
		}
		app.UpdatedAt = s.now()
		if err := tx.Model(&app).Select("*").Omit("id", "developer_account_id", "slug", "created_at").Updates(&app).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{Type: EventAppUpdated, DeveloperAccountID: &app.DeveloperAccountID, AppID: &app.ID,
			Data: JSONMap{"fields": changed}})
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errAppNotFound
	}
	if err != nil {
		return nil, storeError("update app listing", err)
	}
	return &app, nil
}

// changedListingFields names the listing fields that differ between a and b.
func changedListingFields(a, b *App) []string {
	var out []string
	eq := func(field string, same bool) {
		if !same {
			out = append(out, field)
		}
	}
	eqPrice := func(x, y *string) bool { return (x == nil && y == nil) || (x != nil && y != nil && *x == *y) }
	eq("title", a.Title == b.Title)
	eq("description", a.Description == b.Description)
	eq("category", a.Category == b.Category)
	eq("avatar_url", a.AvatarURL == b.AvatarURL)
	eq("screenshot_urls", slices.Equal(a.ScreenshotURLs, b.ScreenshotURLs))
	eq("website_url", a.WebsiteURL == b.WebsiteURL)
	eq("docs_url", a.DocsURL == b.DocsURL)
	eq("contact_url", a.ContactURL == b.ContactURL)
	eq("support_url", a.SupportURL == b.SupportURL)
	eq("terms_url", a.TermsURL == b.TermsURL)
	eq("overview", a.Overview == b.Overview)
	eq("content_how_it_works", a.ContentHowItWorks == b.ContentHowItWorks)
	eq("content_configure", a.ContentConfigure == b.ContentConfigure)
	eq("app_url", a.AppURL == b.AppURL)
	eq("callback_url", a.CallbackURL == b.CallbackURL)
	eq("is_free", a.IsFree == b.IsFree)
	eq("monthly_price", eqPrice(a.MonthlyPrice, b.MonthlyPrice))
	eq("features", slices.Equal(a.Features, b.Features))
	eq("required_scopes", slices.Equal(a.RequiredScopes, b.RequiredScopes))
	return out
}
