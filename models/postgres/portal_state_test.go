package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

func TestPortalState(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	member := createUser(t, s, models.PlatformRoleNone)
	loner := createUser(t, s, models.PlatformRoleNone)

	zeta, err := s.CreateDeveloperAccount(ctx, "zeta-tools", "Zeta Tools", admin.ID)
	if err != nil {
		t.Fatalf("CreateDeveloperAccount: %v", err)
	}
	alpha, err := s.CreateDeveloperAccount(ctx, "alpha-apps", "Alpha Apps", admin.ID)
	if err != nil {
		t.Fatalf("CreateDeveloperAccount: %v", err)
	}
	if err := s.AddDeveloperAccountMember(ctx, zeta.ID, member.ID, models.DevRoleMember); err != nil {
		t.Fatalf("AddDeveloperAccountMember: %v", err)
	}
	acme, err := s.CreateOrganization(ctx, "Acme Corp", member.ID)
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}

	type account struct {
		id   uuid.UUID
		role models.DeveloperRole
	}
	type org struct {
		id   uuid.UUID
		role models.OrganizationRole
	}
	tests := []struct {
		name     string
		user     *models.User
		accounts []account // ordered by title
		orgs     []org
	}{
		{"admin of two accounts", admin, []account{{alpha.ID, models.DevRoleAdmin}, {zeta.ID, models.DevRoleAdmin}}, nil},
		{"member of one account, owner of an organization", member, []account{{zeta.ID, models.DevRoleMember}}, []org{{acme.ID, models.OrgRoleOwner}}},
		{"no memberships", loner, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := s.PortalState(ctx, tt.user.ID)
			if err != nil {
				t.Fatalf("PortalState: %v", err)
			}
			if st.User == nil || st.User.ID != tt.user.ID || st.User.Email != tt.user.Email {
				t.Errorf("User = %+v, want %s", st.User, tt.user.Email)
			}
			if st.LoadedAt.IsZero() {
				t.Error("LoadedAt is zero")
			}
			// Empty lists are empty slices, not nil, so templates and JSON agree.
			if st.DeveloperAccounts == nil || st.Organizations == nil {
				t.Fatalf("nil lists: accounts %v, organizations %v", st.DeveloperAccounts, st.Organizations)
			}
			var gotAccounts []account
			for _, a := range st.DeveloperAccounts {
				gotAccounts = append(gotAccounts, account{a.ID, a.Role})
			}
			var gotOrgs []org
			for _, o := range st.Organizations {
				gotOrgs = append(gotOrgs, org{o.ID, o.Role})
			}
			if !slices.Equal(gotAccounts, tt.accounts) {
				t.Errorf("developer accounts = %v, want %v", gotAccounts, tt.accounts)
			}
			if !slices.Equal(gotOrgs, tt.orgs) {
				t.Errorf("organizations = %v, want %v", gotOrgs, tt.orgs)
			}
		})
	}
}

func TestPortalStateUnknownUser(t *testing.T) {
	s := newStore(t)
	_, err := s.PortalState(context.Background(), uuid.Must(uuid.NewV7()))
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}
