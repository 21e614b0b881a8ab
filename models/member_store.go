package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// DeveloperAccountMemberView is a member as the team page shows them.
type DeveloperAccountMemberView struct {
	UserID   uuid.UUID     `json:"user_id"`
	Email    string        `json:"email"`
	Name     string        `json:"name"`
	Role     DeveloperRole `json:"role"`
	JoinedAt time.Time     `json:"joined_at"`
}

var (
	errMemberNotFound = &Error{Kind: KindNotFound, Code: "member_not_found", Message: "This user is not a member of the developer account."}
	errLastAdmin      = &Error{Kind: KindConflict, Code: "last_admin",
		Message: "A developer account needs at least one admin: make someone else an admin first."}
)

// validDeveloperRole returns an invalid error ("invalid_role") unless role is admin or member.
func validDeveloperRole(role DeveloperRole) error {
	if role != DevRoleAdmin && role != DevRoleMember {
		return Invalid("invalid_role", "The role must be admin or member.",
			FieldError{Field: "role", Message: "must be admin or member"})
	}
	return nil
}

// lockDeveloperAccount locks the account's row until tx ends. Every
// transaction that changes the account's members takes it first, so rules
// over all members (at least one admin) hold under concurrency and each
// sees the member list the previous one left.
func lockDeveloperAccount(tx *gorm.DB, id uuid.UUID) error {
	var found []uuid.UUID
	if err := tx.Raw(`SELECT id FROM developer_accounts WHERE id = ? FOR UPDATE`, id).Scan(&found).Error; err != nil {
		return err
	}
	if len(found) == 0 {
		return errDeveloperAccountNotFound
	}
	return nil
}

// lockedMember returns userID's membership of the locked account accountID.
func lockedMember(tx *gorm.DB, accountID, userID uuid.UUID) (*DeveloperAccountMember, error) {
	var m DeveloperAccountMember
	err := tx.First(&m, "developer_account_id = ? AND user_id = ?", accountID, userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errMemberNotFound
	}
	return &m, err
}

// adminCount counts the admins of accountID.
func adminCount(tx *gorm.DB, accountID uuid.UUID) (int64, error) {
	var n int64
	err := tx.Model(&DeveloperAccountMember{}).
		Where("developer_account_id = ? AND role = ?", accountID, DevRoleAdmin).Count(&n).Error
	return n, err
}

// ListDeveloperAccountMembers returns the members of accountID ordered by email.
func (s *Store) ListDeveloperAccountMembers(ctx context.Context, accountID uuid.UUID) ([]DeveloperAccountMemberView, error) {
	members := []DeveloperAccountMemberView{}
	err := s.db.WithContext(ctx).Raw(`SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at AS joined_at
		FROM developer_account_members m JOIN users u ON u.id = m.user_id
		WHERE m.developer_account_id = ? ORDER BY u.email, u.id`, accountID).Scan(&members).Error
	if err != nil {
		return nil, fmt.Errorf("store: list developer account members: %w", err)
	}
	return members, nil
}

// ChangeDeveloperAccountRole gives member userID of accountID the role. It
// returns a not-found error when they are not a member, an invalid error
// ("invalid_role"), and a conflict ("last_admin") for demoting the last
// admin. Setting the role a member already has changes nothing.
func (s *Store) ChangeDeveloperAccountRole(ctx context.Context, accountID, userID uuid.UUID, role DeveloperRole) error {
	if err := validDeveloperRole(role); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockDeveloperAccount(tx, accountID); err != nil {
			return err
		}
		m, err := lockedMember(tx, accountID, userID)
		if err != nil || m.Role == role {
			return err
		}
		if m.Role == DevRoleAdmin {
			if n, err := adminCount(tx, accountID); err != nil {
				return err
			} else if n <= 1 {
				return errLastAdmin
			}
		}
		if err := tx.Exec(`UPDATE developer_account_members SET role = ? WHERE developer_account_id = ? AND user_id = ?`,
			role, accountID, userID).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, Event{Type: EventDeveloperAccountMemberRoleChanged, DeveloperAccountID: &accountID,
			Data: JSONMap{"user_id": userID.String(), "role": string(role), "previous_role": string(m.Role)}}); err != nil {
			return err
		}
		return notifyPortalChange(ctx, tx, accountID)
	})
	return storeError("change developer account role", err)
}

// RemoveDeveloperAccountMember removes userID from accountID: a removal, or
// leaving when the actor in ctx is userID. It returns a not-found error when
// they are not a member and a conflict ("last_admin") for the last admin.
func (s *Store) RemoveDeveloperAccountMember(ctx context.Context, accountID, userID uuid.UUID) error {
	typ := EventDeveloperAccountMemberRemoved
	if actor := AuditFrom(ctx).ActorID; actor != nil && *actor == userID {
		typ = EventDeveloperAccountMemberLeft
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockDeveloperAccount(tx, accountID); err != nil {
			return err
		}
		m, err := lockedMember(tx, accountID, userID)
		if err != nil {
			return err
		}
		if m.Role == DevRoleAdmin {
			if n, err := adminCount(tx, accountID); err != nil {
				return err
			} else if n <= 1 {
				return errLastAdmin
			}
		}
		if err := tx.Exec(`DELETE FROM developer_account_members WHERE developer_account_id = ? AND user_id = ?`,
			accountID, userID).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, Event{Type: typ, DeveloperAccountID: &accountID,
			Data: JSONMap{"user_id": userID.String(), "role": string(m.Role)}}); err != nil {
			return err
		}
		// The removed user is no longer a member but their cache lists the account.
		return notifyPortalChange(ctx, tx, accountID, userID)
	})
	return storeError("remove developer account member", err)
}
