package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"appstore/models"
)

// Every app page renders for members of the app's developer account, is
// read-only for members, 404 for anyone else and asks visitors to sign in.
func TestAppPagesAuthorization(t *testing.T) {
	h := newHarness(t)
	withEncryption(t, h)
	tm := newTeam(t, h)
	ctx := context.Background()
	app := newApp(t, h, tm.acme, models.AppUnpublished)
	_, secret, _, err := h.store.EnableOAuth(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.CreateConnectionDefinition(ctx, app.ID, models.ConnectionDefinitionInput{
		Key: "crm", Type: models.ConnectionOAuth2, DisplayName: "CRM", AuthorizeURL: "https://crm.example/authorize",
		TokenURL: "https://crm.example/token", ClientID: "crm-client", ClientSecret: "crm-provider-secret"}); err != nil {
		t.Fatal(err)
	}
	base := "/apps/" + app.ID.String()
	pages := []struct{ path, want string }{
		{"/developer-accounts/" + tm.acme.String() + "/apps", app.Slug},
		{base, "Publish checklist"},
		{base + "/oauth", "Client secrets"},
		{base + "/connections", "secret set"},
		{base + "/logs", "app.created"},
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			for _, who := range []struct {
				name, cookie string
			}{{"member", tm.member}, {"admin", tm.admin}} {
				rec := h.do(req{method: "GET", path: p.path, cookie: who.cookie})
				wantStatus(t, rec, http.StatusOK)
				body := rec.Body.String()
				if !strings.Contains(body, p.want) {
					t.Fatalf("%s: page lacks %q:\n%s", who.name, p.want, body)
				}
				for _, leak := range []string{secret, "crm-provider-secret"} {
					if strings.Contains(body, leak) {
						t.Fatalf("%s: page shows a secret", who.name)
					}
				}
			}
			rec := h.do(req{method: "GET", path: p.path, cookie: tm.outsider})
			wantStatus(t, rec, http.StatusNotFound)
			if strings.Contains(rec.Body.String(), app.Slug) {
				t.Fatal("the 404 page names the app")
			}
			rec = h.do(req{method: "GET", path: p.path})
			if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
				t.Fatalf("anonymous: %d %q", rec.Code, rec.Header().Get("Location"))
			}
		})
	}

	// Members read; admins get the controls.
	controls := map[string]string{
		"/developer-accounts/" + tm.acme.String() + "/apps": `data-testid="create-app"`,
		base:                  `data-testid="save-listing"`,
		base + "/oauth":       `data-oauth-action="rotate"`,
		base + "/connections": `data-connection-create`,
	}
	for path, control := range controls {
		if body := h.do(req{method: "GET", path: path, cookie: tm.member}).Body.String(); strings.Contains(body, control) {
			t.Errorf("member sees %s on %s", control, path)
		}
		if body := h.do(req{method: "GET", path: path, cookie: tm.admin}).Body.String(); !strings.Contains(body, control) {
			t.Errorf("admin lacks %s on %s", control, path)
		}
	}

	for _, path := range []string{"/apps/not-a-uuid", "/apps/0196a0c4-0000-7000-8000-000000000000/oauth", "/developer-accounts/" + tm.other.String() + "/apps"} {
		wantStatus(t, h.do(req{method: "GET", path: path, cookie: tm.member}), http.StatusNotFound)
	}
}

var nextPageLink = regexp.MustCompile(`href="([^"]+)" data-testid="next-page"`)

// The logs tab filters the app's events by type, text and time and pages
// through them with the keyset cursor.
func TestAppLogsPage(t *testing.T) {
	h := newHarness(t)
	tm := newTeam(t, h)
	ctx := context.Background()
	app := newApp(t, h, tm.acme, models.AppUnpublished)
	other := newApp(t, h, tm.acme, models.AppUnpublished)
	for i := range models.DefaultEventLimit + 5 {
		title := fmt.Sprintf("Title number %d", i)
		if _, err := h.store.UpdateAppListing(ctx, app.ID, models.AppListingUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
	}
	logs := "/apps/" + app.ID.String() + "/logs"
	get := func(path string) string {
		t.Helper()
		rec := h.do(req{method: "GET", path: path, cookie: tm.member})
		wantStatus(t, rec, http.StatusOK)
		return rec.Body.String()
	}
	rows := func(body, typ string) int { return strings.Count(body, `data-event="`+typ+`"`) }

	first := get(logs)
	if n := rows(first, "app.updated"); n != models.DefaultEventLimit {
		t.Fatalf("first page has %d updates, want %d", n, models.DefaultEventLimit)
	}
	if strings.Contains(first, other.Slug) {
		t.Fatal("another app's events on this app's log")
	}
	m := nextPageLink.FindStringSubmatch(first)
	if m == nil {
		t.Fatal("no next page link")
	}
	next := get(strings.ReplaceAll(m[1], "&amp;", "&"))
	if rows(next, "app.updated") != 5 || rows(next, "app.created") != 1 || nextPageLink.MatchString(next) {
		t.Fatalf("second page: %d updates, %d created, next link %v", rows(next, "app.updated"), rows(next, "app.created"), nextPageLink.MatchString(next))
	}

	typed := get(logs + "?type=app.created")
	if rows(typed, "app.created") != 1 || rows(typed, "app.updated") != 0 {
		t.Fatal("type filter")
	}
	if !strings.Contains(typed, `<option value="app.created" selected>`) {
		t.Fatal("the type filter is not kept in the form")
	}
	searched := get(logs + "?q=" + url.QueryEscape("created"))
	if rows(searched, "app.created") != 1 {
		t.Fatalf("search found %d app.created", rows(searched, "app.created"))
	}
	if body := get(logs + "?from=2999-01-01T00:00"); rows(body, "app.updated") != 0 || !strings.Contains(body, "No events match.") {
		t.Fatal("from filter")
	}
	if body := get(logs + "?to=2000-01-01"); rows(body, "app.created") != 0 {
		t.Fatal("to filter")
	}

	rec := h.do(req{method: "GET", path: logs + "?from=yesterday", cookie: tm.member})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(rec.Body.String(), "is not a time") {
		t.Fatalf("bad time: %s", rec.Body.String())
	}
	rec = h.do(req{method: "GET", path: logs + "?cursor=garbage", cookie: tm.member})
	if rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest {
		t.Fatalf("bad cursor: %d", rec.Code)
	}
}
