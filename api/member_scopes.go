package api

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// memberScope is a group that people are members of and invited to: a
// developer account or an organization. Members and invitations are
// implemented once over it (members.go, invitations.go) and mounted under
// each scope's URL prefix; the scope supplies what differs.
type memberScope struct {
	// prefix is the scope's path below /api/v1, with its id parameter.
	prefix string
	// access checks the caller's membership of the scope the request
	// names: any member, or with manage one who may manage members (an
	// admin of an account, an admin or owner of an organization). It
	// returns the scope's id and the caller's role.
	access func(s *Server, c *gin.Context, manage bool) (uuid.UUID, string, error)
	// mayManage, when set, says whether the caller (with myRole) may give
	// target newRole ("" for a removal); accounts have no such rule.
	mayManage func(s *Server, c *gin.Context, id uuid.UUID, myRole string, target uuid.UUID, newRole string) error
	// validRole refuses a role the scope does not have.
	validRole func(role string) error

	members      func(s *Server, ctx context.Context, id uuid.UUID) (any, []uuid.UUID, error)
	changeRole   func(s *Server, ctx context.Context, id, user uuid.UUID, role string) error
	removeMember func(s *Server, ctx context.Context, id, user uuid.UUID) error

	pendingInvitations func(s *Server, ctx context.Context, id uuid.UUID) ([]models.Invitation, error)
	createInvitations  func(s *Server, ctx context.Context, id, by uuid.UUID, emails []string, role string) ([]models.InviteOutcome, error)
	invitationTarget   func(s *Server, ctx context.Context, id uuid.UUID) (*models.InvitationTarget, error)
}

var accountScope = memberScope{
	prefix: "/developer-accounts/:id",
	access: func(s *Server, c *gin.Context, manage bool) (uuid.UUID, string, error) {
		need := models.DevRoleMember
		if manage {
			need = models.DevRoleAdmin
		}
		id, role, err := s.accountAccess(c, need)
		return id, string(role), err
	},
	validRole: func(role string) error {
		if r := models.DeveloperRole(role); r != models.DevRoleAdmin && r != models.DevRoleMember {
			return models.Invalid("invalid_role", "role must be admin or member.", models.FieldError{Field: "role", Message: "must be admin or member"})
		}
		return nil
	},
	members: func(s *Server, ctx context.Context, id uuid.UUID) (any, []uuid.UUID, error) {
		list, err := s.developerAccounts.ListDeveloperAccountMembers(ctx, id)
		users := make([]uuid.UUID, len(list))
		for i, m := range list {
			users[i] = m.UserID
		}
		return list, users, err
	},
	changeRole: func(s *Server, ctx context.Context, id, user uuid.UUID, role string) error {
		return s.developerAccounts.ChangeDeveloperAccountRole(ctx, id, user, models.DeveloperRole(role))
	},
	removeMember: func(s *Server, ctx context.Context, id, user uuid.UUID) error {
		return s.developerAccounts.RemoveDeveloperAccountMember(ctx, id, user)
	},
	pendingInvitations: func(s *Server, ctx context.Context, id uuid.UUID) ([]models.Invitation, error) {
		return s.invitations.ListPendingInvitations(ctx, id)
	},
	createInvitations: func(s *Server, ctx context.Context, id, by uuid.UUID, emails []string, role string) ([]models.InviteOutcome, error) {
		return s.invitations.CreateInvitations(ctx, id, by, emails, models.DeveloperRole(role))
	},
	invitationTarget: func(s *Server, ctx context.Context, id uuid.UUID) (*models.InvitationTarget, error) {
		acct, err := s.developerAccounts.GetDeveloperAccount(ctx, id)
		if err != nil {
			return nil, err
		}
		return models.AccountInvitationTarget(acct), nil
	},
}

var organizationScope = memberScope{
	prefix: "/organizations/:org",
	access: func(s *Server, c *gin.Context, manage bool) (uuid.UUID, string, error) {
		need := models.OrgRoleMember
		if manage {
			need = models.OrgRoleAdmin
		}
		id, role, err := s.orgAccess(c, need)
		return id, string(role), err
	},
	mayManage: func(s *Server, c *gin.Context, id uuid.UUID, myRole string, target uuid.UUID, newRole string) error {
		return s.adminMayManage(c, id, models.OrganizationRole(myRole), target, models.OrganizationRole(newRole))
	},
	validRole: func(role string) error {
		if _, ok := orgRank[models.OrganizationRole(role)]; !ok {
			return models.Invalid("invalid_role", "role must be owner, admin or member.", models.FieldError{Field: "role", Message: "must be owner, admin or member"})
		}
		return nil
	},
	members: func(s *Server, ctx context.Context, id uuid.UUID) (any, []uuid.UUID, error) {
		list, err := s.organizations.ListOrganizationMembers(ctx, id)
		users := make([]uuid.UUID, len(list))
		for i, m := range list {
			users[i] = m.UserID
		}
		return list, users, err
	},
	changeRole: func(s *Server, ctx context.Context, id, user uuid.UUID, role string) error {
		return s.organizations.ChangeOrganizationRole(ctx, id, user, models.OrganizationRole(role))
	},
	removeMember: func(s *Server, ctx context.Context, id, user uuid.UUID) error {
		return s.organizations.RemoveOrganizationMember(ctx, id, user)
	},
	pendingInvitations: func(s *Server, ctx context.Context, id uuid.UUID) ([]models.Invitation, error) {
		return s.invitations.ListPendingOrganizationInvitations(ctx, id)
	},
	createInvitations: func(s *Server, ctx context.Context, id, by uuid.UUID, emails []string, role string) ([]models.InviteOutcome, error) {
		return s.invitations.CreateOrganizationInvitations(ctx, id, by, emails, models.OrganizationRole(role))
	},
	invitationTarget: func(s *Server, ctx context.Context, id uuid.UUID) (*models.InvitationTarget, error) {
		org, err := s.organizations.GetOrganization(ctx, id)
		if err != nil {
			return nil, err
		}
		return models.OrganizationInvitationTarget(org), nil
	},
}

// checkManage applies the scope's rule, if it has one, to the caller
// (with myRole) giving target newRole ("" for a removal).
func (sc memberScope) checkManage(s *Server, c *gin.Context, id uuid.UUID, myRole string, target uuid.UUID, newRole string) error {
	if sc.mayManage == nil {
		return nil
	}
	return sc.mayManage(s, c, id, myRole, target, newRole)
}

// registerMemberRoutes mounts a scope's members and invitations.
func (s *Server) registerMemberRoutes(g *gin.RouterGroup, sc memberScope) {
	g.GET(sc.prefix+"/members", handler(s.listMembers(sc)))
	g.PATCH(sc.prefix+"/members/:user", handler(s.changeMemberRole(sc)))
	g.DELETE(sc.prefix+"/members/:user", handler(s.removeMember(sc)))
	g.POST(sc.prefix+"/leave", handler(s.leave(sc)))
	g.GET(sc.prefix+"/invitations", handler(s.listInvitations(sc)))
	g.POST(sc.prefix+"/invitations", handler(s.invite(sc)))
	g.POST(sc.prefix+"/invitations/:inv/resend", handler(s.resendInvitation(sc)))
	g.POST(sc.prefix+"/invitations/:inv/cancel", handler(s.cancelInvitation(sc)))
}

// invalidateMembers drops this process's cached portal state of every
// member of the scope now, and of extra (someone who just left); other
// processes hear of it through PostgreSQL NOTIFY.
func (s *Server) invalidateMembers(c *gin.Context, sc memberScope, id uuid.UUID, extra ...uuid.UUID) {
	for _, u := range extra {
		s.portal.Invalidate(u)
	}
	_, users, err := sc.members(s, c.Request.Context(), id)
	if err != nil {
		logger(c).Warn("invalidate portal state", "err", err)
		return
	}
	for _, u := range users {
		s.portal.Invalidate(u)
	}
}
