package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

const memberPermissionsSQL = `
	SELECT u.id AS user_id, u.email, u.name, m.role AS org_role,
		COALESCE(p.can_access, false) AS can_access, COALESCE(p.is_admin, false) AS is_admin,
		p.granted_by, p.granted_at
	FROM app_installations i
	JOIN organization_members m ON m.organization_id = i.organization_id
	JOIN users u ON u.id = m.user_id
	LEFT JOIN app_permissions p ON p.installation_id = i.id AND p.user_id = m.user_id
	WHERE i.id = ?`

// ListInstallationPermissions lists every member of the installation's
// organization with their access to it, by email. It returns only
// internal errors (an unknown installation lists nobody).
func (s *Installations) ListInstallationPermissions(ctx context.Context, installationID uuid.UUID) ([]models.MemberPermission, error) {
	out := []models.MemberPermission{}
	if err := s.db.WithContext(ctx).Raw(memberPermissionsSQL+` ORDER BY lower(u.email)`, installationID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list installation permissions: %w", err)
	}
	return out, nil
}

// SetInstallationPermission changes member userID's access to installation
// installationID and records permission.updated. Removing access also
// removes app admin rights and then revokes the member's SSO tokens for
// the installation (RevokeInstallationTokens).
//
// Errors: not found ("installation_not_found", "member_not_found" when the
// user is not a member of the installation's organization), invalid
// ("invalid_permission": an app admin without access).
func (s *Installations) SetInstallationPermission(ctx context.Context, installationID, userID uuid.UUID, in models.PermissionUpdate, actor uuid.UUID) (*models.MemberPermission, error) {
	inst, err := s.GetInstallation(ctx, installationID)
	if err != nil {
		return nil, err
	}
	var revoked bool
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur []models.MemberPermission
		if err := tx.Raw(memberPermissionsSQL+` AND m.user_id = ? FOR UPDATE OF m`, installationID, userID).Scan(&cur).Error; err != nil {
			return err
		}
		if len(cur) == 0 {
			return models.ErrOrgMemberNotFound
		}
		next := cur[0]
		if in.CanAccess != nil {
			next.CanAccess = *in.CanAccess
			if !next.CanAccess && in.IsAdmin == nil {
				next.IsAdmin = false
			}
		}
		if in.IsAdmin != nil {
			next.IsAdmin = *in.IsAdmin
		}
		if next.IsAdmin && !next.CanAccess {
			return models.Invalid("invalid_permission", "An app admin must have access to the app.",
				models.FieldError{Field: "is_admin", Message: "requires can_access"})
		}
		now := s.now().Truncate(time.Microsecond)
		if err := tx.Exec(`INSERT INTO app_permissions (installation_id, user_id, can_access, is_admin, granted_by, granted_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (installation_id, user_id) DO UPDATE SET can_access = EXCLUDED.can_access,
				is_admin = EXCLUDED.is_admin, granted_by = EXCLUDED.granted_by, granted_at = EXCLUDED.granted_at`,
			installationID, userID, next.CanAccess, next.IsAdmin, actor, now).Error; err != nil {
			return err
		}
		revoked = cur[0].CanAccess && !next.CanAccess
		next.GrantedBy, next.GrantedAt = &actor, &now
		cur[0] = next
		return appendEvent(ctx, tx, models.Event{Type: models.EventPermissionUpdated, ActorID: &actor, AppID: &inst.AppID,
			OrganizationID: &inst.OrganizationID, Data: models.JSONMap{"installation_id": inst.ID.String(),
				"user_id": userID.String(), "can_access": next.CanAccess, "is_admin": next.IsAdmin, "access_revoked": revoked}})
	})
	if err != nil {
		return nil, storeError("set installation permission", err)
	}
	if revoked {
		// After the commit: the member can no longer get new tokens, so the
		// live ones are the last; revoking is idempotent if retried.
		if err := s.oidc().RevokeInstallationTokens(ctx, installationID, &userID); err != nil {
			return nil, err
		}
	}
	list, err := s.ListInstallationPermissions(ctx, installationID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].UserID == userID {
			return &list[i], nil
		}
	}
	return nil, models.ErrOrgMemberNotFound
}
