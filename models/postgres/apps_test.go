package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

var appSeq atomic.Int64

// createApp creates an app with a unique slug in acct.
func createApp(t *testing.T, s *postgres.Store, acct *models.DeveloperAccount) *models.App {
	t.Helper()
	n := appSeq.Add(1)
	app, err := s.CreateApp(context.Background(), acct.ID, fmt.Sprintf("app-%d", n), fmt.Sprintf("App %d", n))
	if err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	return app
}

func ptr[T any](v T) *T { return &v }

func TestCreateApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)

	app, err := s.CreateApp(models.WithActor(ctx, admin.ID), acct.ID, "  My CRM_Sync! ", "  CRM Sync ")
	if err != nil {
		t.Fatal(err)
	}
	if app.Slug != "my-crm-sync" || app.Title != "CRM Sync" || app.PublicationStatus != models.AppUnpublished || !app.IsFree {
		t.Fatalf("created %+v", app)
	}
	got, err := s.GetApp(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != app.Slug || got.DeveloperAccountID != acct.ID || got.Features == nil || got.ReviewStatus != "" {
		t.Fatalf("stored %+v", got)
	}
	e := onlyEvent(t, s, models.EventAppCreated)
	wantEvent(t, e, acct.ID, &admin.ID, map[string]any{"slug": "my-crm-sync", "title": "CRM Sync"})
	if e.AppID == nil || *e.AppID != app.ID {
		t.Fatalf("event app %v, want %s", e.AppID, app.ID)
	}

	tests := []struct {
		slug, title string
		kind        models.Kind
		code        string
	}{
		{"ab", "Title", models.KindInvalid, "invalid_slug"},
		{"!!!", "Title", models.KindInvalid, "invalid_slug"},
		{strings.Repeat("x", 49), "Title", models.KindInvalid, "invalid_slug"},
		{"OAuth", "Title", models.KindInvalid, "slug_reserved"},
		{"fine-app", "  ", models.KindInvalid, "invalid_title"},
		{"fine-app", strings.Repeat("é", 101), models.KindInvalid, "invalid_title"},
		{"my crm sync", "Again", models.KindConflict, "slug_taken"},
	}
	before := countRows(t, s, "apps")
	for _, tt := range tests {
		de := modeltest.WantError(t, func() error { _, err := s.CreateApp(ctx, acct.ID, tt.slug, tt.title); return err }(), tt.kind, tt.code)
		if len(de.Fields) == 0 {
			t.Errorf("%q/%q: error names no field", tt.slug, tt.title)
		}
	}
	if after := countRows(t, s, "apps"); after != before {
		t.Fatalf("rejected creates left %d apps, want %d", after, before)
	}
	// An app slug may equal a developer account's: they are unique among apps.
	if _, err := s.CreateApp(ctx, acct.ID, acct.Slug, "Same as the account"); err != nil {
		t.Fatalf("app slug equal to an account slug: %v", err)
	}
	_, err = s.GetApp(ctx, admin.ID)
	modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
}

func TestCheckAppSlug(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	acct := createAccount(t, s, createUser(t, s, models.PlatformRoleNone))
	if _, err := s.CreateApp(ctx, acct.ID, "taken-app", "Taken"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ raw, slug, reason string }{
		{"Fresh App", "fresh-app", ""},
		{"abc", "abc", ""},
		{strings.Repeat("a", 48), strings.Repeat("a", 48), ""},
		{strings.Repeat("a", 49), strings.Repeat("a", 49), models.SlugTooLong},
		{"ab", "ab", models.SlugTooShort},
		{"", "", models.SlugTooShort},
		{"!!!", "", models.SlugInvalid},
		{"Apps", "apps", models.SlugReserved},
		{" login ", "login", models.SlugReserved},
		{"Taken_App", "taken-app", models.SlugTaken},
		{acct.Slug, acct.Slug, ""},
	}
	for _, tt := range tests {
		got, err := s.CheckAppSlug(ctx, tt.raw)
		if err != nil {
			t.Fatal(err)
		}
		if got.Slug != tt.slug || got.Reason != tt.reason || got.Available != (tt.reason == "") || (got.Message == "") != got.Available {
			t.Errorf("CheckAppSlug(%q) = %+v, want slug %q reason %q", tt.raw, got, tt.slug, tt.reason)
		}
	}
}

func TestListApps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct, other := createAccount(t, s, admin), createAccount(t, s, admin)
	var want []string
	for range 5 {
		want = append([]string{createApp(t, s, acct).Slug}, want...) // newest first
	}
	createApp(t, s, other)
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		page, err := s.ListApps(ctx, acct.ID, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Apps {
			got = append(got, a.Slug)
		}
		if cursor = page.NextCursor; cursor == "" || pages > 5 {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages gave %v, want %v", got, want)
	}
	_, err := s.ListApps(ctx, acct.ID, "garbage", 2)
	modeltest.WantError(t, err, models.KindInvalid, "invalid_cursor")
}

func TestUpdateAppListing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	app := createApp(t, s, acct)

	got, err := s.UpdateAppListing(models.WithActor(ctx, admin.ID), app.ID, models.AppListingUpdate{
		Title: ptr("  New title "), Category: ptr("sales"), WebsiteURL: ptr(" https://example.com "),
		Features: &[]string{" Sync ", "Sync", "", "Reports"}, RequiredScopes: &[]string{"openid", "contacts:read"},
		ScreenshotURLs: &[]string{"https://example.com/a.png"}, IsFree: ptr(false), MonthlyPrice: ptr("007.5"),
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.GetApp(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*models.App{got, stored} {
		if a.Title != "New title" || a.Category != "sales" || a.WebsiteURL != "https://example.com" ||
			!slices.Equal(a.Features, models.StringList{"Sync", "Reports"}) || len(a.RequiredScopes) != 2 ||
			a.IsFree || a.MonthlyPrice == nil || *a.MonthlyPrice != "7.50" || a.Slug != app.Slug {
			t.Fatalf("after update %+v (price %v)", a, a.MonthlyPrice)
		}
	}
	e := onlyEvent(t, s, models.EventAppUpdated)
	wantEvent(t, e, acct.ID, &admin.ID, map[string]any{
		"fields": []any{"title", "category", "screenshot_urls", "website_url", "is_free", "monthly_price", "features", "required_scopes"}})

	// The same values again change nothing and record nothing.
	if _, err := s.UpdateAppListing(ctx, app.ID, models.AppListingUpdate{MonthlyPrice: ptr("7.5"), Title: ptr("New title")}); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, s, models.EventAppUpdated); n != 1 {
		t.Fatalf("%d app.updated events after a no-op update, want 1", n)
	}

	tooMany := make([]string, 21)
	for i := range tooMany {
		tooMany[i] = fmt.Sprint("feature ", i)
	}
	tests := []struct {
		name   string
		in     models.AppListingUpdate
		fields []string
	}{
		{"empty title", models.AppListingUpdate{Title: ptr(" ")}, []string{"title"}},
		{"unknown category", models.AppListingUpdate{Category: ptr("games")}, []string{"category"}},
		{"description too long", models.AppListingUpdate{Description: ptr(strings.Repeat("d", 3001))}, []string{"description"}},
		{"relative url", models.AppListingUpdate{DocsURL: ptr("/docs")}, []string{"docs_url"}},
		{"javascript url", models.AppListingUpdate{AppURL: ptr("javascript:alert(1)")}, []string{"app_url"}},
		{"url with credentials", models.AppListingUpdate{CallbackURL: ptr("https://a:b@example.com/cb")}, []string{"callback_url"}},
		{"callback over http", models.AppListingUpdate{CallbackURL: ptr("http://evil.example/cb")}, []string{"callback_url"}},
		{"callback with fragment", models.AppListingUpdate{CallbackURL: ptr("https://app.example/cb#frag")}, []string{"callback_url"}},
		{"callback wildcard", models.AppListingUpdate{CallbackURL: ptr("https://*.x/cb")}, []string{"callback_url"}},
		{"callback private address", models.AppListingUpdate{CallbackURL: ptr("http://10.0.0.1/cb")}, []string{"callback_url"}},
		{"callback loopback", models.AppListingUpdate{CallbackURL: ptr("https://localhost/cb")}, []string{"callback_url"}},
		{"bad screenshot", models.AppListingUpdate{ScreenshotURLs: &[]string{"https://ok.example/a.png", "nope"}}, []string{"screenshot_urls[1]"}},
		{"21 features", models.AppListingUpdate{Features: &tooMany}, []string{"features"}},
		{"long feature", models.AppListingUpdate{Features: &[]string{strings.Repeat("f", 201)}}, []string{"features[0]"}},
		{"unknown scope", models.AppListingUpdate{RequiredScopes: &[]string{"openid", "root:all"}}, []string{"required_scopes[1]"}},
		{"negative price", models.AppListingUpdate{MonthlyPrice: ptr("-1")}, []string{"monthly_price"}},
		{"three decimals", models.AppListingUpdate{MonthlyPrice: ptr("1.999")}, []string{"monthly_price"}},
		{"free with a price", models.AppListingUpdate{IsFree: ptr(true)}, []string{"monthly_price"}},
		{"several at once", models.AppListingUpdate{Title: ptr(""), TermsURL: ptr("ftp://x")}, []string{"title", "terms_url"}},
	}
	for _, tt := range tests {
		de := modeltest.WantError(t, func() error { _, err := s.UpdateAppListing(ctx, app.ID, tt.in); return err }(), models.KindInvalid, "invalid_listing")
		var fields []string
		for _, f := range de.Fields {
			fields = append(fields, f.Field)
		}
		if !slices.Equal(fields, tt.fields) {
			t.Errorf("%s: fields %v, want %v", tt.name, fields, tt.fields)
		}
	}
	after, _ := s.GetApp(ctx, app.ID)
	if after.UpdatedAt != stored.UpdatedAt || after.Title != "New title" {
		t.Fatal("a rejected update changed the app")
	}
	// 20 features of 200 characters, free again with the price removed: fine.
	twenty := tooMany[:20]
	twenty[0] = strings.Repeat("é", 200)
	if _, err := s.UpdateAppListing(ctx, app.ID, models.AppListingUpdate{Features: &twenty, IsFree: ptr(true), MonthlyPrice: ptr("")}); err != nil {
		t.Fatalf("boundary update: %v", err)
	}
	_, err = s.UpdateAppListing(ctx, admin.ID, models.AppListingUpdate{Title: ptr("x")})
	modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
}

// fillListing makes app pass every publication check.
func fillListing(t *testing.T, s *postgres.Store, app *models.App) {
	t.Helper()
	text := strings.Repeat("t", 100)
	_, err := s.UpdateAppListing(context.Background(), app.ID, models.AppListingUpdate{
		Category: ptr("analytics"), Description: &text, Overview: &text, ContentHowItWorks: &text, ContentConfigure: &text,
		WebsiteURL: ptr("https://example.com"), DocsURL: ptr("https://example.com/docs"),
		ContactURL: ptr("https://example.com/contact"), TermsURL: ptr("https://example.com/terms"),
	})
	if err != nil {
		t.Fatal(err)
	}
}

// setStatus forces app's publication status, as a published deployment
// (a later issue) would allow.
func setStatus(t *testing.T, s *postgres.Store, app *models.App, st models.PublicationStatus) {
	t.Helper()
	if err := s.Gorm().Exec(`UPDATE apps SET publication_status = ? WHERE id = ?`, st, app.ID).Error; err != nil {
		t.Fatal(err)
	}
}

func TestAppPublishChecksStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	app := createApp(t, s, createAccount(t, s, createUser(t, s, models.PlatformRoleNone)))

	checks, err := s.PublishChecks(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !models.Blocking(checks) || !slices.Contains(modeltest.Codes(checks), "category_missing") {
		t.Fatalf("a new app's checks %v", modeltest.Codes(checks))
	}
	fillListing(t, s, app)
	if checks, err = s.PublishChecks(ctx, app.ID); err != nil || models.Blocking(checks) {
		t.Fatalf("a filled listing: %v %v", modeltest.Codes(checks), err)
	}
	// The preview judges the draft and saves nothing.
	preview, err := s.PreviewPublishChecks(ctx, app.ID, models.AppListingUpdate{Overview: ptr("short"), ScreenshotURLs: &[]string{"https://e.com/a.png"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(modeltest.Codes(preview), []string{"overview_length"}) {
		t.Fatalf("preview %v, want overview_length only", modeltest.Codes(preview))
	}
	if stored, _ := s.GetApp(ctx, app.ID); stored.Overview != strings.Repeat("t", 100) {
		t.Fatal("the preview changed the app")
	}
	// An enabled OAuth client with nothing configured blocks publication.
	if err := s.Gorm().Exec(`INSERT INTO oauth_clients (id, app_id, client_id, secret_hash, secret_generation, enabled)
		VALUES (gen_random_uuid(), ?, 'asc_test_'||gen_random_uuid(), sha256('x'), 1, true)`, app.ID).Error; err != nil {
		t.Fatal(err)
	}
	checks, err = s.PublishChecks(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(modeltest.Codes(checks), "oauth_redirect_uris_missing") {
		t.Fatalf("with an unconfigured OAuth client: %v", modeltest.Codes(checks))
	}
	_, err = s.PublishChecks(ctx, app.DeveloperAccountID)
	modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
}

func TestSetAppPublicationStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)

	// Publishing: the checks first, then the published deployment nobody has yet.
	app := createApp(t, s, acct)
	de := modeltest.WantError(t, func() error { _, err := s.SetAppPublicationStatus(ctx, app.ID, models.AppPublished); return err }(),
		models.KindInvalid, "publish_checks_failed")
	if len(de.Fields) == 0 || de.Fields[0].Field != "category" {
		t.Fatalf("publish_checks_failed fields %+v", de.Fields)
	}
	fillListing(t, s, app)
	_, err := s.SetAppPublicationStatus(ctx, app.ID, models.AppPublished)
	modeltest.WantError(t, err, models.KindConflict, "no_published_deployment")
	if got, _ := s.GetApp(ctx, app.ID); got.PublicationStatus != models.AppUnpublished {
		t.Fatalf("refused publication left status %s", got.PublicationStatus)
	}

	tests := []struct {
		from, to models.PublicationStatus
		code     string // "" when allowed
		event    models.EventType
	}{
		{models.AppUnpublished, models.AppUnpublished, "invalid_transition", ""},
		{models.AppUnpublished, models.AppSuspended, "invalid_transition", ""},
		{models.AppPublished, models.AppUnpublished, "", models.EventAppUnpublished},
		{models.AppPublished, models.AppSuspended, "", models.EventAppSuspended},
		{models.AppPublished, models.AppPublished, "invalid_transition", ""},
		{models.AppSuspended, models.AppPublished, "", models.EventAppRestored},
		{models.AppSuspended, models.AppUnpublished, "invalid_transition", ""},
		{models.AppSuspended, models.AppSuspended, "invalid_transition", ""},
	}
	for _, tt := range tests {
		app := createApp(t, s, acct)
		setStatus(t, s, app, tt.from)
		got, err := s.SetAppPublicationStatus(models.WithActor(ctx, admin.ID), app.ID, tt.to)
		if tt.code != "" {
			de := modeltest.WantError(t, err, models.KindConflict, tt.code)
			if !strings.Contains(de.Message, string(tt.from)) {
				t.Errorf("%s -> %s: message %q does not name the current status", tt.from, tt.to, de.Message)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s -> %s: %v", tt.from, tt.to, err)
		}
		if stored, _ := s.GetApp(ctx, app.ID); got.PublicationStatus != tt.to || stored.PublicationStatus != tt.to {
			t.Fatalf("%s -> %s: status %s, stored %s", tt.from, tt.to, got.PublicationStatus, stored.PublicationStatus)
		}
		var events []models.Event
		if err := s.Gorm().Where("type = ? AND app_id = ?", tt.event, app.ID).Find(&events).Error; err != nil || len(events) != 1 {
			t.Fatalf("%s -> %s: %d %s events (%v), want 1", tt.from, tt.to, len(events), tt.event, err)
		}
		wantEvent(t, events[0], acct.ID, &admin.ID, map[string]any{"from": tt.from, "to": tt.to})
	}
	_, err = s.SetAppPublicationStatus(ctx, acct.ID, models.AppPublished)
	modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
}
