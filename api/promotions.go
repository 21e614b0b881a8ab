package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// ReviewStore is what the promotion and review handlers read; moves
// themselves go through the Promotion workflow.
type ReviewStore interface {
	ProductionDeploymentOf(ctx context.Context, devID uuid.UUID) (*models.Deployment, error)
	ListReviewQueue(ctx context.Context, cursor string, limit int) (*models.ReviewQueuePage, error)
	OpenReviewSandbox(ctx context.Context, deploymentID, reviewer uuid.UUID) (*models.ReviewSandbox, error)
}

// deploymentAndApp loads the deployment :id and its app.
func (s *Server) deploymentAndApp(c *gin.Context) (*models.Deployment, *models.App, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, errDeploymentNotFound
	}
	ctx := c.Request.Context()
	d, err := s.deployments.GetDeployment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	app, err := s.apps.GetApp(ctx, d.AppID)
	if err != nil {
		return nil, nil, err
	}
	return d, app, nil
}

// viewDeployment loads the deployment :id and its app for a caller who may
// see it: a member of the app's developer account or a reviewer. Anyone
// else gets 404, as for a deployment that does not exist.
func (s *Server) viewDeployment(c *gin.Context) (*models.Deployment, *models.App, error) {
	d, app, err := s.deploymentAndApp(c)
	if err != nil {
		return nil, nil, err
	}
	if !principal(c).Role.CanReview() {
		if _, err := s.developerAccounts.DeveloperAccountRole(c.Request.Context(), app.DeveloperAccountID, principal(c).UserID); err != nil {
			if errors.Is(err, models.ErrNotFound) {
				return nil, nil, errDeploymentNotFound
			}
			return nil, nil, err
		}
	}
	return d, app, nil
}

// updateID makes a retried request (same Idempotency-Key) the same Update,
// which Temporal answers from the first; without a key every request is
// its own Update, and the workflow's validators keep moves single.
func updateID(c *gin.Context, action string, deploymentID uuid.UUID) string {
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if key == "" || len(key) > 200 {
		return ""
	}
	return action + "-" + deploymentID.String() + "-" + principal(c).UserID.String() + "-" + key
}

type promoteRequest struct {
	ReleaseNotes string `json:"release_notes"`
}

// promote makes the production deployment of development deployment :id
// (members of the developer account): Update-With-Start on its Promotion
// run, answered with the deployment and its version once made.
func (s *Server) promote(c *gin.Context) error {
	d, app, _, err := s.deploymentAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	if d.Type != models.DeploymentDevelopment {
		return models.Errorf(models.KindConflict, "not_a_development_deployment", "Only a development deployment can be promoted; this one is %s.", d.Type)
	}
	var req promoteRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
			return err
		}
	}
	acct, err := s.developerAccounts.GetDeveloperAccount(c.Request.Context(), app.DeveloperAccountID)
	if err != nil {
		return err
	}
	in := contract.PromotionInput{DevDeploymentID: d.ID, AppID: app.ID, AppSlug: app.Slug,
		DeveloperAccountID: app.DeveloperAccountID, DeveloperAccountSlug: acct.Slug}
	args := contract.ReviewArgs{ActorID: principal(c).UserID, ReleaseNotes: strings.TrimSpace(req.ReleaseNotes)}
	ctx := c.Request.Context()
	st, err := s.promotions.Promote(ctx, in, args, updateID(c, contract.PromotionPromoteUpdate, d.ID))
	var prod *models.Deployment
	switch {
	case runClosed(err):
		// The run is over (its deployment was deprecated): the answer is
		// the deployment it made, unchanged.
		prod, err = s.reviews.ProductionDeploymentOf(ctx, d.ID)
	case err == nil:
		prod, err = s.deployments.GetDeployment(ctx, st.DeploymentID)
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"deployment": prod, "review": st})
	return nil
}

// developerMove is submit, withdraw, publish or deprecate of production
// deployment :id, by an admin of the app's developer account.
func (s *Server) developerMove(action models.ReviewAction) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		d, _, _, err := s.deploymentAccess(c, models.DevRoleAdmin)
		if err != nil {
			return err
		}
		return s.move(c, d, action, contract.ReviewArgs{ActorID: principal(c).UserID})
	}
}

type rejectRequest struct {
	Reasons []models.RejectionReason `json:"reasons"`
}

// reviewerMove is claim, approve or reject of production deployment :id,
// by a platform reviewer or staff admin.
func (s *Server) reviewerMove(action models.ReviewAction) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		p := principal(c)
		if !p.Role.CanReview() {
			return models.Errorf(models.KindForbidden, "reviewer_required", "Only platform reviewers can do that.")
		}
		args := contract.ReviewArgs{ActorID: p.UserID, ActorIsStaff: p.Role == models.PlatformRoleStaffAdmin}
		if action == models.ReviewReject {
			var req rejectRequest
			if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
				return err
			}
			reasons, err := models.ValidateRejectionReasons(req.Reasons)
			if err != nil {
				return err
			}
			args.Reasons = reasons
		}
		d, _, err := s.deploymentAndApp(c)
		if err != nil {
			return err
		}
		return s.move(c, d, action, args)
	}
}

// move sends action to the Promotion run of production deployment d and
// answers with the deployment as the database now has it and the run's
// state. An illegal move is 409 illegal_transition naming the current status.
func (s *Server) move(c *gin.Context, d *models.Deployment, action models.ReviewAction, args contract.ReviewArgs) error {
	if d.Type != models.DeploymentProduction || d.SourceDeploymentID == nil {
		return models.Errorf(models.KindConflict, "not_a_production_deployment", "Review moves apply to production deployments; promote this one first.")
	}
	ctx := c.Request.Context()
	st, err := s.promotions.Move(ctx, *d.SourceDeploymentID, action, args, updateID(c, string(action), d.ID))
	if runClosed(err) {
		return models.IllegalTransition(d.Status, action)
	}
	if err != nil {
		return err
	}
	now, err := s.deployments.GetDeployment(ctx, d.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"deployment": now, "review": st})
	return nil
}

// deploymentReview answers the Promotion run's status Query for a
// production deployment (or the development deployment it came from):
// status, history and rejection reasons. Developer-account members and
// reviewers may read it.
func (s *Server) deploymentReview(c *gin.Context) error {
	d, _, err := s.viewDeployment(c)
	if err != nil {
		return err
	}
	devID := d.ID
	if d.Type == models.DeploymentProduction {
		if d.SourceDeploymentID == nil {
			return errDeploymentNotFound
		}
		devID = *d.SourceDeploymentID
	}
	st, err := s.promotions.Status(c.Request.Context(), devID)
	if runClosed(err) {
		return models.Errorf(models.KindNotFound, "not_promoted", "This deployment has not been promoted.")
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"review": st, "workflow_id": contract.PromotionWorkflowID(devID)})
	return nil
}

// reviewQueue lists submissions waiting for or in review, oldest first
// (platform reviewers).
func (s *Server) reviewQueue(c *gin.Context) error {
	if !principal(c).Role.CanReview() {
		return models.Errorf(models.KindForbidden, "reviewer_required", "Only platform reviewers can see the review queue.")
	}
	limit, err := queryLimit(c, 50)
	if err != nil {
		return err
	}
	page, err := s.reviews.ListReviewQueue(c.Request.Context(), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// openReviewSandbox answers POST /review/deployments/:id/sandbox
// (reviewers): the deployment runs in the review sandbox organization,
// whose records pages the reviewer is sent to.
func (s *Server) openReviewSandbox(c *gin.Context) error {
	p := principal(c)
	if !p.Role.CanReview() {
		return models.Errorf(models.KindForbidden, "reviewer_required", "Only platform reviewers can try deployments under review.")
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sb, err := s.reviews.OpenReviewSandbox(c.Request.Context(), id, p.UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, sb)
	return nil
}

// rejectionReasons serves the catalogue reviewers choose reasons from.
func (s *Server) rejectionReasons(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"reasons": models.RejectionReasonCodes})
}

// registerPromotionRoutes mounts the routes served from this file.
func (s *Server) registerPromotionRoutes(me *gin.RouterGroup) {
	me.POST("/deployments/:id/promote", handler(s.promote))
	me.POST("/deployments/:id/submit", handler(s.developerMove(models.ReviewSubmit)))
	me.POST("/deployments/:id/withdraw", handler(s.developerMove(models.ReviewWithdraw)))
	me.POST("/deployments/:id/publish", handler(s.developerMove(models.ReviewPublish)))
	me.POST("/deployments/:id/deprecate", handler(s.developerMove(models.ReviewDeprecate)))
	me.GET("/deployments/:id/review", handler(s.deploymentReview))
	me.GET("/review/queue", handler(s.reviewQueue))
	me.POST("/review/deployments/:id/claim", handler(s.reviewerMove(models.ReviewClaim)))
	me.POST("/review/deployments/:id/approve", handler(s.reviewerMove(models.ReviewApprove)))
	me.POST("/review/deployments/:id/reject", handler(s.reviewerMove(models.ReviewReject)))
	me.POST("/review/deployments/:id/sandbox", handler(s.openReviewSandbox))
	me.GET("/rejection-reasons", s.rejectionReasons)
}
