package api

import (
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/api/pages"
	"appstore/models"
)

// pageAPI lends the pages (package pages) what the JSON API decides, so
// sessions, access rules and views are written once.
type pageAPI struct{ s *Server }

var _ pages.API = pageAPI{}

func (a pageAPI) ReadSignInForm(c *gin.Context) error { return parseSmallForm(c, loginFormMaxBytes) }

func (a pageAPI) SignIn(c *gin.Context, email, password string) error {
	token, _, err := a.s.checkPassword(c, email, password)
	if err == nil {
		_, _, _, err = a.s.startSession(c, token)
	}
	return err
}

func (a pageAPI) SignOut(c *gin.Context)       { a.s.endSession(c) }
func (a pageAPI) ForgetSession(c *gin.Context) { a.s.setSessionCookie(c, "", -1) }

func (a pageAPI) SignedInAt(c *gin.Context) (time.Time, bool) { return a.s.signedInAt(c) }

func (a pageAPI) OrganizationAccess(c *gin.Context, need models.OrganizationRole) (uuid.UUID, models.OrganizationRole, error) {
	return a.s.orgAccess(c, need)
}

func (a pageAPI) DeveloperAccountAccess(c *gin.Context, need models.DeveloperRole) (uuid.UUID, models.DeveloperRole, error) {
	return a.s.accountAccess(c, need)
}

func (a pageAPI) AppAccess(c *gin.Context, need models.DeveloperRole) (*models.App, models.DeveloperRole, error) {
	return a.s.appAccess(c, need)
}

func (a pageAPI) InstallationAccess(c *gin.Context, orgAdmin bool) (*models.InstallationAccess, error) {
	if orgAdmin {
		return a.s.installationConfigAccess(c, needOrgAdmin)
	}
	return a.s.installationConfigAccess(c, needReader)
}

func (a pageAPI) Deployment(c *gin.Context) (*models.Deployment, *models.App, error) {
	return a.s.viewDeployment(c)
}

func (a pageAPI) OpenAppURL(c *gin.Context) (string, error) { return a.s.ssoURL(c) }

func (a pageAPI) InvitationNotFound(err error) error { return invitationNotFound(err) }

func (a pageAPI) InvitationAcceptable(inv *models.Invitation, me *Principal, now time.Time) error {
	return invitationAcceptable(inv, me, now)
}

func (a pageAPI) CatalogFilter(c *gin.Context) (models.CatalogFilter, error) { return catalogFilter(c) }

func (a pageAPI) RecordFilter(c *gin.Context) (models.RecordFilter, error) { return recordFilter(c) }

func (a pageAPI) RunClosed(err error) bool { return runClosed(err) }

func (a pageAPI) OAuthClientView(client *models.OAuthClient) any {
	j := newOAuthClientJSON(client)
	return &j
}

func (a pageAPI) WebhookEndpointView(ep *models.WebhookEndpoint) any {
	return newWebhookEndpointJSON(ep)
}
