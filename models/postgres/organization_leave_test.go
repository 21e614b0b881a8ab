package postgres_test

import (
	"testing"

	"appstore/models"
)

// TestRemovedMemberLosesAppPermissions: app permissions belong to the
// membership. Removed and added again, a member starts with what a new
// member has (no access, not an app admin), and their SSO tokens for the
// organization's apps end with the removal.
func TestRemovedMemberLosesAppPermissions(t *testing.T) {
	t.Parallel()
	f := newInstallFixture(t)
	yes := true
	if _, err := f.s.SetInstallationPermission(f.ctx, f.inst.ID, f.member.ID, models.PermissionUpdate{CanAccess: &yes, IsAdmin: &yes}, f.owner.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Gorm().Exec(`INSERT INTO oauth_clients (id, app_id, client_id, installation_id, secret_hash, secret_generation)
		VALUES (gen_random_uuid(), ?, 'asc_leave', ?, sha256('x'), 1)`, f.app.ID, f.inst.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.s.Gorm().Exec(`INSERT INTO oidc_tokens (id, kind, token_hash, client_id, user_id, installation_id, expires_at)
		VALUES (gen_random_uuid(), 'refresh', '\x02', 'asc_leave', ?, ?, now() + interval '1 day')`, f.member.ID, f.inst.ID).Error; err != nil {
		t.Fatal(err)
	}

	if err := f.s.RemoveOrganizationMember(models.WithActor(f.ctx, f.owner.ID), f.inst.OrganizationID, f.member.ID); err != nil {
		t.Fatal(err)
	}
	var rows, live int64
	f.s.Gorm().Raw(`SELECT count(*) FROM app_permissions WHERE user_id = ?`, f.member.ID).Scan(&rows)
	f.s.Gorm().Raw(`SELECT count(*) FROM oidc_tokens WHERE user_id = ? AND revoked_at IS NULL`, f.member.ID).Scan(&live)
	if rows != 0 || live != 0 {
		t.Fatalf("after removal: %d permission rows, %d live tokens", rows, live)
	}

	if err := f.s.AddOrganizationMember(f.ctx, f.inst.OrganizationID, f.member.ID, models.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	list, err := f.s.ListInstallationPermissions(f.ctx, f.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.UserID == f.member.ID && (p.CanAccess || p.IsAdmin || p.GrantedAt != nil) {
			t.Fatalf("re-added member kept their old permissions: %+v", p)
		}
	}
	// Other members keep theirs.
	for _, p := range list {
		if p.UserID == f.owner.ID && !p.CanAccess {
			t.Fatalf("the owner lost access: %+v", p)
		}
	}
}
