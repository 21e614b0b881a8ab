package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// catalogWords is the vocabulary generated listings are written from and
// benchmark queries drawn from.
var catalogWords = strings.Fields(`tickets inbox chat support helpdesk crm deals pipeline contacts invoices billing
	payments subscriptions analytics dashboards reports forecasts survey forms feedback calling voice sms email
	marketing campaigns newsletter automation workflow bot assistant knowledge base scheduling calendar booking
	tasks projects roadmap sprints issues releases deploy monitoring alerts logs metrics security compliance audit
	reconciliation accounting payroll hiring onboarding documents signatures contracts inventory shipping orders`)

var catalogAdjectives = strings.Fields(`smart simple fast secure shared unified automated real-time collaborative
	lightweight powerful open friendly modern global`)

// generatedListings makes n published apps with varied titles,
// descriptions, features and categories (deterministic: a fixed seed).
func generatedListings(n int) []listingRow {
	r := rand.New(rand.NewPCG(6, 2026))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]listingRow, n)
	for i := range rows {
		w := pick(catalogWords)
		title := strings.ToUpper(w[:1]) + w[1:] + " " + pick(catalogWords)
		var desc []string
		for range 12 + r.IntN(20) {
			desc = append(desc, pick(append(catalogWords, catalogAdjectives...)))
		}
		var feats []string
		for range 2 + r.IntN(4) {
			feats = append(feats, pick(catalogAdjectives)+" "+pick(catalogWords))
		}
		rows[i] = listingRow{Slug: fmt.Sprintf("gen-%05d", i), Title: title, Description: strings.Join(desc, " ") + ".",
			Category: pick(models.AppCategories), Features: feats, CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
	}
	return rows
}

// BenchmarkCatalogSearch searches 10,000 published apps with queries
// drawn from a fixed list (one and two words, a phrase, a negation,
// with and without a category) and reports the p50 and p99 latency of one
// first-page search (ListMarketplaceApps, 24 items, decorated) over the
// run. `make bench-catalog` runs it.
func BenchmarkCatalogSearch(b *testing.B) {
	ctx := context.Background()
	s := postgres.NewStore(pgtest.New(b))
	admin, err := s.CreateUser(ctx, models.NewUser{Email: "bench@example.test", Name: "Bench", Password: "correct horse battery", Verified: true})
	if err != nil {
		b.Fatal(err)
	}
	acct, err := s.CreateDeveloperAccount(ctx, "bench-labs", "Bench Labs", admin.ID)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	insertListings(b, s, acct.ID, generatedListings(10_000))
	if err := s.Gorm().Exec(`VACUUM ANALYZE apps`).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("inserted 10,000 apps in %v", time.Since(start).Round(time.Millisecond))
	queries := []models.CatalogFilter{
		{Query: "tickets"}, {Query: "crm deals"}, {Query: "invoices"}, {Query: "dashboards reports"},
		{Query: `"knowledge base"`}, {Query: "chat -sms"}, {Query: "payroll or hiring"}, {Query: "automation", Category: "productivity"},
		{Query: "secure compliance audit"}, {Query: "calendar booking", Category: "communication"},
	}
	var durations []time.Duration
	perQuery := make([][]time.Duration, len(queries))
	i := 0
	for b.Loop() {
		n := i % len(queries)
		i++
		t := time.Now()
		if _, err := s.ListMarketplaceApps(ctx, nil, queries[n]); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t)
		durations = append(durations, d)
		perQuery[n] = append(perQuery[n], d)
	}
	b.StopTimer()
	b.ReportMetric(percentile(durations, 0.50), "p50-µs")
	b.ReportMetric(percentile(durations, 0.99), "p99-µs")
	for n, q := range queries {
		var hits int64
		s.Gorm().Raw(`SELECT count(*) FROM apps WHERE search_vector @@ websearch_to_tsquery('english', ?)
			AND (? = '' OR category = ?)`, q.Query, q.Category, q.Category).Scan(&hits)
		b.Logf("%-40q %5d matches  p50 %6.0f µs  p99 %6.0f µs", q.Query+" "+q.Category, hits,
			percentile(perQuery[n], 0.50), percentile(perQuery[n], 0.99))
	}
}

// percentile sorts ds and returns its p-th quantile in microseconds.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return float64(ds[int(p*float64(len(ds)-1))].Microseconds())
}
