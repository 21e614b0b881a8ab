package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// Reviews stores the review of deployments: transitions, reminders and the
// queue.
type Reviews struct{ *core }

// ApplyReviewTransition moves a production deployment by t, in one
// transaction with its event-log row and its webhook deliveries, so the
// status and the events it causes never diverge. Applying the same Seq
// again returns the first outcome.
func (s *Reviews) ApplyReviewTransition(ctx context.Context, t models.ReviewTransition) (*models.ReviewOutcome, error) {
	var out models.ReviewOutcome
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d models.Deployment
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&d, "id = ? AND type = ?", t.DeploymentID, models.DeploymentProduction).Error; err != nil {
			return err
		}
		var app models.App
		if err := tx.First(&app, "id = ?", d.AppID).Error; err != nil {
			return err
		}
		if d.ReviewSeq >= t.Seq {
			// A retry of a move already made: answer as the first time.
			out.Status, out.ReviewerID = d.Status, d.ReviewerID
			ids, err := s.enqueueReviewEvent(tx, &app, &d, t, "")
			out.DeliveryIDs = ids
			if err == nil && t.Action == models.ReviewPublish {
				out.PreviousPublished, err = previousPublished(tx, &d)
			}
			return err
		}
		if d.ReviewSeq != t.Seq-1 {
			return fmt.Errorf("review transition %d of deployment %s arrived after %d", t.Seq, d.ID, d.ReviewSeq)
		}
		from := d.Status
		to, ok := models.ReviewTarget(from, t.Action)
		if !ok {
			return models.IllegalTransition(from, t.Action)
		}
		now := s.now()
		changes := map[string]any{"status": to, "review_seq": t.Seq, "updated_at": now}
		switch t.Action {
		case models.ReviewSubmit:
			checks, err := s.apps().publishChecksOf(ctx, &app)
			if err != nil {
				return err
			}
			if models.Blocking(checks) {
				return models.PublishChecksFailed(checks)
			}
			var account models.DeveloperAccount
			if err := tx.First(&account, "id = ?", app.DeveloperAccountID).Error; err != nil {
				return err
			}
			if account.AutoApprove {
				to = models.DeploymentApproved
				changes["status"], changes["reviewed_at"] = to, now
			}
			changes["submitted_at"], changes["reviewer_id"], changes["rejection_reasons"] = now, nil, models.JSONList[models.RejectionReason]{}
		case models.ReviewClaim:
			changes["reviewer_id"] = t.ActorID
		case models.ReviewApprove:
			changes["reviewed_at"] = now
		case models.ReviewReject:
			reasons, err := models.ValidateRejectionReasons(t.Reasons)
			if err != nil {
				return err
			}
			t.Reasons = reasons
			changes["reviewed_at"], changes["rejection_reasons"] = now, models.JSONList[models.RejectionReason](reasons)
		case models.ReviewPublish:
			changes["published_at"] = now
		}
		if err := tx.Model(&models.Deployment{}).Where("id = ?", d.ID).Updates(changes).Error; err != nil {
			if isUniqueViolation(err, "app_deployments_one_in_review") {
				return models.ErrReviewBusy
			}
			return err
		}
		if err := tx.Model(&models.App{}).Where("id = ?", app.ID).Update("review_status", string(to)).Error; err != nil {
			return err
		}
		if t.Action == models.ReviewClaim {
			d.ReviewerID = t.ActorID
		}
		data := models.JSONMap{"from": string(from), "to": string(to), "version": derefString(d.Version)}
		if t.Action == models.ReviewReject {
			data["reasons"] = t.Reasons
		}
		if err := appendEvent(ctx, tx, models.Event{Type: models.ReviewEvents[t.Action], DeveloperAccountID: &app.DeveloperAccountID,
			AppID: &app.ID, DeploymentID: &d.ID, Data: data}); err != nil {
			return err
		}
		d.Status = to
		ids, err := s.enqueueReviewEvent(tx, &app, &d, t, from)
		if err != nil {
			return err
		}
		out = models.ReviewOutcome{Status: to, ReviewerID: d.ReviewerID, DeliveryIDs: ids}
		if t.Action == models.ReviewPublish {
			out.PreviousPublished, err = previousPublished(tx, &d)
		}
		return err
	})
	if err != nil {
		return nil, storeError("review transition", notFoundAs(err, models.ErrDeploymentNotFound))
	}
	return &out, nil
}

// enqueueReviewEvent queues the transition's webhook to the developer
// account's endpoints. The dedupe prefix names the move, so a retry gets
// the deliveries of the first run.
func (s *Reviews) enqueueReviewEvent(tx *gorm.DB, app *models.App, d *models.Deployment, t models.ReviewTransition, from models.DeploymentStatus) ([]uuid.UUID, error) {
	payload := models.JSONMap{
		"deployment_id": d.ID.String(), "app_id": app.ID.String(), "app_slug": app.Slug,
		"version": derefString(d.Version), "status": string(d.Status),
	}
	if from != "" {
		payload["previous_status"] = string(from)
	}
	if t.Action == models.ReviewReject {
		payload["reasons"] = t.Reasons
	}
	prefix := fmt.Sprintf("deployment:%s:%d", d.ID, t.Seq)
	return s.enqueueDeveloperEventTx(tx, app.DeveloperAccountID, models.ReviewEvents[t.Action], prefix, payload)
}

// previousPublished is the app's other published deployment, if any.
func previousPublished(tx *gorm.DB, d *models.Deployment) (*models.Deployment, error) {
	var prev models.Deployment
	err := tx.Where("app_id = ? AND type = ? AND status = ? AND id <> ?", d.AppID, models.DeploymentProduction, models.DeploymentPublished, d.ID).
		Order("published_at DESC").First(&prev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &prev, nil
}

// EnqueuePromotedEvent queues deployment.promoted for a production
// deployment; the Promotion workflow calls it right after creating the
// deployment, and calling it again returns the same deliveries.
func (s *Reviews) EnqueuePromotedEvent(ctx context.Context, deploymentID uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d models.Deployment
		if err := tx.First(&d, "id = ? AND type = ?", deploymentID, models.DeploymentProduction).Error; err != nil {
			return err
		}
		var app models.App
		if err := tx.First(&app, "id = ?", d.AppID).Error; err != nil {
			return err
		}
		payload := models.JSONMap{"deployment_id": d.ID.String(), "app_id": app.ID.String(), "app_slug": app.Slug,
			"version": derefString(d.Version), "status": string(models.DeploymentActive), "release_notes": d.ReleaseNotes}
		if d.SourceDeploymentID != nil {
			payload["source_deployment_id"] = d.SourceDeploymentID.String()
		}
		var err error
		ids, err = s.enqueueDeveloperEventTx(tx, app.DeveloperAccountID, models.EventDeploymentPromoted, "deployment:"+d.ID.String()+":promoted", payload)
		return err
	})
	if err != nil {
		return nil, storeError("enqueue promoted event", notFoundAs(err, models.ErrDeploymentNotFound))
	}
	return ids, nil
}

// ReviewReminderTargets returns who should hear that a submission waits:
// the reviewer who claimed it, or else every reviewer and staff admin.
func (s *Reviews) ReviewReminderTargets(ctx context.Context, deploymentID uuid.UUID) (*models.Deployment, *models.App, []models.User, error) {
	var d models.Deployment
	if err := s.db.WithContext(ctx).First(&d, "id = ?", deploymentID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, nil, models.ErrDeploymentNotFound
		}
		return nil, nil, nil, err
	}
	var app models.App
	if err := s.db.WithContext(ctx).First(&app, "id = ?", d.AppID).Error; err != nil {
		return nil, nil, nil, err
	}
	q := s.db.WithContext(ctx).Order("email")
	if d.Status == models.DeploymentInReview && d.ReviewerID != nil {
		q = q.Where("id = ?", *d.ReviewerID)
	} else {
		q = q.Where("platform_role IN ?", []models.PlatformRole{models.PlatformRoleReviewer, models.PlatformRoleStaffAdmin})
	}
	var users []models.User
	if err := q.Limit(200).Find(&users).Error; err != nil {
		return nil, nil, nil, err
	}
	return &d, &app, users, nil
}

// RecordReviewReminder writes the reminder's event once per (deployment,
// reminder number): its id is derived from both, so a retried activity
// does not log it twice.
func (s *Reviews) RecordReviewReminder(ctx context.Context, d *models.Deployment, app *models.App, n int, waitedHours float64) error {
	id := uuid.NewSHA1(uuid.NameSpaceURL, fmt.Appendf(nil, "appstore:review-reminder:%s:%d", d.ID, n))
	return s.events().RecordEventOnce(ctx, models.Event{ID: id, Type: models.EventDeploymentReminder, DeveloperAccountID: &app.DeveloperAccountID,
		AppID: &app.ID, DeploymentID: &d.ID,
		Data: models.JSONMap{"reminder": n, "status": string(d.Status), "waited_hours": waitedHours}})
}

func derefString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ListReviewQueue lists production deployments pending or in review,
// oldest submission first (the index app_deployments_queue_idx serves it),
// from cursor.
func (s *Reviews) ListReviewQueue(ctx context.Context, cursor string, limit int) (*models.ReviewQueuePage, error) {
	q := s.db.WithContext(ctx).Table("app_deployments d").
		Select("d.*, a.slug AS app_slug, a.title AS app_title, da.slug AS developer_account_slug").
		Joins("JOIN apps a ON a.id = d.app_id").
		Joins("JOIN developer_accounts da ON da.id = a.developer_account_id").
		Where("d.status IN ?", []models.DeploymentStatus{models.DeploymentPendingReview, models.DeploymentInReview})
	if cursor != "" {
		c, err := models.DecodeCursor(cursor)
		if err != nil {
			return nil, err
		}
		q = q.Where("(d.submitted_at, d.id) > (?, ?)", c.CreatedAt, c.ID)
	}
	items := []models.ReviewQueueItem{}
	if err := q.Order("d.submitted_at ASC, d.id ASC").Limit(limit + 1).Find(&items).Error; err != nil {
		return nil, storeError("review queue", err)
	}
	page := &models.ReviewQueuePage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		if last.SubmittedAt != nil {
			page.NextCursor = models.Cursor{CreatedAt: *last.SubmittedAt, ID: last.ID}.Encode()
		}
	}
	return page, nil
}

// ProductionDeploymentOf returns the production deployment promoted from
// development deployment devID, or a not-found error.
func (s *Reviews) ProductionDeploymentOf(ctx context.Context, devID uuid.UUID) (*models.Deployment, error) {
	var d models.Deployment
	err := s.db.WithContext(ctx).First(&d, "source_deployment_id = ?", devID).Error
	if err != nil {
		return nil, storeError("production deployment of", notFoundAs(err, models.ErrDeploymentNotFound))
	}
	return &d, nil
}
