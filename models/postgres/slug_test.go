package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestCheckDeveloperAccountSlug(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	if _, err := s.CreateDeveloperAccount(ctx, "taken-labs", "Taken Labs", admin.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw, slug, reason string
	}{
		{"Fresh Labs", "fresh-labs", ""},
		{"abc", "abc", ""},
		{strings.Repeat("a", 48), strings.Repeat("a", 48), ""},
		{"ab", "ab", models.SlugTooShort},
		{"a-b", "a-b", ""},
		{"", "", models.SlugTooShort},
		{"  a!", "a", models.SlugTooShort},
		{strings.Repeat("a", 49), strings.Repeat("a", 49), models.SlugTooLong},
		{"!!!", "", models.SlugInvalid},
		{"日本語", "", models.SlugInvalid},
		{"Admin", "admin", models.SlugReserved},
		{"API", "api", models.SlugReserved},
		{" www ", "www", models.SlugReserved},
		{"invitations", "invitations", models.SlugReserved},
		{"admin-tools", "admin-tools", ""},
		{"Taken Labs", "taken-labs", models.SlugTaken},
		{"TAKEN_labs", "taken-labs", models.SlugTaken},
	}
	for _, tt := range tests {
		got, err := s.CheckDeveloperAccountSlug(ctx, tt.raw)
		if err != nil {
			t.Fatalf("CheckDeveloperAccountSlug(%q): %v", tt.raw, err)
		}
		if got.Slug != tt.slug || got.Reason != tt.reason || got.Available != (tt.reason == "") {
			t.Errorf("CheckDeveloperAccountSlug(%q) = %+v, want slug %q reason %q", tt.raw, got, tt.slug, tt.reason)
		}
		if (got.Message == "") != got.Available {
			t.Errorf("CheckDeveloperAccountSlug(%q): message %q with available %v", tt.raw, got.Message, got.Available)
		}
	}
}

func TestReservedSlugsSeeded(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	want := []string{"admin", "api", "app", "apps", "auth", "login", "logout", "oauth", "www", "static",
		"settings", "dev", "developer", "developers", "marketplace", "review", "reviewer", "staff", "support",
		"help", "docs", "status", "billing", "appstore", "system", "root", "new", "me", "account", "accounts",
		"invitations", "organizations"}
	var got []string
	if err := s.Gorm().Raw(`SELECT slug FROM reserved_slugs`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, g := range got {
		if models.NormalizeSlug(g) != g {
			t.Errorf("reserved slug %q is not normalised", g)
		}
		set[g] = true
	}
	for _, w := range want {
		if !set[w] {
			t.Errorf("reserved_slugs lacks %q", w)
		}
	}
}

func TestCreateDeveloperAccountSlugRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)

	acct, err := s.CreateDeveloperAccount(ctx, "  My Great_Labs! ", "  My Great Labs ", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Slug != "my-great-labs" || acct.Title != "My Great Labs" {
		t.Fatalf("created slug %q title %q, want my-great-labs / My Great Labs", acct.Slug, acct.Title)
	}

	tests := []struct {
		slug, title string
		kind        models.Kind
		code        string
	}{
		{"ab", "Title", models.KindInvalid, "invalid_slug"},
		{"!!!", "Title", models.KindInvalid, "invalid_slug"},
		{strings.Repeat("x", 49), "Title", models.KindInvalid, "invalid_slug"},
		{"Admin", "Title", models.KindInvalid, "slug_reserved"},
		{"fine-slug", "   ", models.KindInvalid, "invalid_title"},
		{"fine-slug", strings.Repeat("é", 101), models.KindInvalid, "invalid_title"},
		{"My Great Labs", "Again", models.KindConflict, "slug_taken"},
	}
	before := countRows(t, s, "developer_accounts")
	for _, tt := range tests {
		_, err := s.CreateDeveloperAccount(ctx, tt.slug, tt.title, admin.ID)
		de := modeltest.WantError(t, err, tt.kind, tt.code)
		if len(de.Fields) == 0 {
			t.Errorf("%q/%q: error %v names no field", tt.slug, tt.title, err)
		}
	}
	if after := countRows(t, s, "developer_accounts"); after != before {
		t.Fatalf("rejected creates left %d accounts, want %d", after, before)
	}
	if _, err := s.CreateDeveloperAccount(ctx, "fine-slug", strings.Repeat("é", 100), admin.ID); err != nil {
		t.Fatalf("a 100-character title: %v", err)
	}
}

// TestCreateDeveloperAccountRace: the unique index decides between creates
// that passed the availability check together.
func TestCreateDeveloperAccountRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = s.CreateDeveloperAccount(ctx, "Race Labs", "Race Labs", admin.ID)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		modeltest.WantError(t, err, models.KindConflict, "slug_taken")
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded, want 1", ok)
	}
	if got := countEvents(t, s, models.EventDeveloperAccountCreated); got != 1 {
		t.Fatalf("%d developer_account.created events, want 1", got)
	}
	if got := countRows(t, s, "developer_account_members"); got != 1 {
		t.Fatalf("%d members, want 1", got)
	}
}
