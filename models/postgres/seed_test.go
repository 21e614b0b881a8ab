package postgres_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/postgres"
)

// rowCounts counts the rows of every table in the public schema.
func rowCounts(t *testing.T, s *postgres.Store) map[string]int64 {
	t.Helper()
	var tables []string
	if err := s.Gorm().Raw(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tables, "event_logs") || !slices.Contains(tables, "users") {
		t.Fatalf("tables %v lack users or event_logs", tables)
	}
	counts := map[string]int64{}
	for _, name := range tables {
		counts[name] = countRows(t, s, name)
	}
	return counts
}

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)

	res, err := s.SeedDemo(ctx)
	if err != nil {
		t.Fatalf("SeedDemo: %v", err)
	}
	wantCreated := []string{
		"user owner@acme.test", "user dev@acme.test", "user member@acme.test",
		"user reviewer@appstore.test", "user staff@appstore.test",
		"organization Acme", "organization Acme Sandbox", "developer account acme-labs",
		"records of Acme", "records of Acme Sandbox",
	}
	if !slices.Equal(res.Created, wantCreated) {
		t.Fatalf("first seed created %q, want %q", res.Created, wantCreated)
	}

	// DESIGN §9: who is what.
	type membership struct{ orgs, accounts string }
	tests := []struct {
		email    string
		platform models.PlatformRole
		member   membership
	}{
		{"owner@acme.test", models.PlatformRoleNone, membership{"Acme:owner Acme Sandbox:owner", ""}},
		{"dev@acme.test", models.PlatformRoleNone, membership{"Acme Sandbox:admin", "acme-labs:admin"}},
		{"member@acme.test", models.PlatformRoleNone, membership{"Acme:member", "acme-labs:member"}},
		{"reviewer@appstore.test", models.PlatformRoleReviewer, membership{}},
		{"staff@appstore.test", models.PlatformRoleStaffAdmin, membership{}},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			u, err := s.Authenticate(ctx, tt.email, postgres.DemoPassword)
			if err != nil {
				t.Fatalf("sign in with the demo password: %v", err)
			}
			if u.PlatformRole != tt.platform {
				t.Errorf("platform role = %q, want %q", u.PlatformRole, tt.platform)
			}
			if u.EmailVerifiedAt == nil {
				t.Error("demo user is not verified")
			}
			orgs, accounts, err := s.Memberships(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			var gotOrgs, gotAccounts []string
			for _, o := range orgs {
				gotOrgs = append(gotOrgs, fmt.Sprintf("%s:%s", o.Name, o.Role))
			}
			for _, a := range accounts {
				gotAccounts = append(gotAccounts, fmt.Sprintf("%s:%s", a.Slug, a.Role))
			}
			got := membership{strings.Join(gotOrgs, " "), strings.Join(gotAccounts, " ")}
			if got != tt.member {
				t.Errorf("memberships = %+v, want %+v", got, tt.member)
			}
		})
	}
	if n := countRows(t, s, "organizations"); n != 2 {
		t.Errorf("%d organizations, want 2", n)
	}
	if n := countRows(t, s, "developer_accounts"); n != 1 {
		t.Errorf("%d developer accounts, want 1", n)
	}
	for table, want := range map[string]int64{"contacts": 16, "tickets": 12, "call_recordings": 6} {
		if n := countRows(t, s, table); n != want {
			t.Errorf("%d %s, want %d (both organizations)", n, table, want)
		}
	}

	before := rowCounts(t, s)
	if before["event_logs"] == 0 {
		t.Fatal("the seed recorded no events")
	}
	again, err := s.SeedDemo(ctx)
	if err != nil {
		t.Fatalf("second SeedDemo: %v", err)
	}
	if len(again.Created) != 0 {
		t.Fatalf("second seed created %q, want nothing", again.Created)
	}
	if after := rowCounts(t, s); !maps.Equal(before, after) {
		t.Fatalf("second seed changed row counts: before %v, after %v", before, after)
	}
}

func TestDemoPasswordsInUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)

	none, err := s.DemoPasswordsInUse(ctx)
	if err != nil || len(none) != 0 {
		t.Fatalf("DemoPasswordsInUse on an empty database = %v, %v; want none", none, err)
	}
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, d := range postgres.DemoUsers {
		all = append(all, d.Email)
	}
	got, err := s.DemoPasswordsInUse(ctx)
	if err != nil || !slices.Equal(got, all) {
		t.Fatalf("after seeding: %v, %v; want %v", got, err, all)
	}

	other, err := models.HashPassword("other")
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"dev@acme.test", "staff@appstore.test"} {
		res := s.Gorm().Exec(`UPDATE users SET password_hash = ? WHERE email = ?`, other, email)
		if res.Error != nil || res.RowsAffected != 1 {
			t.Fatalf("change password of %s: %v (%d rows)", email, res.Error, res.RowsAffected)
		}
	}
	want := []string{"owner@acme.test", "member@acme.test", "reviewer@appstore.test"}
	got, err = s.DemoPasswordsInUse(ctx)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("after changing two passwords: %v, %v; want %v", got, err, want)
	}
	// Seeding again restores nothing.
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = s.DemoPasswordsInUse(ctx)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("after seeding again: %v, %v; want %v", got, err, want)
	}
}
