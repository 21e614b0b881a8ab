package models_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"appstore/models"
	"appstore/models/modeltest"
)

// completeApp passes every publication check, screenshots included.
func completeApp() *models.App {
	text := strings.Repeat("x", 100)
	return &models.App{
		Title: "Complete", Category: "analytics",
		Description: text, Overview: text, ContentHowItWorks: text, ContentConfigure: text,
		WebsiteURL: "https://example.com", DocsURL: "https://example.com/docs",
		ContactURL: "https://example.com/contact", TermsURL: "http://example.com/terms",
		ScreenshotURLs: models.StringList{"https://example.com/shot.png"},
	}
}

func TestPublishChecks(t *testing.T) {
	t.Parallel()
	goodOAuth := &models.PublishOAuth{Enabled: true, EntrypointURL: "https://example.com/start",
		Scopes: []string{"openid"}, RedirectURIs: []string{"https://example.com/cb"}}
	tests := []struct {
		name  string
		edit  func(a *models.App)
		oauth *models.PublishOAuth
		conns []models.PublishConnection
		want  []string // codes, in order
	}{
		{"complete", nil, nil, nil, nil},
		{"no category", func(a *models.App) { a.Category = "" }, nil, nil, []string{"category_missing"}},
		{"unknown category", func(a *models.App) { a.Category = "games" }, nil, nil, []string{"category_invalid"}},
		{"description missing", func(a *models.App) { a.Description = "   " }, nil, nil, []string{"description_missing"}},
		{"description 99", func(a *models.App) { a.Description = strings.Repeat("é", 99) }, nil, nil, []string{"description_length"}},
		{"description 100 multibyte", func(a *models.App) { a.Description = strings.Repeat("é", 100) }, nil, nil, nil},
		{"description 3000", func(a *models.App) { a.Description = strings.Repeat("d", 3000) }, nil, nil, nil},
		{"description 3001", func(a *models.App) { a.Description = strings.Repeat("d", 3001) }, nil, nil, []string{"description_length"}},
		{"description 99 after trimming", func(a *models.App) { a.Description = "  " + strings.Repeat("d", 99) + "\n" }, nil, nil, []string{"description_length"}},
		{"overview missing", func(a *models.App) { a.Overview = "" }, nil, nil, []string{"overview_missing"}},
		{"overview 99", func(a *models.App) { a.Overview = strings.Repeat("o", 99) }, nil, nil, []string{"overview_length"}},
		{"overview 3001", func(a *models.App) { a.Overview = strings.Repeat("o", 3001) }, nil, nil, []string{"overview_length"}},
		{"how it works missing", func(a *models.App) { a.ContentHowItWorks = "" }, nil, nil, []string{"content_how_it_works_missing"}},
		{"how it works 99", func(a *models.App) { a.ContentHowItWorks = strings.Repeat("h", 99) }, nil, nil, []string{"content_how_it_works_length"}},
		{"how it works 3000", func(a *models.App) { a.ContentHowItWorks = strings.Repeat("h", 3000) }, nil, nil, nil},
		{"configure 3001", func(a *models.App) { a.ContentConfigure = strings.Repeat("c", 3001) }, nil, nil, []string{"content_configure_length"}},
		{"configure missing", func(a *models.App) { a.ContentConfigure = "" }, nil, nil, []string{"content_configure_missing"}},
		{"website missing", func(a *models.App) { a.WebsiteURL = "" }, nil, nil, []string{"website_url_missing"}},
		{"docs relative", func(a *models.App) { a.DocsURL = "/docs" }, nil, nil, []string{"docs_url_invalid"}},
		{"contact mailto", func(a *models.App) { a.ContactURL = "mailto:hi@example.com" }, nil, nil, []string{"contact_url_invalid"}},
		{"terms ftp", func(a *models.App) { a.TermsURL = "ftp://example.com/terms" }, nil, nil, []string{"terms_url_invalid"}},
		{"terms with credentials", func(a *models.App) { a.TermsURL = "https://u:p@example.com" }, nil, nil, []string{"terms_url_invalid"}},
		{"support is optional", func(a *models.App) { a.SupportURL = "" }, nil, nil, nil},
		{"callback https", func(a *models.App) { a.CallbackURL = "https://app.example.com/cb" }, nil, nil, nil},
		{"callback plain http", func(a *models.App) { a.CallbackURL = "http://evil.example/cb" }, nil, nil, []string{"callback_url_invalid"}},
		{"callback with fragment", func(a *models.App) { a.CallbackURL = "https://app.example.com/cb#frag" }, nil, nil, []string{"callback_url_invalid"}},
		{"callback wildcard", func(a *models.App) { a.CallbackURL = "https://*.x/cb" }, nil, nil, []string{"callback_url_invalid"}},
		{"callback loopback", func(a *models.App) { a.CallbackURL = "https://127.0.0.1/cb" }, nil, nil, []string{"callback_url_invalid"}},
		{"callback private address", func(a *models.App) { a.CallbackURL = "https://10.0.0.1/cb" }, nil, nil, []string{"callback_url_invalid"}},
		{"no screenshots warns", func(a *models.App) { a.ScreenshotURLs = nil }, nil, nil, []string{"screenshots_recommended"}},
		{"oauth complete", nil, goodOAuth, nil, nil},
		{"oauth disabled is not checked", nil, &models.PublishOAuth{Enabled: false}, nil, nil},
		{"oauth enabled and empty", nil, &models.PublishOAuth{Enabled: true}, nil,
			[]string{"oauth_entrypoint_missing", "oauth_scopes_missing", "oauth_redirect_uris_missing"}},
		{"oauth without redirect", nil, &models.PublishOAuth{Enabled: true, EntrypointURL: "https://e.com", Scopes: []string{"openid"}}, nil,
			[]string{"oauth_redirect_uris_missing"}},
		{"complete connections", nil, nil, []models.PublishConnection{{Key: "crm", Type: "oauth2"}, {Key: "key", Type: "api_key"}}, nil},
		{"incomplete oauth2 connections, one check each", nil, nil, []models.PublishConnection{
			{Key: "crm", Type: "oauth2", Problems: []string{"token URL missing"}},
			{Key: "mail", Type: "oauth2", Problems: []string{"client ID missing", "client secret missing"}},
		}, []string{"connection_incomplete", "connection_incomplete"}},
		{"everything missing", func(a *models.App) { *a = models.App{} }, nil, nil, []string{
			"category_missing", "description_missing", "overview_missing", "content_how_it_works_missing",
			"content_configure_missing", "website_url_missing", "docs_url_missing", "contact_url_missing",
			"terms_url_missing", "screenshots_recommended"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := completeApp()
			if tt.edit != nil {
				tt.edit(app)
			}
			checks := models.PublishChecks(app, tt.oauth, tt.conns, true)
			if got := modeltest.Codes(checks); !slices.Equal(got, append([]string{}, tt.want...)) {
				t.Fatalf("checks %v, want %v", got, tt.want)
			}
			wantBlocking := slices.ContainsFunc(tt.want, func(c string) bool { return c != "screenshots_recommended" })
			if models.Blocking(checks) != wantBlocking {
				t.Fatalf("Blocking = %v, want %v", !wantBlocking, wantBlocking)
			}
			for _, c := range checks {
				if c.Field == "" || c.Message == "" {
					t.Errorf("check %+v lacks a field or a message", c)
				}
				wantSeverity := models.CheckError
				if c.Code == "screenshots_recommended" {
					wantSeverity = models.CheckWarning
				}
				if c.Severity != wantSeverity {
					t.Errorf("check %s severity %s, want %s", c.Code, c.Severity, wantSeverity)
				}
			}
		})
	}
}

// TestPublishChecksCallbackInDevelopment: development keeps allowing an
// http callback on this machine, as redirect URIs do.
func TestPublishChecksCallbackInDevelopment(t *testing.T) {
	t.Parallel()
	app := completeApp()
	app.CallbackURL = "http://localhost:8090/callback"
	if checks := models.PublishChecks(app, nil, nil, false); models.Blocking(checks) {
		t.Fatalf("development: %v", modeltest.Codes(checks))
	}
	if checks := models.PublishChecks(app, nil, nil, true); !slices.Contains(modeltest.Codes(checks), "callback_url_invalid") {
		t.Fatalf("production: %v, want callback_url_invalid", modeltest.Codes(checks))
	}
}

func TestPublishChecksNameConnections(t *testing.T) {
	t.Parallel()
	checks := models.PublishChecks(completeApp(), nil, []models.PublishConnection{
		{Key: "crm", Type: "oauth2", Problems: []string{"token URL missing", "client secret missing"}}}, true)
	if len(checks) != 1 || checks[0].Field != "connections.crm" ||
		!strings.Contains(checks[0].Message, `"crm"`) || !strings.Contains(checks[0].Message, "token URL missing; client secret missing") {
		t.Fatalf("checks %+v, want one naming crm and its problems", checks)
	}
}

func TestCanTransitionApp(t *testing.T) {
	t.Parallel()
	all := []models.PublicationStatus{models.AppUnpublished, models.AppPublished, models.AppSuspended}
	allowed := map[[2]models.PublicationStatus]bool{
		{models.AppUnpublished, models.AppPublished}: true,
		{models.AppPublished, models.AppUnpublished}: true,
		{models.AppPublished, models.AppSuspended}:   true,
		{models.AppSuspended, models.AppPublished}:   true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := models.CanTransitionApp(from, to); got != allowed[[2]models.PublicationStatus{from, to}] {
				t.Errorf("CanTransitionApp(%s, %s) = %v", from, to, got)
			}
		}
	}
}

// FuzzPublishChecks: any listing gives checks without panicking, each with
// a field, a message and a known severity, and the length rules agree with
// a plain character count.
func FuzzPublishChecks(f *testing.F) {
	f.Add("analytics", strings.Repeat("d", 100), "https://example.com", "")
	f.Add("", "\u00a0é", "http://[::1", "x")
	f.Fuzz(func(t *testing.T, category, description, website, overview string) {
		app := completeApp()
		app.Category, app.Description, app.WebsiteURL, app.Overview = category, description, website, overview
		checks := models.PublishChecks(app, &models.PublishOAuth{Enabled: true}, nil, true)
		for _, c := range checks {
			if c.Field == "" || c.Message == "" || (c.Severity != models.CheckError && c.Severity != models.CheckWarning) {
				t.Fatalf("bad check %+v", c)
			}
		}
		n := utf8.RuneCountInString(strings.TrimSpace(description))
		lengthFails := slices.ContainsFunc(checks, func(c models.PublishCheck) bool { return strings.HasPrefix(c.Code, "description_") })
		if lengthFails != (n < 100 || n > 3000) {
			t.Fatalf("description of %d characters: checks %v", n, modeltest.Codes(checks))
		}
	})
}
