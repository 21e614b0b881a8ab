package pages

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"appstore/api/httpx"
	"appstore/models"
)

type acceptPageData struct {
	Token      string
	Invitation *models.Invitation
	Target     *models.InvitationTarget // the developer account or organization
	Open       string                   // its page, where accepting leads
	Problem    string                   // why it cannot be accepted, if it cannot
	Done       bool                     // the signed-in user already accepted it
	SignIn     string                   // login URL that comes back here, when signed out
}

// targetPage is the page of an invitation's developer account or organization.
func targetPage(t *models.InvitationTarget) string {
	if t.Kind == models.InviteToOrganization {
		return "/organizations/" + t.ID.String()
	}
	return "/developer-accounts/" + t.ID.String()
}

// acceptInvitationPage is where the mailed link lands, for an invitation to
// a developer account or an organization alike. It names what the
// invitation is to and says plainly when the link is stale, expired or
// meant for someone else.
func (s *Server) acceptInvitationPage(c *gin.Context) {
	token := c.Query("token")
	data := s.optionalUser(c, pageData{Title: "Invitation"})
	state := data.Portal
	page := acceptPageData{Token: token}
	inv, err := s.invitations.FindInvitationByToken(c.Request.Context(), token)
	if err != nil {
		p := httpx.ProblemFor(s.api.InvitationNotFound(err))
		page.Problem = p.Detail
		data.Page = page
		s.renderPage(c, p.Status, "accept", data)
		return
	}
	page.Invitation = inv
	target, err := s.invitations.GetInvitationTarget(c.Request.Context(), inv)
	if err != nil {
		httpx.Logger(c).Error("invitation target", "invitation", inv.ID, "err", err)
		s.renderPage(c, http.StatusInternalServerError, "error", pageData{Title: "Error", Error: "Something went wrong on our side."})
		return
	}
	page.Target, page.Open = target, targetPage(target)
	status := http.StatusOK
	if state == nil {
		page.SignIn = "/login?next=" + url.QueryEscape(c.Request.URL.RequestURI())
		if inv.Status != models.InvitationPending || !time.Now().Before(inv.ExpiresAt) {
			page.Problem = httpx.ProblemFor(s.api.InvitationAcceptable(inv, &httpx.Principal{Email: inv.Email}, time.Now())).Detail
			page.SignIn = ""
		}
	} else if err := s.api.InvitationAcceptable(inv, &httpx.Principal{UserID: state.User.ID, Email: state.User.Email}, time.Now()); err != nil {
		p := httpx.ProblemFor(err)
		page.Problem, status = p.Detail, p.Status
	} else if inv.Status == models.InvitationAccepted {
		page.Done = true
	}
	data.Page = page
	s.renderPage(c, status, "accept", data)
}

// registerAcceptPageRoutes mounts the routes served from this file.
func (s *Server) registerAcceptPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/invitations/accept", s.acceptInvitationPage)
}
