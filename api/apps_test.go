package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

var apiAppSeq atomic.Int64

// newApp creates an app of account in status st.
func newApp(t *testing.T, h *harness, account uuid.UUID, st models.PublicationStatus) *models.App {
	t.Helper()
	n := apiAppSeq.Add(1)
	app, err := h.store.CreateApp(context.Background(), account, fmt.Sprintf("api-app-%d", n), fmt.Sprintf("API App %d", n))
	if err != nil {
		t.Fatal(err)
	}
	if st != models.AppUnpublished {
		if err := h.store.Gorm().Exec(`UPDATE apps SET publication_status = ? WHERE id = ?`, st, app.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func TestAppAuthorization(t *testing.T) {
	h := newHarness(t)
	tm := newTeam(t, h)
	staff := h.login("staff@appstore.test")
	app := newApp(t, h, tm.acme, models.AppUnpublished)
	apps := "/api/v1/developer-accounts/" + tm.acme.String() + "/apps"
	path := "/api/v1/apps/" + app.ID.String()
	fresh := func(st models.PublicationStatus, suffix string) func(t *testing.T) string {
		return func(t *testing.T) string { return "/api/v1/apps/" + newApp(t, h, tm.acme, st).ID.String() + suffix }
	}

	type want struct{ anonymous, member, admin, outsider, staff int }
	cases := []struct {
		name, method string
		path         func(t *testing.T) string
		body         any
		want         want
	}{
		{"categories", "GET", fixed("/api/v1/app-categories"), nil, want{401, 200, 200, 200, 200}},
		{"scopes", "GET", fixed("/api/v1/app-scopes"), nil, want{401, 200, 200, 200, 200}},
		{"slug availability", "GET", fixed("/api/v1/apps/slug-availability?slug=fresh-app"), nil, want{401, 200, 200, 200, 200}},
		{"list apps", "GET", fixed(apps), nil, want{401, 200, 200, 404, 404}},
		{"create app", "POST", func(*testing.T) string { return apps }, nil, want{401, 403, 0, 404, 404}},
		{"view app", "GET", fixed(path), nil, want{401, 200, 200, 404, 404}},
		{"edit listing", "PATCH", fixed(path), map[string]any{"category": "sales"}, want{401, 403, 200, 404, 404}},
		{"publish checks", "GET", fixed(path + "/publish-checks"), nil, want{401, 200, 200, 404, 404}},
		{"preview checks", "POST", fixed(path + "/publish-checks/preview"), map[string]any{"overview": "x"}, want{401, 200, 200, 404, 404}},
		// An empty listing fails the checks: the admin got past authorization.
		{"publish", "POST", fresh(models.AppUnpublished, "/publish"), nil, want{401, 403, 422, 404, 404}},
		{"publish a suspended app", "POST", fresh(models.AppSuspended, "/publish"), nil, want{401, 403, 403, 404, 404}},
		{"unpublish", "POST", fresh(models.AppPublished, "/unpublish"), nil, want{401, 403, 200, 404, 404}},
		{"suspend", "POST", fresh(models.AppPublished, "/suspend"), nil, want{401, 403, 403, 403, 200}},
		{"restore", "POST", fresh(models.AppSuspended, "/restore"), nil, want{401, 403, 403, 403, 200}},
		{"unknown app", "GET", fixed("/api/v1/apps/" + uuid.NewString()), nil, want{401, 404, 404, 404, 404}},
		{"malformed app id", "GET", fixed("/api/v1/apps/nope"), nil, want{401, 404, 404, 404, 404}},
	}
	callers := []struct {
		name, session string
		pick          func(want) int
	}{
		{"anonymous", "", func(w want) int { return w.anonymous }},
		{"member", tm.member, func(w want) int { return w.member }},
		{"admin", tm.admin, func(w want) int { return w.admin }},
		{"admin of another account", tm.outsider, func(w want) int { return w.outsider }},
		{"platform staff", staff, func(w want) int { return w.staff }},
	}
	for _, tc := range cases {
		for _, who := range callers {
			t.Run(tc.name+"/"+who.name, func(t *testing.T) {
				body := tc.body
				if tc.name == "create app" {
					body = map[string]any{"slug": "authz-" + uuid.NewString()[:8], "title": "Authz"}
				}
				if body == nil && tc.method == "POST" {
					body = map[string]any{}
				}
				r := req{method: tc.method, path: tc.path(t), body: body, cookie: who.session}
				if who.session == "" && tc.method != "GET" {
					r.headers = map[string]string{"Origin": testOrigin}
				}
				want := who.pick(tc.want)
				if want == 0 {
					want = http.StatusCreated
				}
				if rec := h.do(r); rec.Code != want {
					t.Fatalf("%s %s as %s: %d, want %d; %s", tc.method, r.path, who.name, rec.Code, want, rec.Body.String())
				}
			})
		}
	}
}

func TestAppLifecycleAPI(t *testing.T) {
	h := newHarness(t)
	tm := newTeam(t, h)
	apps := "/api/v1/developer-accounts/" + tm.acme.String() + "/apps"

	rec := h.do(req{method: "POST", path: apps, cookie: tm.admin, body: map[string]any{"slug": "  Ticket Sync! ", "title": "Ticket Sync"}})
	wantStatus(t, rec, http.StatusCreated)
	var app models.App
	decode(t, rec, &app)
	if app.Slug != "ticket-sync" || app.PublicationStatus != models.AppUnpublished || app.Features == nil {
		t.Fatalf("created %+v", app)
	}
	wantProblem(t, h.do(req{method: "POST", path: apps, cookie: tm.admin, body: map[string]any{"slug": "ticket_sync", "title": "Again"}}), 409, "slug_taken")
	wantProblem(t, h.do(req{method: "POST", path: apps, cookie: tm.admin, body: map[string]any{"slug": "apps", "title": "Reserved"}}), 422, "slug_reserved")

	var check models.SlugCheck
	decode(t, h.do(req{method: "GET", path: "/api/v1/apps/slug-availability?slug=" + urlEscape("Ticket Sync"), cookie: tm.member}), &check)
	if check.Available || check.Reason != models.SlugTaken || check.Slug != "ticket-sync" {
		t.Fatalf("slug check %+v", check)
	}

	var page models.AppPage
	decode(t, h.do(req{method: "GET", path: apps + "?limit=1", cookie: tm.member}), &page)
	if len(page.Apps) != 1 || page.Apps[0].ID != app.ID {
		t.Fatalf("list %+v", page)
	}

	path := "/api/v1/apps/" + app.ID.String()
	p := wantProblem(t, h.do(req{method: "PATCH", path: path, cookie: tm.admin,
		body: map[string]any{"docs_url": "/docs", "monthly_price": "-3"}}), 422, "invalid_listing")
	if len(p.Errors) != 2 {
		t.Fatalf("errors %+v, want docs_url and monthly_price", p.Errors)
	}
	wantProblem(t, h.do(req{method: "PATCH", path: path, cookie: tm.admin, body: map[string]any{"verified": true}}), 422, "unknown_field")

	var checks struct {
		Checks   []models.PublishCheck `json:"checks"`
		Blocking bool                  `json:"blocking"`
	}
	decode(t, h.do(req{method: "GET", path: path + "/publish-checks", cookie: tm.member}), &checks)
	if !checks.Blocking || len(checks.Checks) == 0 {
		t.Fatalf("checks of an empty listing %+v", checks)
	}

	text := strings.Repeat("t", 100)
	listing := map[string]any{"category": "analytics", "description": text, "overview": text,
		"content_how_it_works": text, "content_configure": text, "website_url": "https://example.com",
		"docs_url": "https://example.com/docs", "contact_url": "https://example.com/contact", "terms_url": "https://example.com/terms"}
	// The preview judges the draft and saves nothing.
	rec = h.do(req{method: "POST", path: path + "/publish-checks/preview", cookie: tm.admin, body: listing})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &checks)
	if checks.Blocking || len(checks.Checks) != 1 || checks.Checks[0].Code != "screenshots_recommended" {
		t.Fatalf("preview of a complete draft %+v", checks)
	}
	if stored, _ := h.store.GetApp(context.Background(), app.ID); stored.Category != "" {
		t.Fatal("the preview saved the draft")
	}

	rec = h.do(req{method: "PATCH", path: path, cookie: tm.admin, body: listing})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &app)
	if app.Category != "analytics" {
		t.Fatalf("after PATCH %+v", app)
	}
	wantProblem(t, h.do(req{method: "POST", path: path + "/publish", cookie: tm.admin, body: map[string]any{}}), 409, "no_published_deployment")
	wantProblem(t, h.do(req{method: "POST", path: path + "/unpublish", cookie: tm.admin, body: map[string]any{}}), 409, "invalid_transition")

	var cats struct{ Categories []string }
	decode(t, h.do(req{method: "GET", path: "/api/v1/app-categories", cookie: tm.member}), &cats)
	if !slices.Equal(cats.Categories, models.AppCategories) {
		t.Fatalf("categories %v", cats.Categories)
	}
	var scopes struct{ Scopes []string }
	decode(t, h.do(req{method: "GET", path: "/api/v1/app-scopes", cookie: tm.member}), &scopes)
	if !slices.Equal(scopes.Scopes, models.AppScopes) {
		t.Fatalf("scopes %v", scopes.Scopes)
	}

	// Events carry the actor and the app.
	var events []models.Event
	if err := h.store.Gorm().Where("app_id = ?", app.ID).Order("created_at, id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	var types []models.EventType
	for _, e := range events {
		types = append(types, e.Type)
		if e.ActorID == nil || *e.ActorID != userID(t, h, "dev@acme.test") || e.RequestID == "" {
			t.Errorf("event %s: actor %v request %q", e.Type, e.ActorID, e.RequestID)
		}
	}
	if !slices.Equal(types, []models.EventType{models.EventAppCreated, models.EventAppUpdated}) {
		t.Fatalf("events %v", types)
	}

	// Staff suspend and restore a published app.
	staff := h.login("staff@appstore.test")
	if err := h.store.Gorm().Exec(`UPDATE apps SET publication_status = 'published' WHERE id = ?`, app.ID).Error; err != nil {
		t.Fatal(err)
	}
	wantStatus(t, h.do(req{method: "POST", path: path + "/suspend", cookie: staff, body: map[string]any{}}), 200)
	wantProblem(t, h.do(req{method: "POST", path: path + "/suspend", cookie: staff, body: map[string]any{}}), 409, "invalid_transition")
	wantProblem(t, h.do(req{method: "POST", path: path + "/unpublish", cookie: tm.admin, body: map[string]any{}}), 409, "invalid_transition")
	rec = h.do(req{method: "POST", path: path + "/restore", cookie: staff, body: map[string]any{}})
	wantStatus(t, rec, 200)
	decode(t, rec, &app)
	if app.PublicationStatus != models.AppPublished {
		t.Fatalf("restored status %s", app.PublicationStatus)
	}
}
