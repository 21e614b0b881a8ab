package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

var orgSeq atomic.Int64

// createOrg creates an organization with a unique name and owner as its owner.
func createOrg(t *testing.T, s *postgres.Store, owner *models.User) *models.Organization {
	t.Helper()
	org, err := s.CreateOrganization(context.Background(), fmt.Sprintf("Org %d", orgSeq.Add(1)), owner.ID)
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	return org
}

// addOrgMember makes u a member of org with role.
func addOrgMember(t *testing.T, s *postgres.Store, org *models.Organization, u *models.User, role models.OrganizationRole) {
	t.Helper()
	if err := s.AddOrganizationMember(context.Background(), org.ID, u.ID, role); err != nil {
		t.Fatalf("AddOrganizationMember: %v", err)
	}
}

// wantOrgEvent checks the organization, actor and data of e.
func wantOrgEvent(t *testing.T, e models.Event, org uuid.UUID, actor *uuid.UUID, data map[string]any) {
	t.Helper()
	if e.OrganizationID == nil || *e.OrganizationID != org {
		t.Errorf("%s event organization = %v, want %s", e.Type, e.OrganizationID, org)
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

func orgRole(t *testing.T, s *postgres.Store, org *models.Organization, u *models.User) models.OrganizationRole {
	t.Helper()
	role, err := s.OrganizationRole(context.Background(), org.ID, u.ID)
	if err != nil {
		t.Fatalf("OrganizationRole: %v", err)
	}
	return role
}

func TestCreateAndGetOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)

	org, err := s.CreateOrganization(models.WithActor(ctx, owner.ID), "  Acme Labs  ", owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if org.Name != "Acme Labs" || org.CreatedBy == nil || *org.CreatedBy != owner.ID {
		t.Fatalf("organization = %+v", org)
	}
	if role := orgRole(t, s, org, owner); role != models.OrgRoleOwner {
		t.Fatalf("creator's role = %q, want owner", role)
	}
	wantOrgEvent(t, onlyEvent(t, s, models.EventOrganizationCreated), org.ID, &owner.ID, map[string]any{"name": "Acme Labs"})

	got, err := s.GetOrganization(ctx, org.ID)
	if err != nil || got.ID != org.ID || got.Name != org.Name {
		t.Fatalf("GetOrganization = %+v, %v", got, err)
	}
	_, err = s.GetOrganization(ctx, uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "organization_not_found")
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("%v is not ErrNotFound", err)
	}

	for _, name := range []string{"", "   ", strings.Repeat("x", 101)} {
		_, err := s.CreateOrganization(ctx, name, owner.ID)
		if de := modeltest.WantError(t, err, models.KindInvalid, "invalid_organization_name"); len(de.Fields) != 1 || de.Fields[0].Field != "name" {
			t.Fatalf("fields = %+v", de.Fields)
		}
	}
	// 100 characters, not bytes.
	if _, err := s.CreateOrganization(ctx, strings.Repeat("é", 100), owner.ID); err != nil {
		t.Fatalf("100 two-byte characters: %v", err)
	}
}

func TestOrganizationRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	admin := createUser(t, s, models.PlatformRoleNone)
	outsider := createUser(t, s, models.PlatformRoleNone)
	org := createOrg(t, s, owner)
	addOrgMember(t, s, org, admin, models.OrgRoleAdmin)
	createOrg(t, s, outsider)

	if role := orgRole(t, s, org, admin); role != models.OrgRoleAdmin {
		t.Fatalf("admin's role = %q", role)
	}
	// Not a member: the organization does not exist for them.
	_, err := s.OrganizationRole(ctx, org.ID, outsider.ID)
	modeltest.WantError(t, err, models.KindNotFound, "organization_not_found")
	_, err = s.OrganizationRole(ctx, uuid.New(), owner.ID)
	modeltest.WantError(t, err, models.KindNotFound, "organization_not_found")
}

func TestAddOrganizationMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	u := createUser(t, s, models.PlatformRoleNone)
	org := createOrg(t, s, owner)

	if err := s.AddOrganizationMember(models.WithActor(ctx, owner.ID), org.ID, u.ID, models.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	wantOrgEvent(t, onlyEvent(t, s, models.EventOrganizationMemberAdded), org.ID, &owner.ID,
		map[string]any{"user_id": u.ID, "role": "member"})
	modeltest.WantError(t, s.AddOrganizationMember(ctx, org.ID, u.ID, models.OrgRoleAdmin), models.KindConflict, "already_member")
	modeltest.WantError(t, s.AddOrganizationMember(ctx, org.ID, createUser(t, s, models.PlatformRoleNone).ID, "boss"), models.KindInvalid, "invalid_role")
	modeltest.WantError(t, s.AddOrganizationMember(ctx, uuid.New(), u.ID, models.OrgRoleMember), models.KindNotFound, "organization_not_found")
	if got := countEvents(t, s, models.EventOrganizationMemberAdded); got != 1 {
		t.Fatalf("%d member_added events, want 1", got)
	}
}

func TestRenameOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	org := createOrg(t, s, owner)
	actx := models.WithActor(ctx, owner.ID)

	renamed, err := s.RenameOrganization(actx, org.ID, "  Nova  ")
	if err != nil {
		t.Fatal(err)
	}
	if renamed.ID != org.ID || renamed.Name != "Nova" || !renamed.UpdatedAt.After(org.UpdatedAt) {
		t.Fatalf("renamed = %+v (was %+v)", renamed, org)
	}
	if got, _ := s.GetOrganization(ctx, org.ID); got.Name != "Nova" {
		t.Fatalf("stored name = %q", got.Name)
	}
	wantOrgEvent(t, onlyEvent(t, s, models.EventOrganizationRenamed), org.ID, &owner.ID,
		map[string]any{"name": "Nova", "previous_name": org.Name})

	// The same name again changes nothing and records nothing.
	if again, err := s.RenameOrganization(actx, org.ID, "Nova"); err != nil || again.Name != "Nova" {
		t.Fatalf("same name: %+v, %v", again, err)
	}
	if got := countEvents(t, s, models.EventOrganizationRenamed); got != 1 {
		t.Fatalf("%d renamed events after a no-op, want 1", got)
	}
	_, err = s.RenameOrganization(actx, org.ID, " ")
	modeltest.WantError(t, err, models.KindInvalid, "invalid_organization_name")
	_, err = s.RenameOrganization(actx, uuid.New(), "Other")
	modeltest.WantError(t, err, models.KindNotFound, "organization_not_found")
}

func TestListOrganizationMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	var users []*models.User
	for range 3 {
		users = append(users, createUser(t, s, models.PlatformRoleNone))
	}
	org := createOrg(t, s, users[1])
	addOrgMember(t, s, org, users[2], models.OrgRoleMember)
	addOrgMember(t, s, org, users[0], models.OrgRoleAdmin)
	other := createOrg(t, s, createUser(t, s, models.PlatformRoleNone))

	members, err := s.ListOrganizationMembers(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 3 {
		t.Fatalf("%d members, want 3: %+v", len(members), members)
	}
	if !slices.IsSortedFunc(members, func(a, b models.OrganizationMemberView) int { return strings.Compare(a.Email, b.Email) }) {
		t.Fatalf("members not ordered by email: %+v", members)
	}
	roles := map[uuid.UUID]models.OrganizationRole{users[0].ID: models.OrgRoleAdmin, users[1].ID: models.OrgRoleOwner, users[2].ID: models.OrgRoleMember}
	for _, m := range members {
		u := users[slices.IndexFunc(users, func(u *models.User) bool { return u.ID == m.UserID })]
		if m.Email != u.Email || m.Name != u.Name || m.Role != roles[m.UserID] || m.JoinedAt.IsZero() {
			t.Errorf("member %+v, want %s %s %s", m, u.Email, u.Name, roles[m.UserID])
		}
	}
	if got, err := s.ListOrganizationMembers(ctx, other.ID); err != nil || len(got) != 1 {
		t.Fatalf("other organization's members = %+v, %v; want its owner", got, err)
	}
	if got, err := s.ListOrganizationMembers(ctx, uuid.New()); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("unknown organization's members = %#v, %v; want an empty list", got, err)
	}
}

func TestChangeOrganizationRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	member := createUser(t, s, models.PlatformRoleNone)
	org := createOrg(t, s, owner)
	addOrgMember(t, s, org, member, models.OrgRoleMember)
	actx := models.WithActor(ctx, owner.ID)

	// The only owner can step down neither to admin nor to member.
	modeltest.WantError(t, s.ChangeOrganizationRole(actx, org.ID, owner.ID, models.OrgRoleAdmin), models.KindConflict, "last_owner")
	modeltest.WantError(t, s.ChangeOrganizationRole(actx, org.ID, owner.ID, models.OrgRoleMember), models.KindConflict, "last_owner")

	if err := s.ChangeOrganizationRole(actx, org.ID, member.ID, models.OrgRoleAdmin); err != nil {
		t.Fatal(err)
	}
	wantOrgEvent(t, onlyEvent(t, s, models.EventOrganizationMemberRoleChanged), org.ID, &owner.ID,
		map[string]any{"user_id": member.ID, "role": "admin", "previous_role": "member"})
	// Setting the same role again changes nothing and records nothing.
	if err := s.ChangeOrganizationRole(actx, org.ID, member.ID, models.OrgRoleAdmin); err != nil {
		t.Fatal(err)
	}
	if got := countEvents(t, s, models.EventOrganizationMemberRoleChanged); got != 1 {
		t.Fatalf("%d role change events after a no-op, want 1", got)
	}
	// An admin is not an owner: the owner is still the last one.
	modeltest.WantError(t, s.ChangeOrganizationRole(actx, org.ID, owner.ID, models.OrgRoleMember), models.KindConflict, "last_owner")
	// With two owners, one may step down.
	if err := s.ChangeOrganizationRole(actx, org.ID, member.ID, models.OrgRoleOwner); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeOrganizationRole(actx, org.ID, owner.ID, models.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	if role := orgRole(t, s, org, owner); role != models.OrgRoleMember {
		t.Fatalf("role after demotion = %q", role)
	}
	modeltest.WantError(t, s.ChangeOrganizationRole(actx, org.ID, member.ID, models.OrgRoleAdmin), models.KindConflict, "last_owner")

	err := s.ChangeOrganizationRole(actx, org.ID, uuid.New(), models.OrgRoleAdmin)
	modeltest.WantError(t, err, models.KindNotFound, "member_not_found")
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("%v is not ErrNotFound", err)
	}
	modeltest.WantError(t, s.ChangeOrganizationRole(actx, uuid.New(), member.ID, models.OrgRoleAdmin), models.KindNotFound, "organization_not_found")
	modeltest.WantError(t, s.ChangeOrganizationRole(actx, org.ID, member.ID, "boss"), models.KindInvalid, "invalid_role")
	if got := countEvents(t, s, models.EventOrganizationMemberRoleChanged); got != 3 {
		t.Fatalf("%d role change events, want 3", got)
	}
}

func TestRemoveOrganizationMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	member := createUser(t, s, models.PlatformRoleNone)
	leaver := createUser(t, s, models.PlatformRoleNone)
	org := createOrg(t, s, owner)
	addOrgMember(t, s, org, member, models.OrgRoleAdmin)
	addOrgMember(t, s, org, leaver, models.OrgRoleMember)

	modeltest.WantError(t, s.RemoveOrganizationMember(models.WithActor(ctx, member.ID), org.ID, owner.ID), models.KindConflict, "last_owner")
	modeltest.WantError(t, s.RemoveOrganizationMember(models.WithActor(ctx, owner.ID), org.ID, owner.ID), models.KindConflict, "last_owner")

	if err := s.RemoveOrganizationMember(models.WithActor(ctx, owner.ID), org.ID, member.ID); err != nil {
		t.Fatal(err)
	}
	wantOrgEvent(t, onlyEvent(t, s, models.EventOrganizationMemberRemoved), org.ID, &owner.ID,
		map[string]any{"user_id": member.ID, "role": "admin"})
	if _, err := s.OrganizationRole(ctx, org.ID, member.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("removed member's role: %v, want not found", err)
	}
	modeltest.WantError(t, s.RemoveOrganizationMember(models.WithActor(ctx, owner.ID), org.ID, member.ID), models.KindNotFound, "member_not_found")

	if err := s.RemoveOrganizationMember(models.WithActor(ctx, leaver.ID), org.ID, leaver.ID); err != nil {
		t.Fatal(err)
	}
	wantOrgEvent(t, onlyEvent(t, s, models.EventOrganizationMemberLeft), org.ID, &leaver.ID,
		map[string]any{"user_id": leaver.ID, "role": "member"})
	if got := countEvents(t, s, models.EventOrganizationMemberRemoved); got != 1 {
		t.Fatalf("leaving wrote a member_removed event")
	}

	// A second owner makes the first removable, and able to leave.
	addOrgMember(t, s, org, member, models.OrgRoleOwner)
	if err := s.RemoveOrganizationMember(models.WithActor(ctx, owner.ID), org.ID, owner.ID); err != nil {
		t.Fatal(err)
	}
	modeltest.WantError(t, s.RemoveOrganizationMember(models.WithActor(ctx, member.ID), org.ID, member.ID), models.KindConflict, "last_owner")
	members, err := s.ListOrganizationMembers(ctx, org.ID)
	if err != nil || len(members) != 1 || members[0].UserID != member.ID {
		t.Fatalf("members = %+v, %v; want only the second owner", members, err)
	}
	modeltest.WantError(t, s.RemoveOrganizationMember(ctx, uuid.New(), member.ID), models.KindNotFound, "organization_not_found")
}

// TestLastOwnerConcurrent: two owners demoting (or removing) each other at
// the same moment leave exactly one owner, however the race falls.
func TestLastOwnerConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	ops := map[string]func(ctx context.Context, org, user uuid.UUID) error{
		"demote to admin": func(ctx context.Context, org, user uuid.UUID) error {
			return s.ChangeOrganizationRole(ctx, org, user, models.OrgRoleAdmin)
		},
		"demote to member": func(ctx context.Context, org, user uuid.UUID) error {
			return s.ChangeOrganizationRole(ctx, org, user, models.OrgRoleMember)
		},
		"remove": func(ctx context.Context, org, user uuid.UUID) error {
			return s.RemoveOrganizationMember(ctx, org, user)
		},
		"leave": func(ctx context.Context, org, _ uuid.UUID) error {
			return s.RemoveOrganizationMember(ctx, org, *models.AuditFrom(ctx).ActorID)
		},
	}
	a := createUser(t, s, models.PlatformRoleNone)
	b := createUser(t, s, models.PlatformRoleNone)
	for name, op := range ops {
		for round := range 10 {
			org := createOrg(t, s, a)
			addOrgMember(t, s, org, b, models.OrgRoleOwner)

			var errs [2]error
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Go(func() { <-start; errs[0] = op(models.WithActor(ctx, a.ID), org.ID, b.ID) })
			wg.Go(func() { <-start; errs[1] = op(models.WithActor(ctx, b.ID), org.ID, a.ID) })
			close(start)
			wg.Wait()

			failed := 0
			for _, err := range errs {
				if err != nil {
					modeltest.WantError(t, err, models.KindConflict, "last_owner")
					failed++
				}
			}
			if failed != 1 {
				t.Fatalf("%s round %d: errors %v, want exactly one last_owner", name, round, errs)
			}
			var owners int64
			if err := s.Gorm().Table("organization_members").
				Where("organization_id = ? AND role = 'owner'", org.ID).Count(&owners).Error; err != nil {
				t.Fatal(err)
			}
			if owners != 1 {
				t.Fatalf("%s round %d: %d owners left, want 1", name, round, owners)
			}
		}
	}
}

// Every organization membership change announces the portal state of every
// member (and of a member removed) as stale; refused changes announce nothing.
func TestOrganizationChangesNotifyPortal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := postgres.NewStore(db)
	l := listenPortal(t, url)

	a := createUser(t, s, models.PlatformRoleNone)
	b := createUser(t, s, models.PlatformRoleNone)
	c := createUser(t, s, models.PlatformRoleNone)
	org := createOrg(t, s, a)
	l.expect("create", a.ID)
	addOrgMember(t, s, org, b, models.OrgRoleMember)
	l.expect("add", a.ID, b.ID)
	addOrgMember(t, s, org, c, models.OrgRoleMember)
	l.expect("add another", a.ID, b.ID, c.ID)

	if _, err := s.RenameOrganization(ctx, org.ID, "Renamed"); err != nil {
		t.Fatal(err)
	}
	l.expect("rename (the portal shows names)", a.ID, b.ID, c.ID)
	if err := s.ChangeOrganizationRole(ctx, org.ID, b.ID, models.OrgRoleOwner); err != nil {
		t.Fatal(err)
	}
	l.expect("role change", a.ID, b.ID, c.ID)
	if err := s.RemoveOrganizationMember(models.WithActor(ctx, a.ID), org.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	l.expect("removal", a.ID, b.ID, c.ID)
	if err := s.RemoveOrganizationMember(models.WithActor(ctx, a.ID), org.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	l.expect("leave", a.ID, b.ID)

	modeltest.WantError(t, s.ChangeOrganizationRole(ctx, org.ID, b.ID, models.OrgRoleMember), models.KindConflict, "last_owner")
	modeltest.WantError(t, s.RemoveOrganizationMember(ctx, org.ID, b.ID), models.KindConflict, "last_owner")
	modeltest.WantError(t, s.AddOrganizationMember(ctx, org.ID, b.ID, models.OrgRoleMember), models.KindConflict, "already_member")
	if _, err := s.RenameOrganization(ctx, org.ID, "Renamed"); err != nil {
		t.Fatal(err)
	}
	l.expect("refused changes and a no-op rename")
}
