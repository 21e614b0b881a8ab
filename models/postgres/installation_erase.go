package postgres

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// ListUninstalledInstallations returns organization orgID's uninstalled
// production installations that still hold settings or connection values
// (a reinstall would bring them back), newest uninstall first.
func (s *Installations) ListUninstalledInstallations(ctx context.Context, orgID, viewer uuid.UUID) ([]models.InstallationView, error) {
	out := []models.InstallationView{}
	err := s.db.WithContext(ctx).Raw(installationViewSelect+`
		WHERE i.organization_id = ? AND i.type = 'production' AND i.status = 'inactive'
		  AND (EXISTS (SELECT 1 FROM app_settings st WHERE st.installation_id = i.id)
		    OR EXISTS (SELECT 1 FROM connection_values cv WHERE cv.installation_id = i.id))
		ORDER BY i.uninstalled_at DESC, i.id DESC`, viewer, orgID).Scan(&out).Error
	if err != nil {
		return nil, storeError("list uninstalled installations", err)
	}
	return out, nil
}

// EraseInstallationData deletes the settings, connection values and
// permissions an uninstalled installation of organization orgID kept for a
// reinstall (DESIGN §11: erased on request after uninstall). An
// installation still installed is a conflict ("installation_active"):
// uninstall first. The row itself stays, as the history of the install.
func (s *Installations) EraseInstallationData(ctx context.Context, orgID, installationID uuid.UUID) (*models.ErasedInstallationData, error) {
	var out models.ErasedInstallationData
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var inst models.Installation
		// The lock keeps a reinstall from activating the row halfway.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			First(&inst, "id = ? AND organization_id = ?", installationID, orgID).Error; err != nil {
			return err
		}
		if inst.Status != models.InstallationInactive {
			return models.Errorf(models.KindConflict, "installation_active", "Uninstall the app before erasing its data.")
		}
		res := tx.Exec(`DELETE FROM app_settings WHERE installation_id = ?`, inst.ID)
		if res.Error != nil {
			return res.Error
		}
		out.Settings = res.RowsAffected
		if res = tx.Exec(`DELETE FROM connection_values WHERE installation_id = ?`, inst.ID); res.Error != nil {
			return res.Error
		}
		out.ConnectionValues = res.RowsAffected
		if res = tx.Exec(`DELETE FROM app_permissions WHERE installation_id = ?`, inst.ID); res.Error != nil {
			return res.Error
		}
		out.Permissions = res.RowsAffected
		return appendEvent(ctx, tx, models.Event{Type: models.EventInstallationDataErased, OrganizationID: &orgID, AppID: &inst.AppID,
			Data: models.JSONMap{"installation_id": inst.ID.String(), "settings": out.Settings,
				"connection_values": out.ConnectionValues, "permissions": out.Permissions}})
	})
	if err != nil {
		return nil, storeError("erase installation data", notFoundAs(err, models.ErrInstallationNotFound))
	}
	return &out, nil
}
