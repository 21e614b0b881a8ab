package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// InvitationStore is what the invitation handlers and the accept page use.
type InvitationStore interface {
	CreateInvitations(ctx context.Context, accountID, invitedBy uuid.UUID, emails []string, role models.DeveloperRole) ([]models.InviteOutcome, error)
	GetInvitation(ctx context.Context, id uuid.UUID) (*models.Invitation, error)
	ListPendingInvitations(ctx context.Context, accountID uuid.UUID) ([]models.Invitation, error)
	FindInvitationByToken(ctx context.Context, token string) (*models.Invitation, error)
	CancelInvitation(ctx context.Context, id uuid.UUID) (*models.Invitation, error)
	CreateOrganizationInvitations(ctx context.Context, orgID, invitedBy uuid.UUID, emails []string, role models.OrganizationRole) ([]models.InviteOutcome, error)
	ListPendingOrganizationInvitations(ctx context.Context, orgID uuid.UUID) ([]models.Invitation, error)
	GetInvitationTarget(ctx context.Context, inv *models.Invitation) (*models.InvitationTarget, error)
}

// listInvitations lists the scope's pending invitations (members may look).
func (s *Server) listInvitations(sc memberScope) func(*gin.Context) error {
	return func(c *gin.Context) error {
		id, _, err := sc.access(s, c, false)
		if err != nil {
			return err
		}
		invs, err := sc.pendingInvitations(s, c.Request.Context(), id)
		if err != nil {
			return err
		}
		if invs == nil {
			invs = []models.Invitation{}
		}
		c.JSON(http.StatusOK, gin.H{"invitations": invs})
		return nil
	}
}

type inviteRequest struct {
	Emails []string `json:"emails"`
	Role   string   `json:"role"`
}

// invite invites one or more emails (those who manage members). Each email
// gets its own outcome; the invited ones each start an Invitation
// workflow, which mails the link and owns the 7-day expiry.
func (s *Server) invite(sc memberScope) func(*gin.Context) error {
	return func(c *gin.Context) error {
		id, _, err := sc.access(s, c, true)
		if err != nil {
			return err
		}
		var req inviteRequest
		if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
			return err
		}
		ctx := c.Request.Context()
		target, err := sc.invitationTarget(s, ctx, id)
		if err != nil {
			return err
		}
		outcomes, err := sc.createInvitations(s, ctx, id, principal(c).UserID, req.Emails, req.Role)
		if err != nil {
			return err
		}
		return s.startInvitations(c, outcomes, target)
	}
}

// startInvitations starts the workflow of each invitation made in outcomes
// and answers with the outcomes.
func (s *Server) startInvitations(c *gin.Context, outcomes []models.InviteOutcome, target *models.InvitationTarget) error {
	ctx := c.Request.Context()
	for _, o := range outcomes {
		if o.Invitation == nil {
			continue
		}
		// The workflow owns the mail and the expiry. If it cannot start, the
		// row is cancelled again so no pending invitation is left without
		// one; the admin can simply invite again.
		if err := s.invitationRuns.Start(ctx, o.Invitation, target); err != nil {
			if _, cerr := s.invitations.CancelInvitation(ctx, o.Invitation.ID); cerr != nil {
				logger(c).Error("cancel unstarted invitation", "invitation", o.Invitation.ID, "err", cerr)
			}
			return &models.Error{Kind: models.KindUnavailable, Code: "invitations_unavailable",
				Message: "Invitations cannot be sent right now; nothing was sent. Try again shortly.", Err: err}
		}
	}
	c.JSON(http.StatusOK, gin.H{"results": outcomes})
	return nil
}

// scopeInvitation loads invitation :inv of the scope the request names,
// for one who manages its members.
func (s *Server) scopeInvitation(c *gin.Context, sc memberScope) (*models.Invitation, error) {
	id, _, err := sc.access(s, c, true)
	if err != nil {
		return nil, err
	}
	return s.invitationOf(c, id)
}

// invitationOf loads invitation :inv, which must be to the developer
// account or organization targetID: any other is not found.
func (s *Server) invitationOf(c *gin.Context, targetID uuid.UUID) (*models.Invitation, error) {
	invID, err := pathID(c, "inv")
	if err != nil {
		return nil, err
	}
	inv, err := s.invitations.GetInvitation(c.Request.Context(), invID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && inv.TargetID() != targetID) {
		return nil, models.Errorf(models.KindNotFound, "invitation_not_found", "No such invitation.")
	}
	return inv, err
}

// resendInvitation mails a fresh link (the old one stops working) and
// moves the expiry to now + 7 days.
func (s *Server) resendInvitation(sc memberScope) func(*gin.Context) error {
	return func(c *gin.Context) error {
		inv, err := s.scopeInvitation(c, sc)
		if err != nil {
			return err
		}
		return s.resend(c, inv)
	}
}

// cancelInvitation ends a pending invitation.
func (s *Server) cancelInvitation(sc memberScope) func(*gin.Context) error {
	return func(c *gin.Context) error {
		inv, err := s.scopeInvitation(c, sc)
		if err != nil {
			return err
		}
		return s.cancel(c, inv)
	}
}

// resend asks inv's workflow for a resend by the caller and answers with the row.
func (s *Server) resend(c *gin.Context, inv *models.Invitation) error {
	if _, err := s.invitationRuns.Resend(c.Request.Context(), inv.ID, principal(c).UserID); err != nil {
		return s.invitationError(c, inv.ID, err)
	}
	return s.writeInvitation(c, inv.ID)
}

// cancel asks inv's workflow to cancel it for the caller and answers with the row.
func (s *Server) cancel(c *gin.Context, inv *models.Invitation) error {
	if _, err := s.invitationRuns.Cancel(c.Request.Context(), inv.ID, principal(c).UserID); err != nil {
		return s.invitationError(c, inv.ID, err)
	}
	return s.writeInvitation(c, inv.ID)
}

type acceptRequest struct {
	Token string `json:"token"`
}

// acceptInvitation joins the caller to the developer account or
// organization of the invitation whose link they followed. Accepting twice
// is not an error: the membership is made once and the answer is the same:
// the target (kind, id, name), the role, and for an account the account.
func (s *Server) acceptInvitation(c *gin.Context) error {
	var req acceptRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	me := principal(c)
	inv, err := s.invitations.FindInvitationByToken(ctx, req.Token)
	if err != nil {
		return invitationNotFound(err)
	}
	if err := invitationAcceptable(inv, me, time.Now()); err != nil {
		return err
	}
	if inv.Status == models.InvitationPending {
		if _, err := s.invitationRuns.Accept(ctx, inv.ID, me.UserID); err != nil {
			if err := s.invitationError(c, inv.ID, err); err != nil {
				return err
			}
		}
	}
	target, err := s.invitations.GetInvitationTarget(ctx, inv)
	if err != nil {
		return err
	}
	if target.Kind == models.InviteToOrganization {
		// Only the newcomer's memberships changed; other processes hear of
		// it from the database.
		s.portal.Invalidate(me.UserID)
		c.JSON(http.StatusOK, gin.H{"target": target, "role": inv.Role})
		return nil
	}
	s.invalidateMembers(c, accountScope, target.ID, me.UserID)
	acct, err := s.developerAccounts.GetDeveloperAccount(ctx, target.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"target": target, "developer_account": acct, "role": inv.Role})
	return nil
}

// invitationAcceptable says why me cannot accept inv, if they cannot.
func invitationAcceptable(inv *models.Invitation, me *Principal, now time.Time) error {
	switch {
	case inv.Status == models.InvitationAccepted && inv.AcceptedBy != nil && *inv.AcceptedBy == me.UserID:
		return nil // a second click: already done
	case inv.Status == models.InvitationAccepted:
		return models.Errorf(models.KindConflict, "invitation_used", "This invitation has already been accepted.")
	case inv.Status == models.InvitationCancelled:
		return models.Errorf(models.KindGone, "invitation_cancelled", "This invitation was cancelled. Ask an admin to invite you again.")
	case inv.Status == models.InvitationExpired || !now.Before(inv.ExpiresAt):
		return models.Errorf(models.KindGone, "invitation_expired", "This invitation expired on %s. Ask an admin to resend it.", inv.ExpiresAt.UTC().Format("2 Jan 2006 15:04 MST"))
	case !strings.EqualFold(inv.Email, me.Email):
		return models.Errorf(models.KindForbidden, "invitation_email_mismatch", "This invitation was sent to %s. Sign in with that address to accept it.", inv.Email)
	}
	return nil
}

// invitationError turns a refused Update into the invitation's real state:
// the workflow may have ended (accepted, cancelled, expired) in between.
func (s *Server) invitationError(c *gin.Context, id uuid.UUID, err error) error {
	if !invitationClosed(err) {
		return err
	}
	inv, gerr := s.invitations.GetInvitation(c.Request.Context(), id)
	if gerr != nil {
		return gerr
	}
	switch inv.Status {
	case models.InvitationAccepted:
		if p := principal(c); p != nil && inv.AcceptedBy != nil && *inv.AcceptedBy == p.UserID {
			return nil
		}
		return models.Errorf(models.KindConflict, "invitation_not_pending", "This invitation has already been accepted.")
	case models.InvitationCancelled:
		return models.Errorf(models.KindConflict, "invitation_not_pending", "This invitation was cancelled.")
	case models.InvitationExpired:
		return models.Errorf(models.KindGone, "invitation_expired", "This invitation has expired.")
	}
	return models.Errorf(models.KindConflict, "invitation_busy", "The invitation is being updated; try again in a moment.")
}

// invitationClosed reports whether err means the workflow no longer takes
// Updates: it ended or is missing, or it refused this one because the
// invitation is not pending (expired, cancelled, accepted), which the row
// says. Refusals for the caller to see (another address, a double click,
// nobody signed in) are not.
func invitationClosed(err error) bool {
	if runClosed(err) {
		return true
	}
	var me *models.Error
	if !errors.As(err, &me) {
		return false
	}
	switch me.Code {
	case "invitation_email_mismatch", contract.ErrTypeInvitationBusy, contract.ErrTypeInvalidUser:
		return false
	}
	return true
}

func (s *Server) writeInvitation(c *gin.Context, id uuid.UUID) error {
	inv, err := s.invitations.GetInvitation(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, inv)
	return nil
}

func invitationNotFound(err error) error {
	if errors.Is(err, models.ErrNotFound) {
		return models.Errorf(models.KindNotFound, "invitation_not_found",
			"This invitation link is not valid. If it was resent, use the newest email.")
	}
	return err
}

// registerInvitationRoutes mounts the routes served from this file.
func (s *Server) registerInvitationRoutes(me *gin.RouterGroup) {
	me.POST("/invitations/accept", handler(s.acceptInvitation))
}
