package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// membership describes one kind of membership — developer accounts or
// organizations — so the rules shared by both (lock the parent row, keep at
// least one holder of the guarded role, write the event, notify the portal
// caches) are written once. Names are constants of this package, never input.
type membership struct {
	parent, table, column string // e.g. developer_accounts, developer_account_members, developer_account_id
	guardedRole           string // the role that must always have a holder
	parentNotFound        *models.Error
	memberNotFound        *models.Error
	lastGuarded           *models.Error
	roleChanged           models.EventType
	removed, left         models.EventType
	subject               func(e *models.Event, id uuid.UUID) // sets the event's account or organization
	notify                func(ctx context.Context, tx *gorm.DB, id uuid.UUID, extra ...uuid.UUID) error
	// removeRights, when set, deletes in the removal's transaction what
	// the member held through the membership and returns how many rows.
	removeRights func(tx *gorm.DB, id, userID uuid.UUID) (int64, error)
}

var developerAccountMembership = membership{
	parent: "developer_accounts", table: "developer_account_members", column: "developer_account_id",
	guardedRole: string(models.DevRoleAdmin), parentNotFound: models.ErrDeveloperAccountNotFound,
	memberNotFound: models.ErrMemberNotFound, lastGuarded: models.ErrLastAdmin,
	roleChanged: models.EventDeveloperAccountMemberRoleChanged,
	removed:     models.EventDeveloperAccountMemberRemoved, left: models.EventDeveloperAccountMemberLeft,
	subject: func(e *models.Event, id uuid.UUID) { e.DeveloperAccountID = &id },
	notify:  notifyPortalChange,
}

var organizationMembership = membership{
	parent: "organizations", table: "organization_members", column: "organization_id",
	guardedRole: string(models.OrgRoleOwner), parentNotFound: models.ErrOrganizationNotFound,
	memberNotFound: models.ErrOrgMemberNotFound, lastGuarded: models.ErrLastOwner,
	roleChanged: models.EventOrganizationMemberRoleChanged,
	removed:     models.EventOrganizationMemberRemoved, left: models.EventOrganizationMemberLeft,
	subject: func(e *models.Event, id uuid.UUID) { e.OrganizationID = &id },
	notify:  notifyOrganizationChange,
	// App permissions are an organization member's: someone who leaves and
	// is added again starts from what a new member gets, not their old
	// grants.
	removeRights: func(tx *gorm.DB, orgID, userID uuid.UUID) (int64, error) {
		res := tx.Exec(`DELETE FROM app_permissions WHERE user_id = ?
			AND installation_id IN (SELECT id FROM app_installations WHERE organization_id = ?)`, userID, orgID)
		return res.RowsAffected, res.Error
	},
}

// lock locks the parent row until tx ends. Every transaction that changes
// members takes it first, so the rule over all members (at least one
// guarded-role holder) holds under concurrency and each sees the member
// list the previous one left.
func (ms membership) lock(tx *gorm.DB, id uuid.UUID) error {
	var found []uuid.UUID
	if err := tx.Raw(`SELECT id FROM `+ms.parent+` WHERE id = ? FOR UPDATE`, id).Scan(&found).Error; err != nil {
		return err
	}
	if len(found) == 0 {
		return ms.parentNotFound
	}
	return nil
}

// role returns userID's role in the locked parent id.
func (ms membership) role(tx *gorm.DB, id, userID uuid.UUID) (string, error) {
	var roles []string
	err := tx.Raw(`SELECT role FROM `+ms.table+` WHERE `+ms.column+` = ? AND user_id = ?`, id, userID).Scan(&roles).Error
	if err != nil {
		return "", err
	}
	if len(roles) == 0 {
		return "", ms.memberNotFound
	}
	return roles[0], nil
}

// keepsGuarded refuses to take role away from the last holder of the
// guarded role.
func (ms membership) keepsGuarded(tx *gorm.DB, id uuid.UUID, role string) error {
	if role != ms.guardedRole {
		return nil
	}
	var n int64
	err := tx.Raw(`SELECT count(*) FROM `+ms.table+` WHERE `+ms.column+` = ? AND role = ?`, id, ms.guardedRole).Scan(&n).Error
	if err != nil {
		return err
	}
	if n <= 1 {
		return ms.lastGuarded
	}
	return nil
}

func (ms membership) event(typ models.EventType, id uuid.UUID, data models.JSONMap) models.Event {
	e := models.Event{Type: typ, Data: data}
	ms.subject(&e, id)
	return e
}

// changeRole gives member userID of id the role; setting the role they
// already have changes nothing.
func (c *core) changeMemberRole(ctx context.Context, ms membership, id, userID uuid.UUID, role string) error {
	return c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := ms.lock(tx, id); err != nil {
			return err
		}
		current, err := ms.role(tx, id, userID)
		if err != nil || current == role {
			return err
		}
		if err := ms.keepsGuarded(tx, id, current); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE `+ms.table+` SET role = ? WHERE `+ms.column+` = ? AND user_id = ?`, role, id, userID).Error; err != nil {
			return err
		}
		e := ms.event(ms.roleChanged, id, models.JSONMap{"user_id": userID.String(), "role": role, "previous_role": current})
		if err := appendEvent(ctx, tx, e); err != nil {
			return err
		}
		return ms.notify(ctx, tx, id)
	})
}

// removeMember removes userID from id: a removal, or leaving when the
// actor in ctx is userID.
func (c *core) removeMember(ctx context.Context, ms membership, id, userID uuid.UUID) error {
	typ := ms.removed
	if actor := models.AuditFrom(ctx).ActorID; actor != nil && *actor == userID {
		typ = ms.left
	}
	return c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := ms.lock(tx, id); err != nil {
			return err
		}
		current, err := ms.role(tx, id, userID)
		if err != nil {
			return err
		}
		if err := ms.keepsGuarded(tx, id, current); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM `+ms.table+` WHERE `+ms.column+` = ? AND user_id = ?`, id, userID).Error; err != nil {
			return err
		}
		data := models.JSONMap{"user_id": userID.String(), "role": current}
		if ms.removeRights != nil {
			n, err := ms.removeRights(tx, id, userID)
			if err != nil {
				return err
			}
			data["app_permissions_removed"] = n
		}
		if err := appendEvent(ctx, tx, ms.event(typ, id, data)); err != nil {
			return err
		}
		// The removed user is no longer a member but their cache lists it.
		return ms.notify(ctx, tx, id, userID)
	})
}

// listMembers scans the members of id, ordered by email, into out (a
// pointer to a slice of member views).
func (c *core) listMembers(ctx context.Context, ms membership, id uuid.UUID, out any) error {
	err := c.db.WithContext(ctx).Raw(`SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at AS joined_at
		FROM `+ms.table+` m JOIN users u ON u.id = m.user_id
		WHERE m.`+ms.column+` = ? ORDER BY u.email, u.id`, id).Scan(out).Error
	if err != nil {
		return fmt.Errorf("store: list %s: %w", ms.table, err)
	}
	return nil
}
