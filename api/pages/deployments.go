package pages

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"appstore/api/httpx"
	"appstore/models"
	"appstore/workflows/contract"
)

// deploymentsPageLimit is how many deployments of each type the tab shows.
const deploymentsPageLimit = 50

type appDeploymentsPageData struct {
	appPageBase
	Production  []models.Deployment
	Development []models.Deployment
	// Promoted maps a development deployment id to the production
	// deployment made from it.
	Promoted map[string]string
}

// appDeploymentsPage is the Deployments tab: production deployments with
// their review moves, development deployments with Promote.
func (s *Server) appDeploymentsPage(c *gin.Context) {
	state, base, ok := s.appPage(c, "deployments")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	prod, err := s.deployments.ListDeployments(ctx, base.App.ID, models.DeploymentFilter{Type: models.DeploymentProduction, Limit: deploymentsPageLimit})
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	dev, err := s.deployments.ListDeployments(ctx, base.App.ID, models.DeploymentFilter{Type: models.DeploymentDevelopment, Limit: deploymentsPageLimit})
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	promoted := map[string]string{}
	for _, d := range prod.Items {
		if d.SourceDeploymentID != nil {
			promoted[d.SourceDeploymentID.String()] = d.ID.String()
		}
	}
	s.renderPage(c, http.StatusOK, "app_deployments", userPage(base.App.Title+" deployments", state, appDeploymentsPageData{
		appPageBase: base, Production: prod.Items, Development: dev.Items, Promoted: promoted,
	}))
}

type deploymentPageData struct {
	App         *models.App
	Deployment  *models.Deployment
	Review      *contract.ReviewState
	ReviewError string
	WorkflowID  string
	WorkflowURL string
}

// deploymentPage shows one deployment with the live state of its
// Promotion run (status Query) and a link to the run in the Temporal UI,
// to members of the developer account and to reviewers.
func (s *Server) deploymentPage(c *gin.Context) {
	state, ok := s.pageUser(c)
	if !ok {
		return
	}
	d, app, err := s.api.Deployment(c)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	data := deploymentPageData{App: app, Deployment: d}
	devID := d.ID
	if d.SourceDeploymentID != nil {
		devID = *d.SourceDeploymentID
	}
	data.WorkflowID = contract.PromotionWorkflowID(devID)
	st, err := s.promotions.Status(c.Request.Context(), devID)
	switch {
	case err == nil:
		data.Review = st
		if s.cfg.TemporalUIURL != "" {
			data.WorkflowURL = s.cfg.TemporalUIURL + "/namespaces/" + url.PathEscape(s.cfg.TemporalNamespace) +
				"/workflows/" + url.PathEscape(data.WorkflowID)
		}
	case s.api.RunClosed(err):
		data.ReviewError = "Not promoted yet."
	default:
		s.log.Warn("promotion status query", "deployment", d.ID, "err", err)
		data.ReviewError = "The review state is unavailable right now; the status above is the database's."
	}
	title := app.Title
	if d.Version != nil {
		title += " " + *d.Version
	}
	s.renderPage(c, http.StatusOK, "deployment", userPage(title, state, data))
}

type reviewPageData struct {
	Items      []models.ReviewQueueItem
	NextCursor string
	Me         string
	IsStaff    bool
	Codes      []models.RejectionReasonCode
}

// reviewPage is the reviewers' console: the queue, oldest first, with
// claim, approve and reject (reasons from the catalogue).
func (s *Server) reviewPage(c *gin.Context) {
	state, ok := s.pageUser(c)
	if !ok {
		return
	}
	p := httpx.PrincipalOf(c)
	if !p.Role.CanReview() {
		s.pageError(c, state, models.Errorf(models.KindForbidden, "reviewer_required", "Only platform reviewers can see the review queue."))
		return
	}
	page, err := s.reviews.ListReviewQueue(c.Request.Context(), c.Query("cursor"), 50)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	s.renderPage(c, http.StatusOK, "review", userPage("Review console", state, reviewPageData{
		Items: page.Items, NextCursor: page.NextCursor, Me: p.UserID.String(),
		IsStaff: p.Role == models.PlatformRoleStaffAdmin, Codes: models.RejectionReasonCodes,
	}))
}

// registerDeploymentPageRoutes mounts the routes served from this file.
func (s *Server) registerDeploymentPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/apps/:app/deployments", s.appDeploymentsPage)
	pages.GET("/deployments/:id", s.deploymentPage)
	pages.GET("/review", s.reviewPage)
}
