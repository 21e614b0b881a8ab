package activities

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// MailInvitationInput names the invitation and the generation (1 for the
// first mail, one more for each resend) whose mail is due.
type MailInvitationInput struct {
	InvitationID uuid.UUID
	Generation   int
}

// MarkResentInput records a resend: the new generation and expiry.
type MarkResentInput struct {
	InvitationID uuid.UUID
	Generation   int
	ExpiresAt    time.Time
	ActorID      uuid.UUID // the admin who asked; the event names them
}

// CancelInvitationInput names the invitation and the admin cancelling it.
type CancelInvitationInput struct {
	InvitationID uuid.UUID
	ActorID      uuid.UUID
}

// asActor makes events written under ctx name actor, when there is one.
func asActor(ctx context.Context, actor uuid.UUID) context.Context {
	if actor == uuid.Nil {
		return ctx
	}
	return models.WithActor(ctx, actor)
}

// AcceptInvitationInput names the invitation and the signed-in user
// accepting it.
type AcceptInvitationInput struct {
	InvitationID uuid.UUID
	UserID       uuid.UUID
}

// MailInvitation creates a fresh token for generation in.Generation of the
// invitation and mails its link; the token replaces the previous one, so an
// earlier link stops working. The token never leaves this activity. It
// reports whether it sent a mail: false when that generation was already
// mailed (a retried attempt) or the invitation is no longer pending. It
// returns a non-retryable error of the models Code for an unknown invitation,
// and the Mailer's or store's error, which Temporal retries.
func (a *Activities) MailInvitation(ctx context.Context, in MailInvitationInput) (bool, error) {
	sent, err := a.Store.MailInvitationToken(ctx, in.InvitationID, in.Generation,
		func(inv *models.Invitation, target *models.InvitationTarget, token string) error {
			var inviter *models.User
			if inv.InvitedBy != nil {
				u, err := a.Store.GetUser(ctx, *inv.InvitedBy)
				if err != nil && !errors.Is(err, models.ErrNotFound) {
					return err
				}
				inviter = u
			}
			m, err := InvitationMail(a.BaseURL, inv, target, inviter, token)
			if err != nil {
				return err
			}
			return a.Mailer.Send(ctx, m)
		})
	if err != nil {
		return false, contract.DomainError(fmt.Errorf("mail invitation %s: %w", in.InvitationID, err))
	}
	return sent, nil
}

// MarkInvitationResent moves the invitation to generation in.Generation
// with expiry in.ExpiresAt. Running it again for the same generation changes
// nothing. It returns a non-retryable invitation_not_pending error when the
// invitation was accepted, cancelled or expired meanwhile.
func (a *Activities) MarkInvitationResent(ctx context.Context, in MarkResentInput) error {
	_, err := a.Store.MarkInvitationResent(asActor(ctx, in.ActorID), in.InvitationID, in.Generation, in.ExpiresAt)
	return contract.DomainError(wrap("mark invitation resent", in.InvitationID, err))
}

// CancelInvitation cancels a pending invitation; an already cancelled one
// stays so. It returns a non-retryable invitation_not_pending error when the
// invitation was accepted or expired.
func (a *Activities) CancelInvitation(ctx context.Context, in CancelInvitationInput) error {
	_, err := a.Store.CancelInvitation(asActor(ctx, in.ActorID), in.InvitationID)
	return contract.DomainError(wrap("cancel invitation", in.InvitationID, err))
}

// ExpireInvitation marks a pending invitation expired and does nothing to
// one in any other state.
func (a *Activities) ExpireInvitation(ctx context.Context, id uuid.UUID) error {
	_, err := a.Store.ExpireInvitation(ctx, id)
	return contract.DomainError(wrap("expire invitation", id, err))
}

// AcceptInvitation makes in.UserID a member of the invitation's developer
// account or organization with the invited role, once: accepting again as the same user
// changes nothing. Events name the user as the actor. It returns
// non-retryable errors of the models Code: invitation_email_mismatch when
// the user's email is not the invited one, invitation_expired,
// invitation_cancelled.
func (a *Activities) AcceptInvitation(ctx context.Context, in AcceptInvitationInput) error {
	_, err := a.Store.AcceptInvitation(models.WithActor(ctx, in.UserID), in.InvitationID, in.UserID)
	return contract.DomainError(wrap("accept invitation", in.InvitationID, err))
}

func wrap(op string, id uuid.UUID, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s: %w", op, id, err)
}

// InvitationMail builds the mail inviting inv.Email to target (a developer
// account or an organization), with the accept link
// baseURL/invitations/accept?token=token. inviter may be nil. It returns an
// error only if a template fails to execute.
func InvitationMail(baseURL string, inv *models.Invitation, target *models.InvitationTarget, inviter *models.User, token string) (Mail, error) {
	data := invitationMailData{
		Noun:    target.Noun(),
		Title:   target.Name,
		Role:    string(inv.Role),
		Link:    strings.TrimSuffix(baseURL, "/") + "/invitations/accept?token=" + url.QueryEscape(token),
		Expires: inv.ExpiresAt.UTC().Format("Monday, 2 January 2006, 15:04 MST"),
	}
	if inviter != nil {
		data.InviterName, data.InviterEmail = inviter.Name, inviter.Email
	}
	return renderMail("invitation", inv.Email, fmt.Sprintf("You're invited to join %s on Appstore", target.Name), data)
}

type invitationMailData struct {
	Noun, Title, Role, Link, Expires string
	InviterName, InviterEmail        string
}
