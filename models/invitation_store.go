package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

var (
	errInvitationNotFound   = &Error{Kind: KindNotFound, Code: "invitation_not_found", Message: "No such invitation."}
	errInvitationNotPending = &Error{Kind: KindConflict, Code: "invitation_not_pending", Message: "This invitation is no longer pending."}
	errInvitationAccepted   = &Error{Kind: KindConflict, Code: "invitation_already_accepted", Message: "This invitation has already been accepted."}
	errInvitationCancelled  = &Error{Kind: KindConflict, Code: "invitation_cancelled", Message: "This invitation was cancelled. Ask an admin of the account to invite you again."}
	errInvitationExpired    = &Error{Kind: KindConflict, Code: "invitation_expired", Message: "This invitation has expired. Ask an admin of the account to resend it."}
	errInvitationMismatch   = &Error{Kind: KindForbidden, Code: "invitation_email_mismatch", Message: "This invitation was sent to another email address. Sign in with that address to accept it."}
)

// CreateInvitations invites each distinct address of emails to accountID
// with role and reports, in input order, what became of each: invited (a
// pending invitation, expiring after InvitationTTL, with no token yet — the
// Invitation workflow mails it), already_member, already_invited (a pending
// invitation exists; the partial unique index decides between concurrent
// invites) or invalid_email. A rejected address changes nothing; the others
// are created with an invitation.created event each, all in one transaction,
// so a failure of the database leaves no invitation without its workflow.
// It returns an invalid error for no or more than MaxInvitationEmails
// addresses ("invalid_emails") or a bad role, and a not-found error for an
// unknown account.
func (s *Store) CreateInvitations(ctx context.Context, accountID, invitedBy uuid.UUID, emails []string, role DeveloperRole) ([]InviteOutcome, error) {
	if err := validDeveloperRole(role); err != nil {
		return nil, err
	}
	if len(emails) == 0 || len(emails) > MaxInvitationEmails {
		return nil, Invalid("invalid_emails", fmt.Sprintf("Invite 1 to %d email addresses at a time.", MaxInvitationEmails),
			FieldError{Field: "emails", Message: fmt.Sprintf("must list 1 to %d addresses", MaxInvitationEmails)})
	}
	outcomes := []InviteOutcome{}
	index := map[string]int{} // address -> its outcome
	var valid []string
	for _, raw := range emails {
		email, err := NormalizeEmail(raw)
		key := email
		if err != nil {
			key = "\x00" + strings.TrimSpace(raw) // an invalid address collapses with its own repeats only
		}
		if _, dup := index[key]; dup {
			continue
		}
		index[key] = len(outcomes)
		if err != nil {
			outcomes = append(outcomes, InviteOutcome{Email: strings.TrimSpace(raw), Result: InviteInvalidEmail,
				Message: "This is not a valid email address."})
			continue
		}
		outcomes = append(outcomes, InviteOutcome{Email: email})
		valid = append(valid, email)
	}
	if len(valid) == 0 {
		return outcomes, nil
	}
	// Rows are inserted in address order, so two requests that invite the
	// same people wait for each other instead of deadlocking.
	slices.Sort(valid)
	now := s.now().Truncate(time.Microsecond) // as stored, so the returned rows equal the stored ones
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// A share lock: invites run side by side, but not beside a
		// membership change, so "already a member" sees every accepted invitation.
		var found []uuid.UUID
		if err := tx.Raw(`SELECT id FROM developer_accounts WHERE id = ? FOR SHARE`, accountID).Scan(&found).Error; err != nil {
			return err
		}
		if len(found) == 0 {
			return errDeveloperAccountNotFound
		}
		var members []string
		if err := tx.Raw(`SELECT lower(u.email) FROM developer_account_members m JOIN users u ON u.id = m.user_id
			WHERE m.developer_account_id = ? AND u.email IN ?`, accountID, valid).Scan(&members).Error; err != nil {
			return err
		}
		for _, email := range valid {
			o := &outcomes[index[email]]
			if slices.Contains(members, email) {
				o.Result, o.Message = InviteAlreadyMember, "This person is already a member of the developer account."
				continue
			}
			inv := &Invitation{
				ID: newID(), DeveloperAccountID: accountID, Email: email, Role: role, Status: InvitationPending,
				ExpiresAt: now.Add(InvitationTTL), Generation: 1, InvitedBy: &invitedBy, CreatedAt: now, UpdatedAt: now,
			}
			res := tx.Clauses(clause.OnConflict{
				Columns:     []clause.Column{{Name: "developer_account_id"}, {Name: "email"}},
				TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "status = 'pending'"}}},
				DoNothing:   true,
			}).Create(inv)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				o.Result, o.Message = InviteAlreadyInvited, "This person already has a pending invitation; resend it instead."
				continue
			}
			if err := appendEvent(ctx, tx, Event{Type: EventInvitationCreated, ActorID: &invitedBy,
				DeveloperAccountID: &accountID, Data: invitationData(inv)}); err != nil {
				return err
			}
			o.Result, o.Invitation = InviteInvited, inv
		}
		return nil
	})
	if err != nil {
		return nil, storeError("create invitations", err)
	}
	return outcomes, nil
}

// invitationData is what every invitation event records.
func invitationData(inv *Invitation) JSONMap {
	return JSONMap{"invitation_id": inv.ID.String(), "email": inv.Email, "role": string(inv.Role)}
}

// GetInvitation returns invitation id, or a not-found error.
func (s *Store) GetInvitation(ctx context.Context, id uuid.UUID) (*Invitation, error) {
	var inv Invitation
	err := s.db.WithContext(ctx).First(&inv, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errInvitationNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get invitation: %w", err)
	}
	return &inv, nil
}

// ListPendingInvitations returns accountID's pending invitations, newest first.
func (s *Store) ListPendingInvitations(ctx context.Context, accountID uuid.UUID) ([]Invitation, error) {
	invs := []Invitation{}
	err := s.db.WithContext(ctx).Where("developer_account_id = ? AND status = ?", accountID, InvitationPending).
		Order("created_at DESC, id DESC").Find(&invs).Error
	if err != nil {
		return nil, fmt.Errorf("store: list invitations: %w", err)
	}
	return invs, nil
}

// FindInvitationByToken returns the invitation whose latest mailed link
// carries token, in whatever status it is now, so the link can say what
// became of it; a link replaced by a resend is not found.
func (s *Store) FindInvitationByToken(ctx context.Context, token string) (*Invitation, error) {
	if !strings.HasPrefix(token, InvitationTokenPrefix) {
		return nil, errInvitationNotFound
	}
	var inv Invitation
	err := s.db.WithContext(ctx).First(&inv, "token_hash = ?", HashToken(token)).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errInvitationNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: find invitation: %w", err)
	}
	return &inv, nil
}

// lockInvitation reads invitation id and locks its row until tx ends.
func lockInvitation(tx *gorm.DB, id uuid.UUID) (*Invitation, error) {
	var inv Invitation
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&inv, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errInvitationNotFound
	}
	return &inv, err
}

// updateInvitation applies set (an SQL SET list with its args) to inv's row
// and reads the row back into inv.
func (s *Store) updateInvitation(tx *gorm.DB, inv *Invitation, set string, args ...any) error {
	args = append(args, s.now(), inv.ID)
	return tx.Raw(`UPDATE developer_account_invitations SET `+set+`, updated_at = ? WHERE id = ? RETURNING *`, args...).
		Scan(inv).Error
}
