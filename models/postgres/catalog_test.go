package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// listingRow is an app written straight into the table, for catalog tests
// that need many apps in exact states without going through review.
type listingRow struct {
	Slug, Title, Description, Category string
	Features                           []string
	Status                             models.PublicationStatus
	CreatedAt                          time.Time
}

// insertListings bulk-inserts rows into account acct, 1,000 to a
// statement, and returns their ids in order.
func insertListings(t testing.TB, s *postgres.Store, acct uuid.UUID, rows []listingRow) []uuid.UUID {
	t.Helper()
	ids := make([]uuid.UUID, len(rows))
	for start := 0; start < len(rows); start += 1000 {
		end := min(start+1000, len(rows))
		var sql strings.Builder
		sql.WriteString(`INSERT INTO apps (id, developer_account_id, slug, title, description, category, features,
			publication_status, is_free, created_at, updated_at) VALUES `)
		var args []any
		for i, r := range rows[start:end] {
			if i > 0 {
				sql.WriteString(",")
			}
			sql.WriteString("(?, ?, ?, ?, ?, ?, ?::jsonb, ?, true, ?, ?)")
			id := uuid.Must(uuid.NewV7())
			ids[start+i] = id
			status := r.Status
			if status == "" {
				status = models.AppPublished
			}
			feats := models.StringList(r.Features)
			if feats == nil {
				feats = models.StringList{}
			}
			raw, _ := feats.Value()
			args = append(args, id, acct, r.Slug, r.Title, r.Description, r.Category, raw, string(status), r.CreatedAt, r.CreatedAt)
		}
		if err := s.Gorm().Exec(sql.String(), args...).Error; err != nil {
			t.Fatalf("insert listings: %v", err)
		}
	}
	return ids
}

func slugsOf(items []models.CatalogItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Slug)
	}
	return out
}

func TestListMarketplaceAppsSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	acct := createAccount(t, s, createUser(t, s, models.PlatformRoleNone))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	insertListings(t, s, acct.ID, []listingRow{
		{Slug: "ticket-desk", Title: "Ticket Desk", Description: "Answer customers from one inbox.", Category: "customer-support", CreatedAt: t0},
		{Slug: "pipeline", Title: "Pipeline", Description: "Deals and tickets in one sales view.", Category: "sales", CreatedAt: t0.Add(time.Hour)},
		{Slug: "forecast", Title: "Forecast", Description: "Revenue projections.", Category: "sales", Features: []string{"Ticket import"}, CreatedAt: t0.Add(2 * time.Hour)},
		{Slug: "survey", Title: "Survey", Description: "Forms for customer feedback.", Category: "forms-survey", CreatedAt: t0.Add(3 * time.Hour)},
		{Slug: "draft-tickets", Title: "Draft Tickets", Description: "Not listed yet.", Category: "customer-support", Status: models.AppUnpublished, CreatedAt: t0.Add(4 * time.Hour)},
		{Slug: "banned-tickets", Title: "Banned Tickets", Description: "Taken down.", Category: "customer-support", Status: models.AppSuspended, CreatedAt: t0.Add(5 * time.Hour)},
	})
	tests := []struct {
		name string
		f    models.CatalogFilter
		want []string
	}{
		// Weights: title (A) over description (B) over features (C).
		{"ranked by field weight", models.CatalogFilter{Query: "tickets"}, []string{"ticket-desk", "pipeline", "forecast"}},
		{"stemming and case", models.CatalogFilter{Query: "TICKETING"}, []string{"ticket-desk", "pipeline", "forecast"}},
		{"category narrows a search", models.CatalogFilter{Query: "ticket", Category: "sales"}, []string{"pipeline", "forecast"}},
		{"websearch minus", models.CatalogFilter{Query: "ticket -sales"}, []string{"ticket-desk", "forecast"}},
		{"websearch or", models.CatalogFilter{Query: "revenue or feedback"}, []string{"forecast", "survey"}},
		{"quoted phrase", models.CatalogFilter{Query: `"one inbox"`}, []string{"ticket-desk"}},
		{"no match", models.CatalogFilter{Query: "spreadsheet"}, []string{}},
		{"stop words only match nothing", models.CatalogFilter{Query: "the and"}, []string{}},
		{"no query: newest first", models.CatalogFilter{}, []string{"survey", "forecast", "pipeline", "ticket-desk"}},
		{"no query, category", models.CatalogFilter{Category: "sales"}, []string{"forecast", "pipeline"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.ListMarketplaceApps(ctx, nil, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := slugsOf(page.Items); !slices.Equal(got, tt.want) {
				t.Errorf("items %v, want %v", got, tt.want)
			}
			if page.NextCursor != "" || len(page.Development) != 0 {
				t.Errorf("next %q development %v, want neither", page.NextCursor, page.Development)
			}
		})
	}
}

func TestListMarketplaceAppsPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	acct := createAccount(t, s, createUser(t, s, models.PlatformRoleNone))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []listingRow
	for i := range 11 {
		// Equal texts give equal ranks, so the id alone orders the search;
		// two apps share a created_at, so the id breaks that tie too.
		rows = append(rows, listingRow{Slug: fmt.Sprintf("helpdesk-%02d", i), Title: "Helpdesk", Description: "Tickets.",
			Category: "customer-support", CreatedAt: t0.Add(time.Duration(i/2) * time.Minute)})
	}
	rows[3].Description = "Tickets and helpdesk chat for helpdesk teams." // ranks first
	insertListings(t, s, acct.ID, rows)

	for _, q := range []string{"helpdesk", ""} {
		t.Run("q="+q, func(t *testing.T) {
			var seen []string
			cursor, pages := "", 0
			for {
				page, err := s.ListMarketplaceApps(ctx, nil, models.CatalogFilter{Query: q, Cursor: cursor, Limit: 4})
				if err != nil {
					t.Fatal(err)
				}
				pages++
				seen = append(seen, slugsOf(page.Items)...)
				if cursor = page.NextCursor; cursor == "" {
					break
				}
				if len(page.Items) != 4 {
					t.Fatalf("a page before the last has %d items", len(page.Items))
				}
			}
			if pages != 3 || len(seen) != 11 {
				t.Fatalf("%d pages, %d items (%v), want 3 and 11", pages, len(seen), seen)
			}
			uniq := slices.Clone(seen)
			slices.Sort(uniq)
			if len(slices.Compact(uniq)) != 11 {
				t.Fatalf("pages repeat items: %v", seen)
			}
			if q != "" && seen[0] != "helpdesk-03" {
				t.Errorf("first result %s, want the best ranked helpdesk-03", seen[0])
			}
			if q == "" && !strings.HasPrefix(seen[0], "helpdesk-1") {
				t.Errorf("first result %s, want the newest", seen[0])
			}
		})
	}
}

func TestListMarketplaceAppsBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	acct := createAccount(t, s, createUser(t, s, models.PlatformRoleNone))
	var rows []listingRow
	for i := range 3 {
		rows = append(rows, listingRow{Slug: fmt.Sprintf("crm-%d", i), Title: "CRM", Category: "sales", CreatedAt: time.Now()})
	}
	insertListings(t, s, acct.ID, rows)
	ranked, err := s.ListMarketplaceApps(ctx, nil, models.CatalogFilter{Query: "crm", Limit: 1})
	if err != nil || ranked.NextCursor == "" {
		t.Fatalf("first search page: %v %+v", err, ranked)
	}
	newest, err := s.ListMarketplaceApps(ctx, nil, models.CatalogFilter{Limit: 1})
	if err != nil || newest.NextCursor == "" {
		t.Fatalf("first page: %v %+v", err, newest)
	}
	tests := []struct {
		name string
		f    models.CatalogFilter
		code string
	}{
		{"unknown category", models.CatalogFilter{Category: "games"}, "unknown_category"},
		{"query too long", models.CatalogFilter{Query: strings.Repeat("a", models.MaxCatalogQueryLen+1)}, "query_too_long"},
		{"negative limit", models.CatalogFilter{Limit: -1}, "invalid_catalog_filter"},
		{"garbage cursor", models.CatalogFilter{Cursor: "!!"}, "invalid_cursor"},
		{"search cursor without the search", models.CatalogFilter{Cursor: ranked.NextCursor}, "invalid_cursor"},
		{"newest cursor in a search", models.CatalogFilter{Query: "crm", Cursor: newest.NextCursor}, "invalid_cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ListMarketplaceApps(ctx, nil, tt.f)
			modeltest.WantError(t, err, models.KindInvalid, tt.code)
		})
	}
	// At the limit is fine.
	if _, err := s.ListMarketplaceApps(ctx, nil, models.CatalogFilter{Query: strings.Repeat("é", models.MaxCatalogQueryLen)}); err != nil {
		t.Fatalf("query of %d characters: %v", models.MaxCatalogQueryLen, err)
	}
}

// TestCatalogSearchUsesIndex checks that on a catalog of a few thousand
// analysed apps the planner answers a selective search through the GIN
// index. (A word found in a large share of apps is rightly read by a
// sequential scan: the benchmark's vocabulary is small on purpose.)
func TestCatalogSearchUsesIndex(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	acct := createAccount(t, s, createUser(t, s, models.PlatformRoleNone))
	rows := generatedListings(3000)
	rows[1234].Description += " Now with zebrafish tracking."
	insertListings(t, s, acct.ID, rows)
	if err := s.Gorm().Exec(`VACUUM ANALYZE apps`).Error; err != nil {
		t.Fatal(err)
	}
	var plan []string
	if err := s.Gorm().Raw(`EXPLAIN SELECT a.id FROM apps a, websearch_to_tsquery('english', 'zebrafish') q
		WHERE a.search_vector @@ q AND a.publication_status = 'published'`).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "apps_search_idx") {
		t.Fatalf("plan does not use apps_search_idx:\n%s", strings.Join(plan, "\n"))
	}
}

func TestMarketplaceDevelopmentVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	dev := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, dev)
	app := createApp(t, s, acct)
	if _, err := s.UpdateAppListing(ctx, app.ID, models.AppListingUpdate{Description: ptr("Work in progress tickets app."), Category: ptr("customer-support")}); err != nil {
		t.Fatal(err)
	}
	target := createOrg(t, s, dev)
	member := createUser(t, s, models.PlatformRoleNone)
	addOrgMember(t, s, target, member, models.OrgRoleMember)
	outsider := createUser(t, s, models.PlatformRoleNone)
	createOrg(t, s, outsider)
	if _, _, err := s.CreateDevelopmentDeployment(ctx, app.ID, models.DevelopmentDeploymentInput{TargetOrganizationID: target.ID}); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name   string
		viewer *uuid.UUID
		sees   bool
	}{
		{"member of the target organization", &member.ID, true},
		{"owner of the target organization", &dev.ID, true},
		{"member of another organization", &outsider.ID, false},
		{"nobody signed in", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.ListMarketplaceApps(ctx, tt.viewer, models.CatalogFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != 0 {
				t.Errorf("the unpublished app is among the published items: %v", slugsOf(page.Items))
			}
			want := []string{}
			if tt.sees {
				want = []string{app.Slug}
			}
			if got := slugsOf(page.Development); !slices.Equal(got, want) {
				t.Errorf("development %v, want %v", got, want)
			}
			if tt.sees && !page.Development[0].Development {
				t.Error("development item not marked development")
			}
			// The development section follows the search too.
			page, err = s.ListMarketplaceApps(ctx, tt.viewer, models.CatalogFilter{Query: "spreadsheet"})
			if err != nil || len(page.Development) != 0 {
				t.Errorf("search without a match: %v %v", err, slugsOf(page.Development))
			}
			l, err := s.GetMarketplaceApp(ctx, app.Slug, tt.viewer)
			if !tt.sees {
				modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !l.Development || !slices.Equal(l.DevelopmentOrganizations, []uuid.UUID{target.ID}) {
				t.Errorf("listing development %v orgs %v", l.Development, l.DevelopmentOrganizations)
			}
		})
	}
	// Suspension hides it from everyone, development or not.
	if err := s.Gorm().Exec(`UPDATE apps SET publication_status = 'suspended' WHERE id = ?`, app.ID).Error; err != nil {
		t.Fatal(err)
	}
	_, err := s.GetMarketplaceApp(ctx, app.Slug, &member.ID)
	modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
	page, err := s.ListMarketplaceApps(ctx, &member.ID, models.CatalogFilter{})
	if err != nil || len(page.Development) != 0 {
		t.Fatalf("suspended app in development section: %v %v", err, slugsOf(page.Development))
	}
}

func TestSeedCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	s.SetEncrypter(modeltest.NewEncrypter(t))
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	urls := postgres.CatalogURLs{ExampleAppURL: "http://localhost:8090"}
	res, err := s.SeedCatalog(ctx, urls)
	if err != nil {
		t.Fatalf("SeedCatalog: %v", err)
	}
	if !strings.HasPrefix(res.WebhookSecret, models.WebhookSecretPrefix) {
		t.Fatalf("first run gave webhook secret %q, want a new whsec_ secret", res.WebhookSecret)
	}
	if !slices.Contains(res.Created, "listing crm published") || !slices.Contains(res.Created, "developer account appstore-labs") {
		t.Fatalf("created %v", res.Created)
	}
	before := rowCounts(t, s)
	again, err := s.SeedCatalog(ctx, urls)
	if err != nil {
		t.Fatalf("second SeedCatalog: %v", err)
	}
	if len(again.Created) != 0 || again.WebhookSecret != "" {
		t.Fatalf("second run created %v (secret given: %v)", again.Created, again.WebhookSecret != "")
	}
	if after := rowCounts(t, s); !mapsEqual(before, after) {
		t.Fatalf("second run changed row counts: %v -> %v", before, after)
	}

	page, err := s.ListMarketplaceApps(ctx, nil, models.CatalogFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := slugsOf(page.Items)
	slices.Sort(got)
	if want := []string{"analytics", "bot", "crm", "customer-service"}; !slices.Equal(got, want) {
		t.Fatalf("marketplace %v, want %v", got, want)
	}
	for _, it := range page.Items {
		if !it.IsFirstParty || !it.Verified || it.CurrentVersion == nil || *it.CurrentVersion == "" {
			t.Errorf("%s: first party %v verified %v version %v", it.Slug, it.IsFirstParty, it.Verified, it.CurrentVersion)
		}
	}
	crm, err := s.GetMarketplaceApp(ctx, "crm", nil)
	if err != nil {
		t.Fatal(err)
	}
	if crm.Developer.Slug != "appstore-labs" || len(crm.Releases) != 1 || crm.Releases[0].Status != models.DeploymentPublished ||
		crm.IsFree || crm.MonthlyPrice == nil || len(crm.RequiredScopes) == 0 || len(crm.ScreenshotURLs) == 0 {
		t.Fatalf("crm listing %+v", crm)
	}
	app, err := s.GetApp(ctx, crm.ID)
	if err != nil {
		t.Fatal(err)
	}
	if app.AppURL != "http://localhost:8090/" || app.CallbackURL != "http://localhost:8090/callback" || app.WebhookURL != "http://localhost:8090/webhooks" {
		t.Fatalf("crm urls %q %q %q", app.AppURL, app.CallbackURL, app.WebhookURL)
	}
	if secret, err := s.AppWebhookSecret(ctx, app.ID); err != nil || secret != res.WebhookSecret {
		t.Fatalf("stored secret differs from the one handed out (err %v)", err)
	}
	// Seeding used development rules for its own writes only: the store
	// keeps the production rules it started with, which show the http
	// callback as a failing check.
	checks, err := s.PublishChecks(ctx, app.ID)
	if err != nil || !slices.ContainsFunc(checks, func(c models.PublishCheck) bool { return c.Code == "callback_url_invalid" }) {
		t.Fatalf("production publish checks after seeding %v %v, want callback_url_invalid", checks, err)
	}
	// appstore dev's development rules accept it.
	s.SetURLRules(models.DevelopmentURLRules())
	if checks, err := s.PublishChecks(ctx, app.ID); err != nil || models.Blocking(checks) {
		t.Fatalf("publish checks %v %v", checks, err)
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
