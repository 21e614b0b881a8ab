package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

type eventsPage struct {
	Events []struct {
		ID             string         `json:"id"`
		Type           string         `json:"type"`
		OrganizationID *string        `json:"organization_id"`
		Data           map[string]any `json:"data"`
		RequestID      string         `json:"request_id"`
		RequestPath    string         `json:"request_path"`
	} `json:"events"`
	NextCursor string `json:"next_cursor"`
}

func orgID(t *testing.T, h *harness, email, name string) uuid.UUID {
	t.Helper()
	u, err := h.store.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	orgs, _, err := h.store.Memberships(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Name == name {
			return o.ID
		}
	}
	t.Fatalf("%s is not in %s", email, name)
	return uuid.Nil
}

func TestEventsVisibilityAndFilters(t *testing.T) {
	h := newHarness(t)
	acme := orgID(t, h, "owner@acme.test", "Acme")
	foreign := uuid.Must(uuid.NewV7())
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, e := range []models.Event{
		{Type: "app.installed", OrganizationID: &acme, Data: models.JSONMap{"app": "weather widget"}, CreatedAt: base},
		{Type: "app.installed", OrganizationID: &foreign, Data: models.JSONMap{"app": "secret crm"}, CreatedAt: base.Add(time.Minute)},
		{Type: "app.uninstalled", OrganizationID: &acme, Data: models.JSONMap{"app": "old dashboard"}, CreatedAt: base.Add(2 * time.Minute)},
	} {
		if err := h.store.RecordEvent(ctx, e); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	member := h.login("member@acme.test")
	list := func(query string) eventsPage {
		t.Helper()
		rec := h.do(req{method: "GET", path: "/api/v1/events?" + query, cookie: member})
		wantStatus(t, rec, http.StatusOK)
		var p eventsPage
		decode(t, rec, &p)
		return p
	}
	types := func(p eventsPage) []string {
		var out []string
		for _, e := range p.Events {
			out = append(out, e.Type)
		}
		return out
	}

	all := list("type=app.installed,app.uninstalled")
	if got := types(all); len(got) != 2 || got[0] != "app.uninstalled" || got[1] != "app.installed" {
		t.Fatalf("member sees %v; want Acme's two events, newest first, and not the foreign one", got)
	}
	if got := types(list("q=weather")); len(got) != 1 || got[0] != "app.installed" {
		t.Fatalf("q=weather: %v", got)
	}
	if got := types(list("q=secret")); len(got) != 0 {
		t.Fatalf("search must not find other organizations' events: %v", got)
	}
	if got := types(list("type=app.uninstalled")); len(got) != 1 {
		t.Fatalf("type filter: %v", got)
	}
	window := "from=" + url.QueryEscape(base.Format(time.RFC3339)) + "&to=" + url.QueryEscape(base.Add(2*time.Minute).Format(time.RFC3339))
	if got := types(list("type=app.installed,app.uninstalled&" + window)); len(got) != 1 || got[0] != "app.installed" {
		t.Fatalf("time window [from, to): %v", got)
	}
	if got := list("organization=" + foreign.String()); len(got.Events) != 0 {
		t.Fatalf("filtering by a foreign org must show nothing: %v", types(got))
	}

	// Personal events: the member's own sign-in is visible to them, not to others.
	mine := list("type=auth.login")
	if len(mine.Events) != 1 || mine.Events[0].RequestPath != "/api/v1/auth/exchange" || mine.Events[0].RequestID == "" {
		t.Fatalf("own login event = %+v", mine.Events)
	}
	owner := h.login("owner@acme.test")
	rec := h.do(req{method: "GET", path: "/api/v1/events?type=auth.login", cookie: owner})
	var ownerView eventsPage
	decode(t, rec, &ownerView)
	if len(ownerView.Events) != 1 {
		t.Fatalf("owner must see only their own login, got %d", len(ownerView.Events))
	}

	// Staff admins see every organization's events.
	staff := h.login("staff@appstore.test")
	rec = h.do(req{method: "GET", path: "/api/v1/events?type=app.installed", cookie: staff})
	var staffView eventsPage
	decode(t, rec, &staffView)
	if len(staffView.Events) != 2 {
		t.Fatalf("staff sees %d app.installed events, want 2", len(staffView.Events))
	}
}

func TestEventsPagingOverHTTP(t *testing.T) {
	h := newHarness(t)
	acme := orgID(t, h, "owner@acme.test", "Acme")
	same := time.Date(2026, 5, 5, 5, 5, 5, 0, time.UTC)
	want := map[string]bool{}
	for range 40 {
		e := models.Event{ID: uuid.Must(uuid.NewV7()), Type: "probe", OrganizationID: &acme, CreatedAt: same}
		if err := h.store.RecordEvent(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		want[e.ID.String()] = true
	}
	session := h.login("owner@acme.test")
	seen := map[string]bool{}
	cursor, pages := "", 0
	for {
		rec := h.do(req{method: "GET", path: "/api/v1/events?type=probe&limit=7&cursor=" + cursor, cookie: session})
		wantStatus(t, rec, http.StatusOK)
		var p eventsPage
		decode(t, rec, &p)
		pages++
		for _, e := range p.Events {
			if seen[e.ID] {
				t.Fatalf("event %s served twice", e.ID)
			}
			seen[e.ID] = true
		}
		if p.NextCursor == "" {
			break
		}
		cursor = url.QueryEscape(p.NextCursor)
	}
	if len(seen) != len(want) || pages != 6 {
		t.Fatalf("saw %d events in %d pages, want %d in 6", len(seen), pages, len(want))
	}
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/events?cursor=bm90LWEtY3Vyc29y", cookie: session}), 422, "invalid_cursor")
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/events?limit=201", cookie: session}), 422, "invalid_limit")
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/events?limit=0", cookie: session}), 422, "invalid_limit")
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/events?from=yesterday", cookie: session}), 422, "invalid_query")
}
