package postgres

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// DeveloperAccounts stores developer accounts and their members.
type DeveloperAccounts struct{ *core }

// CheckDeveloperAccountSlug normalises raw and says whether a developer
// account could take it now. Creating the account checks again: the unique
// index is the final word. It returns an error only when the database fails.
func (s *DeveloperAccounts) CheckDeveloperAccountSlug(ctx context.Context, raw string) (*models.SlugCheck, error) {
	return s.checkSlug(ctx, raw, "developer_accounts")
}

// CreateDeveloperAccount creates a developer account with admin as its first
// admin. rawSlug is normalised (DESIGN §5); a slug that breaks a rule is an
// invalid error ("invalid_slug", "slug_reserved"), a bad title
// "invalid_title", and a slug already taken — also by a concurrent create,
// which the unique index decides — a conflict ("slug_taken").
func (s *DeveloperAccounts) CreateDeveloperAccount(ctx context.Context, rawSlug, title string, admin uuid.UUID) (*models.DeveloperAccount, error) {
	slug := models.NormalizeSlug(rawSlug)
	if reason, msg := models.SlugProblem(rawSlug, slug); reason != "" {
		return nil, models.Invalid("invalid_slug", msg, models.FieldError{Field: "slug", Message: reason})
	}
	title, err := models.ValidDeveloperAccountTitle(title)
	if err != nil {
		return nil, err
	}
	now := s.now()
	acct := &models.DeveloperAccount{ID: newID(), Slug: slug, Title: title, FeatureFlags: models.JSONMap{}, CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var reserved bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM reserved_slugs WHERE slug = ?)`, slug).Scan(&reserved).Error; err != nil {
			return err
		}
		if reserved {
			return models.Invalid("slug_reserved", slugReservedMessage, models.FieldError{Field: "slug", Message: models.SlugReserved})
		}
		if err := tx.Create(acct).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.DeveloperAccountMember{DeveloperAccountID: acct.ID, UserID: admin, Role: models.DevRoleAdmin, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventDeveloperAccountCreated, DeveloperAccountID: &acct.ID,
			Data: models.JSONMap{"slug": slug, "title": title}}); err != nil {
			return err
		}
		return notifyPortalChange(ctx, tx, acct.ID)
	})
	if isUniqueViolation(err, "developer_accounts_slug_key") {
		return nil, &models.Error{Kind: models.KindConflict, Code: "slug_taken", Message: slugTakenMessage,
			Fields: []models.FieldError{{Field: "slug", Message: models.SlugTaken}}, Err: err}
	}
	if err != nil {
		return nil, storeError("create developer account", err)
	}
	return acct, nil
}

// GetDeveloperAccount returns the developer account with id, or a not-found error.
func (s *DeveloperAccounts) GetDeveloperAccount(ctx context.Context, id uuid.UUID) (*models.DeveloperAccount, error) {
	var acct models.DeveloperAccount
	if err := first(s.db.WithContext(ctx), &acct, "get developer account", models.ErrDeveloperAccountNotFound, "id = ?", id); err != nil {
		return nil, err
	}
	return &acct, nil
}

// UpdateDeveloperAccount changes the title and logo of developer account id
// and records developer_account.updated when anything changed. It returns
// a not-found error, or an invalid error ("invalid_title", "invalid_logo_url").
func (s *DeveloperAccounts) UpdateDeveloperAccount(ctx context.Context, id uuid.UUID, in models.DeveloperAccountUpdate) (*models.DeveloperAccount, error) {
	var title, logo string
	var err error
	if in.Title != nil {
		if title, err = models.ValidDeveloperAccountTitle(*in.Title); err != nil {
			return nil, err
		}
	}
	if in.LogoURL != nil {
		if logo, err = models.ValidLogoURL(*in.LogoURL); err != nil {
			return nil, err
		}
	}
	var acct models.DeveloperAccount
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&acct, "id = ?", id).Error; err != nil {
			return err
		}
		changes := map[string]any{}
		data := models.JSONMap{}
		if in.Title != nil && title != acct.Title {
			changes["title"], data["title"], data["previous_title"] = title, title, acct.Title
		}
		if in.LogoURL != nil && logo != acct.LogoURL {
			changes["logo_url"], data["logo_url"] = logo, logo
		}
		if len(changes) == 0 {
			return nil
		}
		now := s.now()
		changes["updated_at"] = now
		if err := tx.Model(&models.DeveloperAccount{}).Where("id = ?", id).Updates(changes).Error; err != nil {
			return err
		}
		if in.Title != nil {
			acct.Title = title
		}
		if in.LogoURL != nil {
			acct.LogoURL = logo
		}
		acct.UpdatedAt = now
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventDeveloperAccountUpdated, DeveloperAccountID: &id, Data: data}); err != nil {
			return err
		}
		// Members' cached portal state shows the title and logo.
		return notifyPortalChange(ctx, tx, id)
	})
	if err != nil {
		return nil, storeError("update developer account", notFoundAs(err, models.ErrDeveloperAccountNotFound))
	}
	return &acct, nil
}

// DeveloperAccountRole returns userID's role in developer account accountID,
// or a not-found error when they are not a member.
func (s *DeveloperAccounts) DeveloperAccountRole(ctx context.Context, accountID, userID uuid.UUID) (models.DeveloperRole, error) {
	var m models.DeveloperAccountMember
	if err := first(s.db.WithContext(ctx), &m, "developer account role", models.ErrMemberNotFound, "developer_account_id = ? AND user_id = ?", accountID, userID); err != nil {
		return "", err
	}
	return m.Role, nil
}

// AddDeveloperAccountMember makes userID a member of the account with role.
// It returns a conflict ("already_member") when they already are one.
func (s *DeveloperAccounts) AddDeveloperAccountMember(ctx context.Context, acctID, userID uuid.UUID, role models.DeveloperRole) error {
	if err := models.ValidDeveloperRole(role); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockDeveloperAccount(tx, acctID); err != nil {
			return err
		}
		m := models.DeveloperAccountMember{DeveloperAccountID: acctID, UserID: userID, Role: role, CreatedAt: s.now()}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventDeveloperAccountMemberAdd, DeveloperAccountID: &acctID,
			Data: models.JSONMap{"user_id": userID.String(), "role": string(role)}}); err != nil {
			return err
		}
		return notifyPortalChange(ctx, tx, acctID)
	})
	if isUniqueViolation(err, "") {
		return &models.Error{Kind: models.KindConflict, Code: "already_member", Message: "This user is already a member.", Err: err}
	}
	if err != nil {
		return storeError("add developer account member", err)
	}
	return nil
}
