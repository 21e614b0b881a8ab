package postgres_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestListDeveloperAccountMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	var users []*models.User
	for range 3 {
		users = append(users, createUser(t, s, models.PlatformRoleNone))
	}
	acct := createAccount(t, s, users[1])
	addMember(t, s, acct, users[2], models.DevRoleMember)
	addMember(t, s, acct, users[0], models.DevRoleAdmin)
	other := createAccount(t, s, createUser(t, s, models.PlatformRoleNone))

	members, err := s.ListDeveloperAccountMembers(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 3 {
		t.Fatalf("%d members, want 3: %+v", len(members), members)
	}
	if !slices.IsSortedFunc(members, func(a, b models.DeveloperAccountMemberView) int {
		if a.Email < b.Email {
			return -1
		}
		return 1
	}) {
		t.Fatalf("members not ordered by email: %+v", members)
	}
	roles := map[uuid.UUID]models.DeveloperRole{users[0].ID: models.DevRoleAdmin, users[1].ID: models.DevRoleAdmin, users[2].ID: models.DevRoleMember}
	for _, m := range members {
		u := users[slices.IndexFunc(users, func(u *models.User) bool { return u.ID == m.UserID })]
		if m.Email != u.Email || m.Name != u.Name || m.Role != roles[m.UserID] || m.JoinedAt.IsZero() {
			t.Errorf("member %+v, want %s %s %s", m, u.Email, u.Name, roles[m.UserID])
		}
	}
	if got, err := s.ListDeveloperAccountMembers(ctx, other.ID); err != nil || len(got) != 1 {
		t.Fatalf("other account members = %+v, %v; want its one admin", got, err)
	}
	if got, err := s.ListDeveloperAccountMembers(ctx, uuid.New()); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("unknown account members = %#v, %v; want an empty list", got, err)
	}
}

func TestChangeDeveloperAccountRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	member := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	addMember(t, s, acct, member, models.DevRoleMember)
	actx := models.WithActor(ctx, admin.ID)

	// The only admin cannot step down.
	modeltest.WantError(t, s.ChangeDeveloperAccountRole(actx, acct.ID, admin.ID, models.DevRoleMember), models.KindConflict, "last_admin")

	if err := s.ChangeDeveloperAccountRole(actx, acct.ID, member.ID, models.DevRoleAdmin); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, onlyEvent(t, s, models.EventDeveloperAccountMemberRoleChanged), acct.ID, &admin.ID,
		map[string]any{"user_id": member.ID, "role": "admin", "previous_role": "member"})
	// Setting the same role again changes nothing and records nothing.
	if err := s.ChangeDeveloperAccountRole(actx, acct.ID, member.ID, models.DevRoleAdmin); err != nil {
		t.Fatal(err)
	}
	if got := countEvents(t, s, models.EventDeveloperAccountMemberRoleChanged); got != 1 {
		t.Fatalf("%d role change events after a no-op, want 1", got)
	}
	// With two admins, one may step down.
	if err := s.ChangeDeveloperAccountRole(actx, acct.ID, admin.ID, models.DevRoleMember); err != nil {
		t.Fatal(err)
	}
	if role, _ := s.DeveloperAccountRole(ctx, acct.ID, admin.ID); role != models.DevRoleMember {
		t.Fatalf("role after demotion = %q", role)
	}
	modeltest.WantError(t, s.ChangeDeveloperAccountRole(actx, acct.ID, member.ID, models.DevRoleMember), models.KindConflict, "last_admin")

	err := s.ChangeDeveloperAccountRole(actx, acct.ID, uuid.New(), models.DevRoleAdmin)
	modeltest.WantError(t, err, models.KindNotFound, "member_not_found")
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("%v is not ErrNotFound", err)
	}
	modeltest.WantError(t, s.ChangeDeveloperAccountRole(actx, uuid.New(), member.ID, models.DevRoleAdmin), models.KindNotFound, "developer_account_not_found")
	modeltest.WantError(t, s.ChangeDeveloperAccountRole(actx, acct.ID, member.ID, "owner"), models.KindInvalid, "invalid_role")
	if got := countEvents(t, s, models.EventDeveloperAccountMemberRoleChanged); got != 2 {
		t.Fatalf("%d role change events, want 2", got)
	}
}

func TestRemoveDeveloperAccountMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	member := createUser(t, s, models.PlatformRoleNone)
	leaver := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	addMember(t, s, acct, member, models.DevRoleMember)
	addMember(t, s, acct, leaver, models.DevRoleMember)

	modeltest.WantError(t, s.RemoveDeveloperAccountMember(models.WithActor(ctx, admin.ID), acct.ID, admin.ID), models.KindConflict, "last_admin")

	if err := s.RemoveDeveloperAccountMember(models.WithActor(ctx, admin.ID), acct.ID, member.ID); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, onlyEvent(t, s, models.EventDeveloperAccountMemberRemoved), acct.ID, &admin.ID,
		map[string]any{"user_id": member.ID, "role": "member"})
	if _, err := s.DeveloperAccountRole(ctx, acct.ID, member.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("removed member's role: %v, want not found", err)
	}
	modeltest.WantError(t, s.RemoveDeveloperAccountMember(models.WithActor(ctx, admin.ID), acct.ID, member.ID), models.KindNotFound, "member_not_found")

	if err := s.RemoveDeveloperAccountMember(models.WithActor(ctx, leaver.ID), acct.ID, leaver.ID); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, onlyEvent(t, s, models.EventDeveloperAccountMemberLeft), acct.ID, &leaver.ID,
		map[string]any{"user_id": leaver.ID})
	if got := countEvents(t, s, models.EventDeveloperAccountMemberRemoved); got != 1 {
		t.Fatalf("leaving wrote a member_removed event")
	}

	// A second admin makes the first removable, and able to leave.
	addMember(t, s, acct, member, models.DevRoleAdmin)
	if err := s.RemoveDeveloperAccountMember(models.WithActor(ctx, admin.ID), acct.ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	modeltest.WantError(t, s.RemoveDeveloperAccountMember(models.WithActor(ctx, member.ID), acct.ID, member.ID), models.KindConflict, "last_admin")
	members, err := s.ListDeveloperAccountMembers(ctx, acct.ID)
	if err != nil || len(members) != 1 || members[0].UserID != member.ID {
		t.Fatalf("members = %+v, %v; want only the second admin", members, err)
	}
	modeltest.WantError(t, s.RemoveDeveloperAccountMember(ctx, uuid.New(), member.ID), models.KindNotFound, "developer_account_not_found")
}

// TestLastAdminConcurrent: two admins demoting (or removing) each other at
// the same moment leave exactly one admin, however the race falls.
func TestLastAdminConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	ops := map[string]func(ctx context.Context, acct, user uuid.UUID) error{
		"demote": func(ctx context.Context, acct, user uuid.UUID) error {
			return s.ChangeDeveloperAccountRole(ctx, acct, user, models.DevRoleMember)
		},
		"remove": func(ctx context.Context, acct, user uuid.UUID) error {
			return s.RemoveDeveloperAccountMember(ctx, acct, user)
		},
	}
	a := createUser(t, s, models.PlatformRoleNone)
	b := createUser(t, s, models.PlatformRoleNone)
	for name, op := range ops {
		for round := range 10 {
			acct := createAccount(t, s, a)
			addMember(t, s, acct, b, models.DevRoleAdmin)

			var errs [2]error
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Go(func() { <-start; errs[0] = op(models.WithActor(ctx, a.ID), acct.ID, b.ID) })
			wg.Go(func() { <-start; errs[1] = op(models.WithActor(ctx, b.ID), acct.ID, a.ID) })
			close(start)
			wg.Wait()

			failed := 0
			for _, err := range errs {
				if err != nil {
					modeltest.WantError(t, err, models.KindConflict, "last_admin")
					failed++
				}
			}
			if failed != 1 {
				t.Fatalf("%s round %d: errors %v, want exactly one last_admin", name, round, errs)
			}
			var admins int64
			if err := s.Gorm().Table("developer_account_members").
				Where("developer_account_id = ? AND role = 'admin'", acct.ID).Count(&admins).Error; err != nil {
				t.Fatal(err)
			}
			if admins != 1 {
				t.Fatalf("%s round %d: %d admins left, want 1", name, round, admins)
			}
		}
	}
}
