package pages

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/api/httpx"
	"appstore/models"
)

type teamPageData struct {
	Account     *models.DeveloperAccount
	MyRole      models.DeveloperRole
	IsAdmin     bool
	Me          uuid.UUID
	Members     []models.DeveloperAccountMemberView
	Invitations []models.Invitation
}

// teamPage shows an account's members, roles and pending invitations;
// admins also get the controls.
func (s *Server) teamPage(c *gin.Context) {
	state, acct, role, ok := s.accountPage(c)
	if !ok {
		return
	}
	id, ctx := acct.ID, c.Request.Context()
	members, invs, err := membersAndInvitations(
		func() ([]models.DeveloperAccountMemberView, error) {
			return s.developerAccounts.ListDeveloperAccountMembers(ctx, id)
		},
		func() ([]models.Invitation, error) { return s.invitations.ListPendingInvitations(ctx, id) })
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	s.renderPage(c, http.StatusOK, "team", userPage(acct.Title, state, teamPageData{
		Account: acct, MyRole: role, IsAdmin: role == models.DevRoleAdmin, Me: state.User.ID,
		Members: members, Invitations: invs,
	}))
}

// devMailPage lists the development outbox (only mounted in development).
func (s *Server) devMailPage(c *gin.Context) {
	mails, err := s.devMail.ListDevMails(c.Request.Context(), 100)
	if err != nil {
		httpx.Logger(c).Error("dev mail", "err", err)
		s.renderPage(c, http.StatusInternalServerError, "error", pageData{Title: "Error", Error: "Cannot read the outbox."})
		return
	}
	s.renderPage(c, http.StatusOK, "devmail", s.optionalUser(c, pageData{Title: "Dev mail", Page: mails}))
}

// devMailMessagePage shows one mail: its text part, links clickable.
func (s *Server) devMailMessagePage(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.renderPage(c, http.StatusNotFound, "notfound", pageData{Title: "Not found"})
		return
	}
	mail, err := s.devMail.GetDevMail(c.Request.Context(), id)
	if errors.Is(err, models.ErrNotFound) {
		s.renderPage(c, http.StatusNotFound, "notfound", pageData{Title: "Not found"})
		return
	}
	if err != nil {
		httpx.Logger(c).Error("dev mail", "err", err)
		s.renderPage(c, http.StatusInternalServerError, "error", pageData{Title: "Error", Error: "Cannot read the outbox."})
		return
	}
	s.renderPage(c, http.StatusOK, "devmail_message", s.optionalUser(c, pageData{Title: mail.Subject, Page: mail}))
}

// optionalUser fills d's user and portal state when a browser session is
// signed in, for pages that also serve visitors who are not.
func (s *Server) optionalUser(c *gin.Context, d pageData) pageData {
	if p := httpx.PrincipalOf(c); p != nil && p.Via == "cookie" {
		if state, err := s.portal.Get(c.Request.Context(), p.UserID); err == nil {
			d.User, d.Portal = state.User, state
		}
	}
	return d
}

// InvitationsPanel feeds the shared invitations partial.
func (d teamPageData) InvitationsPanel() invitationsPanel {
	return invitationsPanel{Base: "/api/v1/developer-accounts/" + d.Account.ID.String(), TestID: "invitations",
		Invitations: d.Invitations, CanManage: d.IsAdmin,
		MemberMeans: "view apps, push development deployments", AdminMeans: "also publish and manage the team"}
}

// registerTeamPageRoutes mounts the routes served from this file.
func (s *Server) registerTeamPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/developer-accounts", s.userOnlyPage("developer_accounts", "Developer accounts"))
	pages.GET("/developer-accounts/:id", s.teamPage)
}
