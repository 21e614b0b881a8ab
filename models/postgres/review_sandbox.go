package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// OpenReviewSandbox makes the review sandbox run production deployment
// deploymentID for reviewer: the sandbox organization (made on first use,
// with demo records), the reviewer an admin of it, and its development
// installation of the app pointed at the deployment, with access for the
// sandbox's members. The caller checks reviewer is a platform reviewer.
//
// Errors: not found ("deployment_not_found"), conflict ("not_under_review").
func (s *Reviews) OpenReviewSandbox(ctx context.Context, deploymentID, reviewer uuid.UUID) (*models.ReviewSandbox, error) {
	var out models.ReviewSandbox
	created := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d models.Deployment
		if err := tx.First(&d, "id = ?", deploymentID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrDeploymentNotFound
		} else if err != nil {
			return err
		}
		switch d.Status {
		case models.DeploymentPendingReview, models.DeploymentInReview, models.DeploymentApproved:
		default:
			return models.ErrNotUnderReview
		}
		if d.Type != models.DeploymentProduction {
			return models.ErrNotUnderReview
		}
		app, err := lockApp(tx, d.AppID)
		if err != nil {
			return err
		}
		org, made, err := reviewSandboxOrg(tx, s.now())
		created = made
		if err != nil {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.OrganizationMember{OrganizationID: org,
			UserID: reviewer, Role: models.OrgRoleAdmin, CreatedAt: now}).Error; err != nil {
			return err
		}
		// The sandbox's installation is a development one, as a test
		// organization's is: it runs whatever deployment is tried.
		run := d
		run.TargetOrganizationID, run.CreatedBy, run.CreatedAt = &org, &reviewer, now
		var inst models.Installation
		if _, err := upsertDevelopmentInstallation(tx, &run, &inst); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE app_permissions SET can_access = true WHERE installation_id = ? AND user_id = ?`, inst.ID, reviewer).Error; err != nil {
			return err
		}
		out = models.ReviewSandbox{OrganizationID: org, InstallationID: inst.ID, DeploymentID: d.ID}
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventReviewSandboxOpened, ActorID: &reviewer, AppID: &app.ID,
			DeveloperAccountID: &app.DeveloperAccountID, OrganizationID: &org, DeploymentID: &d.ID,
			Data: models.JSONMap{"installation_id": inst.ID.String(), "version": d.Version}}); err != nil {
			return err
		}
		return notifyOrganizationChange(ctx, tx, org)
	})
	if err != nil {
		return nil, storeError("open review sandbox", err)
	}
	// A new sandbox gets the demo records, so there is something to open.
	if created {
		if _, err := storeOver(s.core).seedRecords(ctx, out.OrganizationID); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// reviewSandboxOrg returns the review sandbox organization, making it
// (once, whoever races) when there is none; made says this call made it.
func reviewSandboxOrg(tx *gorm.DB, now time.Time) (id uuid.UUID, made bool, err error) {
	var ids []uuid.UUID
	if err := tx.Raw(`SELECT id FROM organizations WHERE review_sandbox`).Scan(&ids).Error; err != nil {
		return uuid.Nil, false, err
	}
	if len(ids) > 0 {
		return ids[0], false, nil
	}
	res := tx.Exec(`INSERT INTO organizations (id, name, review_sandbox, created_at, updated_at) VALUES (?, ?, true, ?, ?)
		ON CONFLICT DO NOTHING`, newID(), models.ReviewSandboxName, now, now)
	if res.Error != nil {
		return uuid.Nil, false, res.Error
	}
	if err := tx.Raw(`SELECT id FROM organizations WHERE review_sandbox`).Scan(&ids).Error; err != nil || len(ids) == 0 {
		return uuid.Nil, false, errors.Join(err, errors.New("review sandbox organization missing after insert"))
	}
	return ids[0], res.RowsAffected == 1, nil
}
