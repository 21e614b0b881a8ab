package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// The Invitation workflow's activities call these; each is idempotent, so
// an activity retried after a commit it did not hear about changes nothing twice.

// MailInvitationToken mails generation of invitation id once: unless the
// invitation is no longer pending or that generation was already mailed, it
// makes a new link token, commits its hash in place of the previous one
// (whose link stops working), then calls send with the token and what the
// invitation is to, and finally records the generation as mailed. The hash
// is committed before the mail leaves, so a link is never followed before
// it works; if send fails, the generation stays unmailed and a retry makes
// a fresh token. It reports whether send was called and succeeded.
func (s *Invitations) MailInvitationToken(ctx context.Context, id uuid.UUID, generation int,
	send func(inv *models.Invitation, target *models.InvitationTarget, token string) error) (sent bool, err error) {
	var (
		inv    *models.Invitation
		target *models.InvitationTarget
		token  string
	)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		inv, err = lockInvitation(tx, id)
		if err != nil || inv.Status != models.InvitationPending || inv.MailedGeneration >= generation {
			inv = nil
			return err
		}
		if target, err = invitationTarget(tx, inv); err != nil {
			return err
		}
		token = models.NewToken(models.InvitationTokenPrefix)
		return s.updateInvitation(tx, inv, "token_hash = ?", models.HashToken(token))
	})
	if err != nil {
		return false, storeError("mail invitation", err)
	}
	if inv == nil {
		return false, nil
	}
	if err := send(inv, target, token); err != nil {
		return false, storeError("mail invitation", fmt.Errorf("send invitation %s: %w", id, err))
	}
	err = s.db.WithContext(ctx).Exec(`UPDATE invitations SET mailed_generation = ?, updated_at = now()
		WHERE id = ? AND mailed_generation < ?`, generation, id, generation).Error
	if err != nil {
		return true, storeError("mail invitation", err)
	}
	inv.MailedGeneration = generation
	return true, nil
}

// MarkInvitationResent moves pending invitation id to generation (resend
// count generation-1) and expiresAt, recording invitation.resent, unless it
// is already at that generation or beyond: then it only returns the row.
// It returns a not-found error, or a conflict ("invitation_not_pending").
func (s *Invitations) MarkInvitationResent(ctx context.Context, id uuid.UUID, generation int, expiresAt time.Time) (*models.Invitation, error) {
	var inv *models.Invitation
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if inv, err = lockInvitation(tx, id); err != nil {
			return err
		}
		if inv.Status != models.InvitationPending {
			return models.ErrInvitationNotPending
		}
		if inv.Generation >= generation {
			return nil
		}
		if err := s.updateInvitation(tx, inv, "generation = ?, resend_count = ?, expires_at = ?",
			generation, generation-1, expiresAt.UTC()); err != nil {
			return err
		}
		data := invitationData(inv)
		data["resend_count"], data["expires_at"] = inv.ResendCount, inv.ExpiresAt.UTC().Format(time.RFC3339)
		return appendEvent(ctx, tx, tablesOf(inv).event(models.EventInvitationResent, inv.TargetID(), nil, data))
	})
	if err != nil {
		return nil, storeError("mark invitation resent", err)
	}
	return inv, nil
}

// CancelInvitation cancels pending invitation id, recording
// invitation.cancelled; cancelling it again changes nothing. It returns a
// not-found error, or a conflict ("invitation_not_pending") once accepted or expired.
func (s *Invitations) CancelInvitation(ctx context.Context, id uuid.UUID) (*models.Invitation, error) {
	return s.closeInvitation(ctx, id, models.InvitationCancelled, models.EventInvitationCancelled)
}

// ExpireInvitation marks pending invitation id expired, recording
// invitation.expired; for any other status it only returns the row. It
// returns a not-found error.
func (s *Invitations) ExpireInvitation(ctx context.Context, id uuid.UUID) (*models.Invitation, error) {
	return s.closeInvitation(ctx, id, models.InvitationExpired, models.EventInvitationExpired)
}

// closeInvitation moves a pending invitation to status with event typ. Its
// token hash stays, so the link can still say what became of it.
func (s *Invitations) closeInvitation(ctx context.Context, id uuid.UUID, status models.InvitationStatus, typ models.EventType) (*models.Invitation, error) {
	var inv *models.Invitation
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if inv, err = lockInvitation(tx, id); err != nil {
			return err
		}
		switch {
		case inv.Status == status:
			return nil
		case inv.Status != models.InvitationPending && status == models.InvitationExpired:
			return nil
		case inv.Status != models.InvitationPending:
			return models.ErrInvitationNotPending
		}
		if err := s.updateInvitation(tx, inv, "status = ?", status); err != nil {
			return err
		}
		return appendEvent(ctx, tx, tablesOf(inv).event(typ, inv.TargetID(), nil, invitationData(inv)))
	})
	if err != nil {
		return nil, storeError("close invitation", err)
	}
	return inv, nil
}

// AcceptInvitation makes userID a member of the invitation's developer
// account or organization with its role, marks it accepted, records
// invitation.accepted and developer_account.member_added or
// organization.member_added (unless they were a member already: an
// organization owner stays owner), and announces the change to the members.
// Accepting again as the same user returns the row and changes nothing,
// also when calls race. It returns a not-found error, a forbidden error when
// the user's email is not the invited one ("invitation_email_mismatch"), and
// conflicts for an invitation accepted by someone else
// ("invitation_already_accepted"), cancelled ("invitation_cancelled") or
// expired, by status or time ("invitation_expired").
func (s *Invitations) AcceptInvitation(ctx context.Context, id, userID uuid.UUID) (*models.Invitation, error) {
	inv, err := s.GetInvitation(ctx, id)
	if err != nil {
		return nil, err
	}
	t, targetID := tablesOf(inv), inv.TargetID()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The account or organization before the invitation: the lock
		// order of every membership change.
		if err := t.lock(tx, targetID, "UPDATE"); err != nil {
			return err
		}
		var err error
		if inv, err = lockInvitation(tx, id); err != nil {
			return err
		}
		now := s.now()
		switch {
		case inv.Status == models.InvitationAccepted && inv.AcceptedBy != nil && *inv.AcceptedBy == userID:
			return nil
		case inv.Status == models.InvitationAccepted:
			return models.ErrInvitationAccepted
		case inv.Status == models.InvitationCancelled:
			return models.ErrInvitationCancelled
		case inv.Status == models.InvitationExpired || !now.Before(inv.ExpiresAt):
			return models.ErrInvitationExpired
		}
		var emails []string
		if err := tx.Raw(`SELECT email FROM users WHERE id = ?`, userID).Scan(&emails).Error; err != nil {
			return err
		}
		if len(emails) == 0 {
			return &models.Error{Kind: models.KindNotFound, Code: "user_not_found", Message: "No such user."}
		}
		if !strings.EqualFold(emails[0], inv.Email) {
			return models.ErrInvitationMismatch
		}
		added := tx.Exec(`INSERT INTO `+t.members+` (`+t.column+`, user_id, role, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, targetID, userID, inv.Role, now)
		if added.Error != nil {
			return added.Error
		}
		if err := s.updateInvitation(tx, inv, "status = ?, accepted_by = ?, accepted_at = ?",
			models.InvitationAccepted, userID, now); err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, t.event(models.EventInvitationAccepted, targetID, &userID, invitationData(inv))); err != nil {
			return err
		}
		if added.RowsAffected == 1 {
			data := models.JSONMap{"user_id": userID.String(), "role": string(inv.Role), "invitation_id": inv.ID.String()}
			if err := appendEvent(ctx, tx, t.event(t.memberAdded, targetID, &userID, data)); err != nil {
				return err
			}
		}
		return t.notify(ctx, tx, targetID)
	})
	if err != nil {
		return nil, storeError("accept invitation", err)
	}
	return inv, nil
}
