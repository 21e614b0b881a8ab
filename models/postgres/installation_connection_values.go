package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// connectionValuePurpose binds a sealed value to its installation and
// definition, so a ciphertext copied to another row does not decrypt.
func connectionValuePurpose(installationID, definitionID uuid.UUID) string {
	return "connection-value:" + installationID.String() + ":" + definitionID.String()
}

// installationConnection finds the definition key of the installation's app.
func installationConnection(tx *gorm.DB, inst *models.Installation, key string) (*models.ConnectionDefinition, error) {
	var d models.ConnectionDefinition
	err := tx.Where("app_id = ? AND key = ?", inst.AppID, key).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrConnectionNotFound
	}
	return &d, err
}

// ListConnectionValues returns, for every connection definition of the
// installation's app, whether the organization has set its value. It
// returns a not-found error ("installation_not_found").
func (s *Installations) ListConnectionValues(ctx context.Context, installationID uuid.UUID) ([]models.ConnectionValueStatus, error) {
	inst, err := s.GetInstallation(ctx, installationID)
	if err != nil {
		return nil, err
	}
	defs, err := s.connections().ListConnectionDefinitions(ctx, inst.AppID)
	if err != nil {
		return nil, err
	}
	var set []models.ConnectionValue
	if err := s.db.WithContext(ctx).Select("connection_definition_id", "updated_at").
		Where("installation_id = ?", installationID).Find(&set).Error; err != nil {
		return nil, fmt.Errorf("store: list connection values: %w", err)
	}
	updated := map[uuid.UUID]time.Time{}
	for _, v := range set {
		updated[v.ConnectionDefinitionID] = v.UpdatedAt
	}
	out := make([]models.ConnectionValueStatus, 0, len(defs))
	for i := range defs {
		d := &defs[i]
		st := models.ConnectionValueStatus{Key: d.Key, DisplayName: d.DisplayName, Type: d.Type, Required: d.Required, Definition: d}
		if t, ok := updated[d.ID]; ok {
			st.IsSet, st.UpdatedAt = true, &t
		}
		out = append(out, st)
	}
	return out, nil
}

// SetConnectionValue stores the organization's credentials for connection
// key of the installation's app, encrypted, replacing any earlier ones,
// and records connection_value.updated (without values).
//
// Errors: not found ("installation_not_found", "connection_not_found"),
// invalid ("invalid_connection_value" listing the bad fields), internal
// when the store has no Encrypter.
func (s *Installations) SetConnectionValue(ctx context.Context, installationID uuid.UUID, key string, values map[string]string, actor uuid.UUID) (*models.ConnectionValueStatus, error) {
	if s.enc == nil {
		return nil, models.ErrNoEncrypter
	}
	inst, err := s.GetInstallation(ctx, installationID)
	if err != nil {
		return nil, err
	}
	var st *models.ConnectionValueStatus
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d, err := installationConnection(tx, inst, key)
		if err != nil {
			return err
		}
		if err := models.CheckConnectionValues(d, values); err != nil {
			return err
		}
		plain, err := json.Marshal(values)
		if err != nil {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		sealed := s.enc.Encrypt(plain, connectionValuePurpose(inst.ID, d.ID))
		if err := tx.Exec(`INSERT INTO connection_values (id, installation_id, connection_definition_id, ciphertext, updated_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT ON CONSTRAINT connection_values_key DO UPDATE SET ciphertext = EXCLUDED.ciphertext,
				updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			newID(), inst.ID, d.ID, sealed, actor, now, now).Error; err != nil {
			return err
		}
		st = &models.ConnectionValueStatus{Key: d.Key, DisplayName: d.DisplayName, Type: d.Type, Required: d.Required,
			IsSet: true, UpdatedAt: &now, Definition: d}
		return appendEvent(ctx, tx, models.Event{Type: models.EventConnectionValueUpdated, ActorID: &actor, AppID: &inst.AppID,
			OrganizationID: &inst.OrganizationID, Data: models.JSONMap{"installation_id": inst.ID.String(),
				"connection_id": d.ID.String(), "key": d.Key, "type": string(d.Type)}})
	})
	if err != nil {
		return nil, storeError("set connection value", err)
	}
	return st, nil
}

// DeleteConnectionValue clears the organization's credentials for
// connection key and records connection_value.deleted. Clearing a value
// that is not set changes nothing and records nothing. Errors: not found
// ("installation_not_found", "connection_not_found").
func (s *Installations) DeleteConnectionValue(ctx context.Context, installationID uuid.UUID, key string, actor uuid.UUID) error {
	inst, err := s.GetInstallation(ctx, installationID)
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d, err := installationConnection(tx, inst, key)
		if err != nil {
			return err
		}
		res := tx.Where("installation_id = ? AND connection_definition_id = ?", inst.ID, d.ID).Delete(&models.ConnectionValue{})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventConnectionValueDeleted, ActorID: &actor, AppID: &inst.AppID,
			OrganizationID: &inst.OrganizationID, Data: models.JSONMap{"installation_id": inst.ID.String(),
				"connection_id": d.ID.String(), "key": d.Key}})
	})
	return storeError("delete connection value", err)
}

// ConnectionCredentials decrypts the organization's credentials for
// connection key, for the server side that calls the provider (never for
// a client). Errors: not found ("installation_not_found",
// "connection_not_found", "connection_value_not_set"), internal when the
// store has no Encrypter or the ciphertext does not open.
func (s *Installations) ConnectionCredentials(ctx context.Context, installationID uuid.UUID, key string) (map[string]string, error) {
	if s.enc == nil {
		return nil, models.ErrNoEncrypter
	}
	inst, err := s.GetInstallation(ctx, installationID)
	if err != nil {
		return nil, err
	}
	d, err := installationConnection(s.db.WithContext(ctx), inst, key)
	if err != nil {
		return nil, storeError("connection credentials", err)
	}
	var v models.ConnectionValue
	err = s.db.WithContext(ctx).Where("installation_id = ? AND connection_definition_id = ?", inst.ID, d.ID).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, &models.Error{Kind: models.KindNotFound, Code: "connection_value_not_set", Message: "This connection has no credentials yet."}
	}
	if err != nil {
		return nil, fmt.Errorf("store: connection credentials: %w", err)
	}
	plain, err := s.enc.Decrypt(v.Ciphertext, connectionValuePurpose(inst.ID, d.ID))
	if err != nil {
		return nil, fmt.Errorf("store: connection credentials: %w", err)
	}
	out := map[string]string{}
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, fmt.Errorf("store: connection credentials: %w", err)
	}
	return out, nil
}
