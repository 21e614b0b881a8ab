package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// InvitationStore is what the organization invitation handlers and the
// accept page use beyond the developer-account invitation methods.
type InvitationStore interface {
	CreateOrganizationInvitations(ctx context.Context, orgID, invitedBy uuid.UUID, emails []string, role models.OrganizationRole) ([]models.InviteOutcome, error)
	ListPendingOrganizationInvitations(ctx context.Context, orgID uuid.UUID) ([]models.Invitation, error)
	GetInvitationTarget(ctx context.Context, inv *models.Invitation) (*models.InvitationTarget, error)
}

// The organization flavour of invitations: the same workflow and rules as
// a developer account's, with owners and admins as the inviters.

// listOrganizationInvitations lists an organization's pending invitations
// (members may look).
func (s *Server) listOrganizationInvitations(c *gin.Context) error {
	id, _, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return err
	}
	invs, err := s.store.ListPendingOrganizationInvitations(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if invs == nil {
		invs = []models.Invitation{}
	}
	c.JSON(http.StatusOK, gin.H{"invitations": invs})
	return nil
}

type orgInviteRequest struct {
	Emails []string                `json:"emails"`
	Role   models.OrganizationRole `json:"role"`
}

// inviteToOrganization invites one or more emails as admins or members
// (owners and admins may invite). Each email gets its own outcome; each
// invited one starts an Invitation workflow.
func (s *Server) inviteToOrganization(c *gin.Context) error {
	id, _, err := s.orgAccess(c, models.OrgRoleAdmin)
	if err != nil {
		return err
	}
	var req orgInviteRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	org, err := s.store.GetOrganization(ctx, id)
	if err != nil {
		return err
	}
	outcomes, err := s.store.CreateOrganizationInvitations(ctx, id, principal(c).UserID, req.Emails, req.Role)
	if err != nil {
		return err
	}
	return s.startInvitations(c, outcomes, models.OrganizationInvitationTarget(org))
}

// organizationInvitation loads invitation :inv of organization :org for an
// owner or admin.
func (s *Server) organizationInvitation(c *gin.Context) (*models.Invitation, error) {
	id, _, err := s.orgAccess(c, models.OrgRoleAdmin)
	if err != nil {
		return nil, err
	}
	return s.invitationOf(c, id)
}

// resendOrganizationInvitation mails a fresh link (the old one stops
// working) and moves the expiry to now + 7 days.
func (s *Server) resendOrganizationInvitation(c *gin.Context) error {
	inv, err := s.organizationInvitation(c)
	if err != nil {
		return err
	}
	return s.resend(c, inv)
}

// cancelOrganizationInvitation ends a pending invitation.
func (s *Server) cancelOrganizationInvitation(c *gin.Context) error {
	inv, err := s.organizationInvitation(c)
	if err != nil {
		return err
	}
	return s.cancel(c, inv)
}
