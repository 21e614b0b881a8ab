package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// Connections stores the connection definitions of apps.
type Connections struct{ *core }

// invalidConnection wraps the broken rules of a definition.
func invalidConnection(errs []models.FieldError) error {
	return models.Invalid("invalid_connection", "The connection's settings are not valid: see errors for each field.", errs...)
}

// lockConnectionApp locks app appID until tx ends and returns its developer
// account. Every change to an app's connections takes it first, so the
// per-app limit holds and publishing (which locks the app too) sees either
// the connections before a change or after it.
func lockConnectionApp(tx *gorm.DB, appID uuid.UUID) (uuid.UUID, error) {
	var accounts []uuid.UUID
	if err := tx.Raw(`SELECT developer_account_id FROM apps WHERE id = ? FOR UPDATE`, appID).Scan(&accounts).Error; err != nil {
		return uuid.Nil, err
	}
	if len(accounts) == 0 {
		return uuid.Nil, models.ErrAppNotFound
	}
	return accounts[0], nil
}

// CreateConnectionDefinition adds a connection to app appID and records
// connection.created. A client secret is stored encrypted. It returns a
// not-found error ("app_not_found"), an invalid error ("invalid_connection"
// listing every bad field, "too_many_connections"), a conflict
// ("connection_key_taken") when the app already has the key, or an internal
// error when a secret is given and the store has no Encrypter.
func (s *Connections) CreateConnectionDefinition(ctx context.Context, appID uuid.UUID, in models.ConnectionDefinitionInput) (*models.ConnectionDefinition, error) {
	sp := models.NewConnectionSpec(in)
	if errs := sp.Validate(); len(errs) > 0 {
		return nil, invalidConnection(errs)
	}
	d := sp.Definition
	now := s.now().Truncate(time.Microsecond)
	d.ID, d.AppID, d.CreatedAt, d.UpdatedAt = newID(), appID, now, now
	if sp.Secret != nil && *sp.Secret != "" {
		if s.enc == nil {
			return nil, models.ErrNoEncrypter
		}
		d.ClientSecretEncrypted = s.enc.Encrypt([]byte(*sp.Secret), clientSecretPurpose(d.ID))
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		account, err := lockConnectionApp(tx, appID)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&models.ConnectionDefinition{}).Where("app_id = ?", appID).Count(&n).Error; err != nil {
			return err
		}
		if n >= models.MaxConnectionsPerApp {
			return models.Invalid("too_many_connections", fmt.Sprintf("An app can define at most %d connections.", models.MaxConnectionsPerApp))
		}
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventConnectionCreated, DeveloperAccountID: &account, AppID: &appID,
			Data: models.JSONMap{"connection_id": d.ID.String(), "key": d.Key, "type": string(d.Type)}})
	})
	if isUniqueViolation(err, "connection_definitions_app_key_key") {
		return nil, &models.Error{Kind: models.KindConflict, Code: "connection_key_taken", Message: fmt.Sprintf("This app already has a connection with key %q.", d.Key),
			Fields: []models.FieldError{{Field: "key", Message: "already used by another connection of this app"}}, Err: err}
	}
	if err != nil {
		return nil, storeError("create connection definition", err)
	}
	return &d, nil
}

// ListConnectionDefinitions returns app appID's connections, oldest first
// (an app has at most MaxConnectionsPerApp).
func (s *Connections) ListConnectionDefinitions(ctx context.Context, appID uuid.UUID) ([]models.ConnectionDefinition, error) {
	defs := []models.ConnectionDefinition{}
	if err := s.db.WithContext(ctx).Where("app_id = ?", appID).Order("created_at, id").Find(&defs).Error; err != nil {
		return nil, fmt.Errorf("store: list connection definitions: %w", err)
	}
	return defs, nil
}

// GetConnectionDefinition returns connection id of app appID, or a
// not-found error ("connection_not_found") — also when it belongs to
// another app.
func (s *Connections) GetConnectionDefinition(ctx context.Context, appID, id uuid.UUID) (*models.ConnectionDefinition, error) {
	var d models.ConnectionDefinition
	err := s.db.WithContext(ctx).Where("app_id = ? AND id = ?", appID, id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrConnectionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get connection definition: %w", err)
	}
	return &d, nil
}

// UpdateConnectionDefinition changes connection id of app appID and records
// connection.updated with the names of the changed fields (never values of
// secrets) when anything changed. The result is checked by the same rules as
// a create. It returns not-found errors ("app_not_found",
// "connection_not_found"), invalid errors ("invalid_connection",
// "connection_immutable"), or an internal error when a secret is given and
// the store has no Encrypter.
func (s *Connections) UpdateConnectionDefinition(ctx context.Context, appID, id uuid.UUID, in models.ConnectionDefinitionUpdate) (*models.ConnectionDefinition, error) {
	var out models.ConnectionDefinition
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		account, err := lockConnectionApp(tx, appID)
		if err != nil {
			return err
		}
		var cur models.ConnectionDefinition
		err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("app_id = ? AND id = ?", appID, id).Take(&cur).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrConnectionNotFound
		}
		if err != nil {
			return err
		}
		sp, err := models.ApplyConnectionUpdate(&cur, in)
		if err != nil {
			return err
		}
		if errs := sp.Validate(); len(errs) > 0 {
			return invalidConnection(errs)
		}
		d := sp.Definition
		changed := models.ConnectionChanges(&cur, &d)
		switch {
		case sp.Secret == nil:
		case *sp.Secret == "":
			if cur.HasClientSecret() {
				d.ClientSecretEncrypted = nil
				changed = append(changed, "client_secret")
			}
		default:
			if s.enc == nil {
				return models.ErrNoEncrypter
			}
			d.ClientSecretEncrypted = s.enc.Encrypt([]byte(*sp.Secret), clientSecretPurpose(d.ID))
			changed = append(changed, "client_secret")
		}
		if len(changed) == 0 {
			out = cur
			return nil
		}
		d.UpdatedAt = s.now().Truncate(time.Microsecond)
		// UpdateColumns: updated_at is ours, truncated to what PostgreSQL keeps.
		err = tx.Model(&models.ConnectionDefinition{ID: id}).Select("*").Omit("id", "app_id", "key", "type", "created_at").UpdateColumns(&d).Error
		if err != nil {
			return err
		}
		out = d
		return appendEvent(ctx, tx, models.Event{Type: models.EventConnectionUpdated, DeveloperAccountID: &account, AppID: &appID,
			Data: models.JSONMap{"connection_id": id.String(), "key": d.Key, "type": string(d.Type), "changed": changed}})
	})
	if err != nil {
		return nil, storeError("update connection definition", err)
	}
	return &out, nil
}

// DeleteConnectionDefinition removes connection id of app appID and records
// connection.deleted. It returns a not-found error ("app_not_found",
// "connection_not_found").
func (s *Connections) DeleteConnectionDefinition(ctx context.Context, appID, id uuid.UUID) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		account, err := lockConnectionApp(tx, appID)
		if err != nil {
			return err
		}
		var gone []models.ConnectionDefinition
		res := tx.Clauses(clause.Returning{}).Where("app_id = ? AND id = ?", appID, id).Delete(&gone)
		if res.Error != nil {
			return res.Error
		}
		if len(gone) == 0 {
			return models.ErrConnectionNotFound
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventConnectionDeleted, DeveloperAccountID: &account, AppID: &appID,
			Data: models.JSONMap{"connection_id": id.String(), "key": gone[0].Key, "type": string(gone[0].Type)}})
	})
	return storeError("delete connection definition", err)
}

// ConnectionClientSecret decrypts the provider client secret of oauth2
// connection id of app appID, for the server-side token exchange. It is
// never served to a browser. It returns not-found errors
// ("connection_not_found", "client_secret_not_set"), or an internal error
// when the store has no Encrypter or the stored value does not decrypt
// under it (ErrDecrypt: a different ENCRYPTION_KEY, or tampering).
func (s *Connections) ConnectionClientSecret(ctx context.Context, appID, id uuid.UUID) (string, error) {
	if s.enc == nil {
		return "", models.ErrNoEncrypter
	}
	d, err := s.GetConnectionDefinition(ctx, appID, id)
	if err != nil {
		return "", err
	}
	if !d.HasClientSecret() {
		return "", models.ErrNoClientSecret
	}
	plain, err := s.enc.Decrypt(d.ClientSecretEncrypted, clientSecretPurpose(d.ID))
	if err != nil {
		return "", fmt.Errorf("store: connection client secret %s: %w", id, err)
	}
	return string(plain), nil
}

// clientSecretPurpose binds a stored client secret to its column and row,
// so a ciphertext copied elsewhere does not decrypt.
func clientSecretPurpose(id uuid.UUID) string {
	return "connection_definitions.client_secret:" + id.String()
}
