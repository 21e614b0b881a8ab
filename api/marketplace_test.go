package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/postgres"
)

// newMarketplaceHarness is a harness whose database also holds the
// first-party catalog of seed 002.
func newMarketplaceHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	withEncryption(t, h)
	if _, err := h.store.SeedCatalog(context.Background(), catalogURLs); err != nil {
		t.Fatalf("seed catalog: %v", err)
	}
	return h
}

// catalogURLs point the seeded apps at the example app's default address.
var catalogURLs = postgres.CatalogURLs{ExampleAppURL: "http://localhost:8090"}

type catalogAnswer struct {
	Items       []models.CatalogItem `json:"items"`
	Development []models.CatalogItem `json:"development"`
	NextCursor  string               `json:"next_cursor"`
}

func catalogSlugs(items []models.CatalogItem) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Slug)
	}
	return strings.Join(out, ",")
}

func TestMarketplaceAPI(t *testing.T) {
	t.Parallel()
	h := newMarketplaceHarness(t)
	member := h.login("member@acme.test")

	rec := h.do(req{method: "GET", path: "/api/v1/marketplace/apps"})
	wantProblem(t, rec, http.StatusUnauthorized, "unauthenticated")

	tests := []struct {
		query, want string
	}{
		{"q=crm", "crm"},
		{"q=" + urlEscape(`"shared inbox"`), "customer-service"},
		{"category=sales", "crm"},
		{"q=dashboards&category=analytics", "analytics"},
		{"q=dashboards&category=sales", ""},
	}
	for _, tt := range tests {
		rec := h.do(req{method: "GET", path: "/api/v1/marketplace/apps?" + tt.query, bearer: member})
		wantStatus(t, rec, http.StatusOK)
		var page catalogAnswer
		decode(t, rec, &page)
		if got := catalogSlugs(page.Items); got != tt.want {
			t.Errorf("%s: items %q, want %q", tt.query, got, tt.want)
		}
	}

	// Paging: four apps, two to a page.
	rec = h.do(req{method: "GET", path: "/api/v1/marketplace/apps?limit=2", bearer: member})
	wantStatus(t, rec, http.StatusOK)
	var first, second catalogAnswer
	decode(t, rec, &first)
	rec = h.do(req{method: "GET", path: "/api/v1/marketplace/apps?limit=2&cursor=" + first.NextCursor, bearer: member})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &second)
	if len(first.Items) != 2 || len(second.Items) != 2 || second.NextCursor != "" {
		t.Fatalf("pages %q / %q (next %q)", catalogSlugs(first.Items), catalogSlugs(second.Items), second.NextCursor)
	}

	rec = h.do(req{method: "GET", path: "/api/v1/marketplace/apps/crm", bearer: member})
	wantStatus(t, rec, http.StatusOK)
	var crm models.CatalogListing
	decode(t, rec, &crm)
	if crm.Developer.Slug != postgres.CatalogAccountSlug || !crm.IsFirstParty || len(crm.Releases) != 1 || crm.CurrentVersion == nil {
		t.Fatalf("crm listing %+v", crm)
	}
	if strings.Contains(rec.Body.String(), "whsec_") || strings.Contains(rec.Body.String(), "webhook_url") {
		t.Fatal("the marketplace listing exposes webhook details")
	}
	rec = h.do(req{method: "GET", path: "/api/v1/marketplace/apps/no-such-app", bearer: member})
	wantProblem(t, rec, http.StatusNotFound, "app_not_found")
}

func TestMarketplaceAPIBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	member := h.login("member@acme.test")
	tests := []struct {
		name, query, code string
	}{
		{"unknown category", "category=games", "unknown_category"},
		{"query too long", "q=" + strings.Repeat("x", models.MaxCatalogQueryLen+1), "query_too_long"},
		{"bad cursor", "cursor=not-a-cursor", "invalid_cursor"},
		{"bad limit", "limit=0", "invalid_limit"},
		{"limit not a number", "limit=ten", "invalid_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.do(req{method: "GET", path: "/api/v1/marketplace/apps?" + tt.query, bearer: member})
			wantProblem(t, rec, http.StatusUnprocessableEntity, tt.code)
		})
	}
}

// A development deployment shows its app to the target organization's
// members only, in the development section, and nowhere else.
func TestMarketplaceAPIDevelopmentVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t)
	dev, err := h.store.GetUserByEmail(ctx, "dev@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	orgs, accounts, err := h.store.Memberships(ctx, dev.ID)
	if err != nil || len(orgs) != 1 || len(accounts) != 1 {
		t.Fatalf("dev's memberships %v %v %v", orgs, accounts, err)
	}
	app, err := h.store.CreateApp(ctx, accounts[0].ID, "sandbox-helper", "Sandbox Helper")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.store.CreateDevelopmentDeployment(ctx, app.ID, models.DevelopmentDeploymentInput{TargetOrganizationID: orgs[0].ID}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		email string
		sees  bool
	}{
		{"dev@acme.test", true},     // admin of Acme Sandbox, the target
		{"owner@acme.test", true},   // its owner
		{"member@acme.test", false}, // member of Acme only
	} {
		token := h.login(tt.email)
		rec := h.do(req{method: "GET", path: "/api/v1/marketplace/apps", bearer: token})
		wantStatus(t, rec, http.StatusOK)
		var page catalogAnswer
		decode(t, rec, &page)
		want := ""
		if tt.sees {
			want = "sandbox-helper"
		}
		if got := catalogSlugs(page.Development); got != want || len(page.Items) != 0 {
			t.Errorf("%s: development %q items %q, want %q and none", tt.email, got, catalogSlugs(page.Items), want)
		}
		rec = h.do(req{method: "GET", path: "/api/v1/marketplace/apps/sandbox-helper", bearer: token})
		if !tt.sees {
			wantProblem(t, rec, http.StatusNotFound, "app_not_found")
			continue
		}
		wantStatus(t, rec, http.StatusOK)
		var l models.CatalogListing
		decode(t, rec, &l)
		if !l.Development || l.PublicationStatus != models.AppUnpublished {
			t.Errorf("%s: listing development %v status %s", tt.email, l.Development, l.PublicationStatus)
		}
	}
}
