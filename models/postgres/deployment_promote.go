package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// PromoteDeployment makes a production deployment of development deployment
// devID: the same bundles, settings schema, environment and metadata, status
// active, releaseNotes, and the version NextVersion gives when comparing
// with the app's latest published production deployment (else its latest
// production deployment) and bumping the highest version the app ever had.
// It records deployment.promoted, acting as AuditFrom(ctx).
//
// It is idempotent: when devID was promoted already, the production
// deployment made then is returned unchanged (releaseNotes are ignored).
// Promotions of one app run one at a time (the app row is locked), so
// concurrent ones get distinct versions; concurrent promotions of the same
// development deployment all return the one row the first made.
//
// Errors: invalid ("invalid_release_notes", "not_a_development_deployment"),
// not found ("deployment_not_found").
func (s *Deployments) PromoteDeployment(ctx context.Context, devDeploymentID uuid.UUID, releaseNotes string) (*models.Deployment, error) {
	if !utf8.ValidString(releaseNotes) || utf8.RuneCountInString(releaseNotes) > models.MaxReleaseNotesLen {
		return nil, models.Invalid("invalid_release_notes", fmt.Sprintf("Release notes are text of at most %d characters.", models.MaxReleaseNotesLen),
			models.FieldError{Field: "release_notes", Message: fmt.Sprintf("at most %d characters", models.MaxReleaseNotesLen)})
	}
	var out *models.Deployment
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var dev models.Deployment
		if err := tx.First(&dev, "id = ?", devDeploymentID).Error; err != nil {
			return err
		}
		if dev.Type != models.DeploymentDevelopment {
			return models.Invalid("not_a_development_deployment", "Only a development deployment can be promoted; this one is a production deployment.",
				models.FieldError{Field: "id", Message: "is a production deployment"})
		}
		app, err := lockApp(tx, dev.AppID)
		if err != nil {
			return err
		}
		if out, err = productionFrom(tx, dev.ID); out != nil || err != nil {
			return err
		}
		var basis []models.Deployment
		if err := tx.Where("app_id = ? AND type = ?", app.ID, models.DeploymentProduction).
			Order("(status = 'published') DESC, published_at DESC NULLS LAST, created_at DESC, id DESC").
			Limit(1).Find(&basis).Error; err != nil {
			return err
		}
		var versions []string
		if err := tx.Model(&models.Deployment{}).Where("app_id = ? AND version IS NOT NULL", app.ID).Pluck("version", &versions).Error; err != nil {
			return err
		}
		next, err := versionBasis(tx, &dev)
		if err != nil {
			return err
		}
		var prev *models.VersionBasis
		compared := models.JSONMap{"deployment_id": nil, "version": nil}
		if len(basis) > 0 {
			if prev, err = versionBasis(tx, &basis[0]); err != nil {
				return err
			}
			compared = models.JSONMap{"deployment_id": basis[0].ID.String(), "version": *basis[0].Version}
		}
		version, bump, err := models.NextVersion(models.HighestVersion(versions), prev, *next)
		if err != nil {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		out = &models.Deployment{ID: newID(), AppID: app.ID, Type: models.DeploymentProduction, Version: &version,
			ClientBundleID: dev.ClientBundleID, ServerBundleID: dev.ServerBundleID, SettingsSchema: dev.SettingsSchema, Manifest: dev.Manifest,
			Environment: dev.Environment, SourceDeploymentID: &dev.ID, ReleaseNotes: releaseNotes, Metadata: dev.Metadata,
			CreatedBy: models.AuditFrom(ctx).ActorID, CreatedAt: now, Status: models.DeploymentActive,
			RejectionReasons: models.JSONList[models.RejectionReason]{}, UpdatedAt: now}
		if err := tx.Create(out).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventDeploymentPromoted, DeveloperAccountID: &app.DeveloperAccountID,
			AppID: &app.ID, DeploymentID: &out.ID, Data: models.JSONMap{"version": version, "bump": string(bump),
				"source_deployment_id": dev.ID.String(), "compared_with": compared}})
	})
	if isUniqueViolation(err, "app_deployments_source_key") {
		// The lock makes this unlikely, but the index decides: the
		// concurrent promotion that won is the answer.
		out, err = productionFrom(s.db.WithContext(ctx), devDeploymentID)
		if out == nil && err == nil {
			err = errors.New("production deployment vanished after a unique violation")
		}
	}
	if err != nil {
		return nil, storeError("promote deployment", notFoundAs(err, models.ErrDeploymentNotFound))
	}
	return out, nil
}

// productionFrom returns the production deployment promoted from
// development deployment devID, nil when there is none.
func productionFrom(q *gorm.DB, devID uuid.UUID) (*models.Deployment, error) {
	var found []models.Deployment
	if err := q.Where("source_deployment_id = ?", devID).Limit(1).Find(&found).Error; err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, nil
	}
	return &found[0], nil
}

// versionBasis reads the bundle hashes of d.
func versionBasis(tx *gorm.DB, d *models.Deployment) (*models.VersionBasis, error) {
	b := &models.VersionBasis{SettingsSchema: d.SettingsSchema}
	for _, side := range []struct {
		id  *uuid.UUID
		sha *string
	}{{d.ClientBundleID, &b.ClientSHA256}, {d.ServerBundleID, &b.ServerSHA256}} {
		if side.id == nil {
			continue
		}
		var shas []string
		if err := tx.Model(&models.Bundle{}).Where("id = ?", *side.id).Pluck("sha256", &shas).Error; err != nil {
			return nil, err
		}
		if len(shas) == 1 {
			*side.sha = shas[0]
		}
	}
	return b, nil
}
