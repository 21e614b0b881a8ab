package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

var accountSeq atomic.Int64

// createAccount creates a developer account with a unique slug and admin as its admin.
func createAccount(t *testing.T, s *postgres.Store, admin *models.User) *models.DeveloperAccount {
	t.Helper()
	n := accountSeq.Add(1)
	acct, err := s.CreateDeveloperAccount(context.Background(), fmt.Sprintf("labs-%d", n), fmt.Sprintf("Labs %d", n), admin.ID)
	if err != nil {
		t.Fatalf("CreateDeveloperAccount: %v", err)
	}
	return acct
}

// addMember makes u a member of acct with role.
func addMember(t *testing.T, s *postgres.Store, acct *models.DeveloperAccount, u *models.User, role models.DeveloperRole) {
	t.Helper()
	if err := s.AddDeveloperAccountMember(context.Background(), acct.ID, u.ID, role); err != nil {
		t.Fatalf("AddDeveloperAccountMember: %v", err)
	}
}

// eventsOf returns the events of type typ, oldest first.
func eventsOf(t *testing.T, s *postgres.Store, typ models.EventType) []models.Event {
	t.Helper()
	var events []models.Event
	if err := s.Gorm().Where("type = ?", typ).Order("created_at, id").Find(&events).Error; err != nil {
		t.Fatalf("events %s: %v", typ, err)
	}
	return events
}

// onlyEvent returns the one event of type typ, failing unless there is exactly one.
func onlyEvent(t *testing.T, s *postgres.Store, typ models.EventType) models.Event {
	t.Helper()
	events := eventsOf(t, s, typ)
	if len(events) != 1 {
		t.Fatalf("%d %s events, want 1", len(events), typ)
	}
	return events[0]
}

// wantEvent checks the subject, actor and data of e.
func wantEvent(t *testing.T, e models.Event, acct uuid.UUID, actor *uuid.UUID, data map[string]any) {
	t.Helper()
	if e.DeveloperAccountID == nil || *e.DeveloperAccountID != acct {
		t.Errorf("%s event account = %v, want %s", e.Type, e.DeveloperAccountID, acct)
	}
	if (actor == nil) != (e.ActorID == nil) || (actor != nil && *actor != *e.ActorID) {
		t.Errorf("%s event actor = %v, want %v", e.Type, e.ActorID, actor)
	}
	for k, v := range data {
		if fmt.Sprint(e.Data[k]) != fmt.Sprint(v) {
			t.Errorf("%s event data[%q] = %v, want %v", e.Type, k, e.Data[k], v)
		}
	}
}

func TestCreateDeveloperAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct, err := s.CreateDeveloperAccount(models.WithActor(ctx, admin.ID), "Nova Labs", "Nova", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetDeveloperAccount(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != "nova-labs" || got.Title != "Nova" || got.LogoURL != "" {
		t.Fatalf("GetDeveloperAccount = %+v", got)
	}
	role, err := s.DeveloperAccountRole(ctx, acct.ID, admin.ID)
	if err != nil || role != models.DevRoleAdmin {
		t.Fatalf("creator's role = %q, %v; want admin", role, err)
	}
	wantEvent(t, onlyEvent(t, s, models.EventDeveloperAccountCreated), acct.ID, &admin.ID,
		map[string]any{"slug": "nova-labs", "title": "Nova"})

	_, err = s.GetDeveloperAccount(ctx, uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "developer_account_not_found")
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("GetDeveloperAccount of an unknown id: %v is not ErrNotFound", err)
	}
	stranger := createUser(t, s, models.PlatformRoleNone)
	_, err = s.DeveloperAccountRole(ctx, acct.ID, stranger.ID)
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("DeveloperAccountRole of a non-member: %v, want not found", err)
	}
}

func TestUpdateDeveloperAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	ptr := func(s string) *string { return &s }

	tests := []struct {
		name      string
		in        models.DeveloperAccountUpdate
		code      string // error code, "" for success
		wantTitle string
		wantLogo  string
		event     bool
	}{
		{"title", models.DeveloperAccountUpdate{Title: ptr("  New Title ")}, "", "New Title", "", true},
		{"same title", models.DeveloperAccountUpdate{Title: ptr("New Title")}, "", "New Title", "", false},
		{"nothing", models.DeveloperAccountUpdate{}, "", "New Title", "", false},
		{"https logo", models.DeveloperAccountUpdate{LogoURL: ptr("https://cdn.example.com/logo.png")}, "", "New Title", "https://cdn.example.com/logo.png", true},
		{"http localhost logo", models.DeveloperAccountUpdate{LogoURL: ptr("http://localhost:8080/logo.png")}, "", "New Title", "http://localhost:8080/logo.png", true},
		{"http loopback logo", models.DeveloperAccountUpdate{LogoURL: ptr("http://127.0.0.1/logo.png")}, "", "New Title", "http://127.0.0.1/logo.png", true},
		{"both", models.DeveloperAccountUpdate{Title: ptr("Both"), LogoURL: ptr("")}, "", "Both", "", true},
		{"empty title", models.DeveloperAccountUpdate{Title: ptr(" ")}, "invalid_title", "Both", "", false},
		{"long title", models.DeveloperAccountUpdate{Title: ptr(strings.Repeat("t", 101))}, "invalid_title", "Both", "", false},
		{"http logo", models.DeveloperAccountUpdate{LogoURL: ptr("http://cdn.example.com/logo.png")}, "invalid_logo_url", "Both", "", false},
		{"relative logo", models.DeveloperAccountUpdate{LogoURL: ptr("/logo.png")}, "invalid_logo_url", "Both", "", false},
		{"javascript logo", models.DeveloperAccountUpdate{LogoURL: ptr("javascript:alert(1)")}, "invalid_logo_url", "Both", "", false},
		{"data logo", models.DeveloperAccountUpdate{LogoURL: ptr("data:image/png;base64,AAAA")}, "invalid_logo_url", "Both", "", false},
		{"userinfo logo", models.DeveloperAccountUpdate{LogoURL: ptr("https://user:pw@cdn.example.com/x.png")}, "invalid_logo_url", "Both", "", false},
		{"long logo", models.DeveloperAccountUpdate{LogoURL: ptr("https://cdn.example.com/" + strings.Repeat("a", 2048))}, "invalid_logo_url", "Both", "", false},
		{"bad title, good logo", models.DeveloperAccountUpdate{Title: ptr(""), LogoURL: ptr("https://x.example/l.png")}, "invalid_title", "Both", "", false},
	}
	for _, tt := range tests {
		before := countEvents(t, s, models.EventDeveloperAccountUpdated)
		got, err := s.UpdateDeveloperAccount(models.WithActor(ctx, admin.ID), acct.ID, tt.in)
		if tt.code != "" {
			modeltest.WantError(t, err, models.KindInvalid, tt.code)
		} else if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		} else if got.Title != tt.wantTitle || got.LogoURL != tt.wantLogo {
			t.Errorf("%s: returned title %q logo %q, want %q %q", tt.name, got.Title, got.LogoURL, tt.wantTitle, tt.wantLogo)
		}
		stored, err := s.GetDeveloperAccount(ctx, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Title != tt.wantTitle || stored.LogoURL != tt.wantLogo {
			t.Errorf("%s: stored title %q logo %q, want %q %q", tt.name, stored.Title, stored.LogoURL, tt.wantTitle, tt.wantLogo)
		}
		after := countEvents(t, s, models.EventDeveloperAccountUpdated)
		if tt.event != (after == before+1) || after > before+1 {
			t.Errorf("%s: %d developer_account.updated events written, want event=%v", tt.name, after-before, tt.event)
		}
	}
	e := eventsOf(t, s, models.EventDeveloperAccountUpdated)[0]
	wantEvent(t, e, acct.ID, &admin.ID, map[string]any{"title": "New Title", "previous_title": acct.Title})

	_, err := s.UpdateDeveloperAccount(ctx, uuid.New(), models.DeveloperAccountUpdate{Title: ptr("x")})
	modeltest.WantError(t, err, models.KindNotFound, "developer_account_not_found")
}

func TestAddDeveloperAccountMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	member := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)

	addMember(t, s, acct, member, models.DevRoleMember)
	if role, err := s.DeveloperAccountRole(ctx, acct.ID, member.ID); err != nil || role != models.DevRoleMember {
		t.Fatalf("role = %q, %v; want member", role, err)
	}
	wantEvent(t, onlyEvent(t, s, models.EventDeveloperAccountMemberAdd), acct.ID, nil,
		map[string]any{"user_id": member.ID, "role": "member"})

	modeltest.WantError(t, s.AddDeveloperAccountMember(ctx, acct.ID, member.ID, models.DevRoleAdmin), models.KindConflict, "already_member")
	modeltest.WantError(t, s.AddDeveloperAccountMember(ctx, acct.ID, admin.ID, "owner"), models.KindInvalid, "invalid_role")
	modeltest.WantError(t, s.AddDeveloperAccountMember(ctx, uuid.New(), member.ID, models.DevRoleMember), models.KindNotFound, "developer_account_not_found")
	if got := countEvents(t, s, models.EventDeveloperAccountMemberAdd); got != 1 {
		t.Fatalf("%d member_added events after failed adds, want 1", got)
	}
}
