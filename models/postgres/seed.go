package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"appstore/models"
)

// DemoPassword is the password of every demo user. Production refuses to seed.
const DemoPassword = "appstore-demo"

// DemoUser is one seeded login, printed by `appstore dev`.
type DemoUser struct {
	Email    string
	Role     string // what the user is, in words
	Name     string
	Platform models.PlatformRole
}

// DemoUsers are the logins of DESIGN §9.
var DemoUsers = []DemoUser{
	{Email: "owner@acme.test", Name: "Olivia Owner", Role: "owner of organization Acme"},
	{Email: "dev@acme.test", Name: "Devi Developer", Role: "admin of developer account acme-labs and of organization Acme Sandbox"},
	{Email: "member@acme.test", Name: "Max Member", Role: "member of Acme and of acme-labs"},
	{Email: "reviewer@appstore.test", Name: "Rae Reviewer", Role: "platform reviewer", Platform: models.PlatformRoleReviewer},
	{Email: "staff@appstore.test", Name: "Sam Staff", Role: "platform staff-admin", Platform: models.PlatformRoleStaffAdmin},
}

// SeedResult says what a seed run created; a second run creates nothing.
type SeedResult struct {
	Created []string
}

// SeedDemo creates the demo users, organizations, developer account and
// the organizations' demo records if they are missing. It is idempotent: existing rows are found by their
// natural keys (email, owner + name, slug) and left untouched.
func (s *Store) SeedDemo(ctx context.Context) (*SeedResult, error) {
	res := &SeedResult{}
	users := map[string]uuid.UUID{}
	for _, d := range DemoUsers {
		u, err := s.GetUserByEmail(ctx, d.Email)
		if errors.Is(err, models.ErrNotFound) {
			u, err = s.CreateUser(ctx, models.NewUser{Email: d.Email, Name: d.Name, Password: DemoPassword, PlatformRole: d.Platform, Verified: true})
			if err == nil {
				res.Created = append(res.Created, "user "+d.Email)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("seed user %s: %w", d.Email, err)
		}
		users[d.Email] = u.ID
	}

	acme, created, err := s.seedOrganization(ctx, "Acme", users["owner@acme.test"])
	if err != nil {
		return nil, err
	}
	if created {
		res.Created = append(res.Created, "organization Acme")
		if err := s.AddOrganizationMember(ctx, acme, users["member@acme.test"], models.OrgRoleMember); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	// Acme Sandbox is acme-labs' test organization: owned by Acme's owner,
	// administered by the developer who deploys to it.
	sandbox, created, err := s.seedOrganization(ctx, "Acme Sandbox", users["owner@acme.test"])
	if err != nil {
		return nil, err
	}
	if created {
		res.Created = append(res.Created, "organization Acme Sandbox")
		if err := s.AddOrganizationMember(ctx, sandbox, users["dev@acme.test"], models.OrgRoleAdmin); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
	}

	var acct models.DeveloperAccount
	err = s.db.WithContext(ctx).Where("slug = ?", "acme-labs").Limit(1).Find(&acct).Error
	if err != nil {
		return nil, fmt.Errorf("seed: find acme-labs: %w", err)
	}
	if acct.ID == uuid.Nil {
		a, err := s.CreateDeveloperAccount(ctx, "acme-labs", "Acme Labs", users["dev@acme.test"])
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		if err := s.AddDeveloperAccountMember(ctx, a.ID, users["member@acme.test"], models.DevRoleMember); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		res.Created = append(res.Created, "developer account acme-labs")
	}

	// The records area of both organizations, where app surfaces show.
	for _, org := range []struct {
		id   uuid.UUID
		name string
	}{{acme, "Acme"}, {sandbox, "Acme Sandbox"}} {
		created, err := s.seedRecords(ctx, org.id)
		if err != nil {
			return nil, err
		}
		if created {
			res.Created = append(res.Created, "records of "+org.name)
		}
	}
	return res, nil
}

// seedOrganization finds the organization name created by owner, or creates it.
func (s *Store) seedOrganization(ctx context.Context, name string, owner uuid.UUID) (uuid.UUID, bool, error) {
	var org models.Organization
	err := s.db.WithContext(ctx).Where("name = ? AND created_by = ?", name, owner).Limit(1).Find(&org).Error
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("seed: find %s: %w", name, err)
	}
	if org.ID != uuid.Nil {
		return org.ID, false, nil
	}
	o, err := s.CreateOrganization(ctx, name, owner)
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("seed: %w", err)
	}
	return o.ID, true, nil
}

// DemoPasswordsInUse lists demo accounts whose password is still the demo
// password. Production refuses to serve while any exist.
func (s *Store) DemoPasswordsInUse(ctx context.Context) ([]string, error) {
	var found []string
	for _, d := range DemoUsers {
		u, err := s.GetUserByEmail(ctx, d.Email)
		if errors.Is(err, models.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if models.CheckPassword(u.PasswordHash, DemoPassword) {
			found = append(found, d.Email)
		}
	}
	return found, nil
}
