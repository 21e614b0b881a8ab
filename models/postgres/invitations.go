package postgres

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

	"appstore/models"
)

// Invitations stores invitations to developer accounts and organizations, and
// their lifecycle.
type Invitations struct{ *core }

// invitationTables is the database side of one kind of invitation target:
// its table, its members table and the column naming it in invitations and
// in the members table. Every name is a constant of this package, never input.
type invitationTables struct {
	kind        models.InvitationKind
	table       string // developer_accounts | organizations
	members     string // developer_account_members | organization_members
	column      string // developer_account_id | organization_id
	notFound    *models.Error
	memberAdded models.EventType
}

var (
	accountInvitations = invitationTables{kind: models.InviteToDeveloperAccount, table: "developer_accounts",
		members: "developer_account_members", column: "developer_account_id",
		notFound: models.ErrDeveloperAccountNotFound, memberAdded: models.EventDeveloperAccountMemberAdd}
	organizationInvitations = invitationTables{kind: models.InviteToOrganization, table: "organizations",
		members: "organization_members", column: "organization_id",
		notFound: models.ErrInvitationOrganizationNotFound, memberAdded: models.EventOrganizationMemberAdded}
)

// tablesOf returns the tables of inv's kind.
func tablesOf(inv *models.Invitation) invitationTables {
	if inv.Kind() == models.InviteToOrganization {
		return organizationInvitations
	}
	return accountInvitations
}

// noun names the target kind in messages.
func (t invitationTables) noun() string {
	return (&models.InvitationTarget{Kind: t.kind}).Noun()
}

// lock locks target id's row (strength UPDATE or SHARE) until tx ends: the
// lock every change of its members takes first. It returns the not-found
// error of the kind when there is no such row.
func (t invitationTables) lock(tx *gorm.DB, id uuid.UUID, strength string) error {
	var found []uuid.UUID
	if err := tx.Raw(`SELECT id FROM `+t.table+` WHERE id = ? FOR `+strength, id).Scan(&found).Error; err != nil {
		return err
	}
	if len(found) == 0 {
		return t.notFound
	}
	return nil
}

// event is an event of typ about target id: it carries the developer
// account or the organization, so each one's log shows it.
func (t invitationTables) event(typ models.EventType, id uuid.UUID, actor *uuid.UUID, data models.JSONMap) models.Event {
	e := models.Event{Type: typ, ActorID: actor, Data: data}
	if t.kind == models.InviteToOrganization {
		e.OrganizationID = &id
	} else {
		e.DeveloperAccountID = &id
	}
	return e
}

// notify announces a membership change of target id to the portal caches.
func (t invitationTables) notify(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	if t.kind == models.InviteToOrganization {
		return notifyOrganizationChange(ctx, tx, id)
	}
	return notifyPortalChange(ctx, tx, id)
}

// newInvitation is a pending invitation to target id.
func (t invitationTables) newInvitation(id uuid.UUID) *models.Invitation {
	inv := &models.Invitation{ID: newID(), Status: models.InvitationPending, Generation: 1}
	if t.kind == models.InviteToOrganization {
		inv.OrganizationID = &id
	} else {
		inv.DeveloperAccountID = &id
	}
	return inv
}

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
func (s *Invitations) CreateInvitations(ctx context.Context, accountID, invitedBy uuid.UUID, emails []string, role models.DeveloperRole) ([]models.InviteOutcome, error) {
	return s.createInvitations(ctx, accountInvitations, accountID, invitedBy, emails, models.InvitationRole(role))
}

// CreateOrganizationInvitations is CreateInvitations for organization
// orgID: the same outcomes, rules and events (which carry the
// organization). role is admin or member ("invalid_role" otherwise: owners
// are made by a role change); an unknown organization is a not-found error
// ("organization_not_found"). Who may invite is the caller's to check.
func (s *Invitations) CreateOrganizationInvitations(ctx context.Context, orgID, invitedBy uuid.UUID, emails []string, role models.OrganizationRole) ([]models.InviteOutcome, error) {
	return s.createInvitations(ctx, organizationInvitations, orgID, invitedBy, emails, models.InvitationRole(role))
}

func (s *Invitations) createInvitations(ctx context.Context, t invitationTables, targetID, invitedBy uuid.UUID, emails []string, role models.InvitationRole) ([]models.InviteOutcome, error) {
	if err := models.ValidInvitationRole(role); err != nil {
		return nil, err
	}
	if len(emails) == 0 || len(emails) > models.MaxInvitationEmails {
		return nil, models.Invalid("invalid_emails", fmt.Sprintf("Invite 1 to %d email addresses at a time.", models.MaxInvitationEmails),
			models.FieldError{Field: "emails", Message: fmt.Sprintf("must list 1 to %d addresses", models.MaxInvitationEmails)})
	}
	outcomes := []models.InviteOutcome{}
	index := map[string]int{} // address -> its outcome
	var valid []string
	for _, raw := range emails {
		email, err := models.NormalizeEmail(raw)
		key := email
		if err != nil {
			key = "\x00" + strings.TrimSpace(raw) // an invalid address collapses with its own repeats only
		}
		if _, dup := index[key]; dup {
			continue
		}
		index[key] = len(outcomes)
		if err != nil {
			outcomes = append(outcomes, models.InviteOutcome{Email: strings.TrimSpace(raw), Result: models.InviteInvalidEmail,
				Message: "This is not a valid email address."})
			continue
		}
		outcomes = append(outcomes, models.InviteOutcome{Email: email})
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
		if err := t.lock(tx, targetID, "SHARE"); err != nil {
			return err
		}
		var members []string
		if err := tx.Raw(`SELECT lower(u.email) FROM `+t.members+` m JOIN users u ON u.id = m.user_id
			WHERE m.`+t.column+` = ? AND u.email IN ?`, targetID, valid).Scan(&members).Error; err != nil {
			return err
		}
		for _, email := range valid {
			o := &outcomes[index[email]]
			if slices.Contains(members, email) {
				o.Result, o.Message = models.InviteAlreadyMember, "This person is already a member of the "+t.noun()+"."
				continue
			}
			inv := t.newInvitation(targetID)
			inv.Email, inv.Role, inv.ExpiresAt, inv.InvitedBy = email, role, now.Add(models.InvitationTTL), &invitedBy
			inv.CreatedAt, inv.UpdatedAt = now, now
			res := tx.Clauses(clause.OnConflict{
				Columns:     []clause.Column{{Name: t.column}, {Name: "email"}},
				TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "status = 'pending'"}}},
				DoNothing:   true,
			}).Create(inv)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				o.Result, o.Message = models.InviteAlreadyInvited, "This person already has a pending invitation; resend it instead."
				continue
			}
			if err := appendEvent(ctx, tx, t.event(models.EventInvitationCreated, targetID, &invitedBy, invitationData(inv))); err != nil {
				return err
			}
			o.Result, o.Invitation = models.InviteInvited, inv
		}
		return nil
	})
	if err != nil {
		return nil, storeError("create invitations", err)
	}
	return outcomes, nil
}

// invitationData is what every invitation event records.
func invitationData(inv *models.Invitation) models.JSONMap {
	return models.JSONMap{"invitation_id": inv.ID.String(), "email": inv.Email, "role": string(inv.Role)}
}

// GetInvitation returns invitation id, or a not-found error.
func (s *Invitations) GetInvitation(ctx context.Context, id uuid.UUID) (*models.Invitation, error) {
	var inv models.Invitation
	if err := first(s.db.WithContext(ctx), &inv, "get invitation", models.ErrInvitationNotFound, "id = ?", id); err != nil {
		return nil, err
	}
	return &inv, nil
}

// ListPendingInvitations returns accountID's pending invitations, newest first.
func (s *Invitations) ListPendingInvitations(ctx context.Context, accountID uuid.UUID) ([]models.Invitation, error) {
	return s.listPendingInvitations(ctx, accountInvitations, accountID)
}

// ListPendingOrganizationInvitations returns orgID's pending invitations,
// newest first (empty, not nil, when there are none).
func (s *Invitations) ListPendingOrganizationInvitations(ctx context.Context, orgID uuid.UUID) ([]models.Invitation, error) {
	return s.listPendingInvitations(ctx, organizationInvitations, orgID)
}

func (s *Invitations) listPendingInvitations(ctx context.Context, t invitationTables, targetID uuid.UUID) ([]models.Invitation, error) {
	invs := []models.Invitation{}
	err := s.db.WithContext(ctx).Where(t.column+" = ? AND status = ?", targetID, models.InvitationPending).
		Order("created_at DESC, id DESC").Find(&invs).Error
	if err != nil {
		return nil, fmt.Errorf("store: list invitations: %w", err)
	}
	return invs, nil
}

// GetInvitationTarget returns what inv is to: the developer account (title,
// slug) or the organization (name). It returns a not-found error when that
// is gone.
func (s *Invitations) GetInvitationTarget(ctx context.Context, inv *models.Invitation) (*models.InvitationTarget, error) {
	target, err := invitationTarget(s.db.WithContext(ctx), inv)
	if err != nil {
		return nil, storeError("get invitation target", err)
	}
	return target, nil
}

// invitationTarget reads inv's target in tx.
func invitationTarget(tx *gorm.DB, inv *models.Invitation) (*models.InvitationTarget, error) {
	t := tablesOf(inv)
	target := &models.InvitationTarget{Kind: t.kind, ID: inv.TargetID()}
	var rows []struct{ Name, Slug string }
	q := `SELECT title AS name, slug FROM developer_accounts WHERE id = ?`
	if t.kind == models.InviteToOrganization {
		q = `SELECT name, '' AS slug FROM organizations WHERE id = ?`
	}
	if err := tx.Raw(q, target.ID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, t.notFound
	}
	target.Name, target.Slug = rows[0].Name, rows[0].Slug
	return target, nil
}

// FindInvitationByToken returns the invitation whose latest mailed link
// carries token, in whatever status it is now, so the link can say what
// became of it; a link replaced by a resend is not found.
func (s *Invitations) FindInvitationByToken(ctx context.Context, token string) (*models.Invitation, error) {
	if !strings.HasPrefix(token, models.InvitationTokenPrefix) {
		return nil, models.ErrInvitationNotFound
	}
	var inv models.Invitation
	if err := first(s.db.WithContext(ctx), &inv, "find invitation", models.ErrInvitationNotFound, "token_hash = ?", models.HashToken(token)); err != nil {
		return nil, err
	}
	return &inv, nil
}

// lockInvitation reads invitation id and locks its row until tx ends.
func lockInvitation(tx *gorm.DB, id uuid.UUID) (*models.Invitation, error) {
	var inv models.Invitation
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&inv, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrInvitationNotFound
	}
	return &inv, err
}

// updateInvitation applies set (an SQL SET list with its args) to inv's row
// and reads the row back into inv.
func (s *Invitations) updateInvitation(tx *gorm.DB, inv *models.Invitation, set string, args ...any) error {
	args = append(args, s.now(), inv.ID)
	return tx.Raw(`UPDATE invitations SET `+set+`, updated_at = ? WHERE id = ? RETURNING *`, args...).
		Scan(inv).Error
}
