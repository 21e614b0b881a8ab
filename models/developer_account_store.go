package models

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MaxLogoURLLen bounds a developer account's logo URL.
const MaxLogoURLLen = 2048

// CheckDeveloperAccountSlug normalises raw and says whether a developer
// account could take it now. Creating the account checks again: the unique
// index is the final word. It returns an error only when the database fails.
func (s *Store) CheckDeveloperAccountSlug(ctx context.Context, raw string) (*SlugCheck, error) {
	slug := NormalizeSlug(raw)
	if reason, msg := slugProblem(raw, slug); reason != "" {
		return &SlugCheck{Slug: slug, Reason: reason, Message: msg}, nil
	}
	var found struct{ Reserved, Taken bool }
	err := s.db.WithContext(ctx).Raw(`SELECT
		EXISTS (SELECT 1 FROM reserved_slugs WHERE slug = @s) AS reserved,
		EXISTS (SELECT 1 FROM developer_accounts WHERE slug = @s) AS taken`,
		map[string]any{"s": slug}).Scan(&found).Error
	if err != nil {
		return nil, fmt.Errorf("store: check slug: %w", err)
	}
	switch {
	case found.Reserved:
		return &SlugCheck{Slug: slug, Reason: SlugReserved, Message: slugReservedMessage}, nil
	case found.Taken:
		return &SlugCheck{Slug: slug, Reason: SlugTaken, Message: slugTakenMessage}, nil
	}
	return &SlugCheck{Slug: slug, Available: true}, nil
}

// validTitle trims title and checks it is 1 to 100 characters.
func validTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	if n := utf8.RuneCountInString(title); n == 0 || n > 100 {
		return "", Invalid("invalid_title", "Give the developer account a title of 1 to 100 characters.",
			FieldError{Field: "title", Message: "must be 1 to 100 characters"})
	}
	return title, nil
}

// validLogoURL accepts "" (no logo) or an absolute https URL; plain http
// only for localhost, where development serves its assets.
func validLogoURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	bad := Invalid("invalid_logo_url", "The logo must be an https:// address (http:// only on localhost) of at most 2048 characters.",
		FieldError{Field: "logo_url", Message: "must be an absolute https URL"})
	u, err := url.Parse(raw)
	if err != nil || len(raw) > MaxLogoURLLen || u.Host == "" || u.User != nil {
		return "", bad
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", bad
		}
	default:
		return "", bad
	}
	return raw, nil
}

// CreateDeveloperAccount creates a developer account with admin as its first
// admin. rawSlug is normalised (DESIGN §5); a slug that breaks a rule is an
// invalid error ("invalid_slug", "slug_reserved"), a bad title
// "invalid_title", and a slug already taken — also by a concurrent create,
// which the unique index decides — a conflict ("slug_taken").
func (s *Store) CreateDeveloperAccount(ctx context.Context, rawSlug, title string, admin uuid.UUID) (*DeveloperAccount, error) {
	slug := NormalizeSlug(rawSlug)
	if reason, msg := slugProblem(rawSlug, slug); reason != "" {
		return nil, Invalid("invalid_slug", msg, FieldError{Field: "slug", Message: reason})
	}
	title, err := validTitle(title)
	if err != nil {
		return nil, err
	}
	now := s.now()
	acct := &DeveloperAccount{ID: newID(), Slug: slug, Title: title, FeatureFlags: JSONMap{}, CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var reserved bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM reserved_slugs WHERE slug = ?)`, slug).Scan(&reserved).Error; err != nil {
			return err
		}
		if reserved {
			return Invalid("slug_reserved", slugReservedMessage, FieldError{Field: "slug", Message: SlugReserved})
		}
		if err := tx.Create(acct).Error; err != nil {
			return err
		}
		if err := tx.Create(&DeveloperAccountMember{DeveloperAccountID: acct.ID, UserID: admin, Role: DevRoleAdmin, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, Event{Type: EventDeveloperAccountCreated, DeveloperAccountID: &acct.ID,
			Data: JSONMap{"slug": slug, "title": title}}); err != nil {
			return err
		}
		return notifyPortalChange(ctx, tx, acct.ID)
	})
	if isUniqueViolation(err, "developer_accounts_slug_key") {
		return nil, &Error{Kind: KindConflict, Code: "slug_taken", Message: slugTakenMessage,
			Fields: []FieldError{{Field: "slug", Message: SlugTaken}}, Err: err}
	}
	if err != nil {
		return nil, storeError("create developer account", err)
	}
	return acct, nil
}

// GetDeveloperAccount returns the developer account with id, or a not-found error.
func (s *Store) GetDeveloperAccount(ctx context.Context, id uuid.UUID) (*DeveloperAccount, error) {
	var acct DeveloperAccount
	err := s.db.WithContext(ctx).First(&acct, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errDeveloperAccountNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get developer account: %w", err)
	}
	return &acct, nil
}

var errDeveloperAccountNotFound = &Error{Kind: KindNotFound, Code: "developer_account_not_found", Message: "No such developer account."}

// DeveloperAccountUpdate changes the fields that are not nil.
type DeveloperAccountUpdate struct {
	Title   *string
	LogoURL *string // "" removes the logo
}

// UpdateDeveloperAccount changes the title and logo of developer account id
// and records developer_account.updated when anything changed. It returns
// a not-found error, or an invalid error ("invalid_title", "invalid_logo_url").
func (s *Store) UpdateDeveloperAccount(ctx context.Context, id uuid.UUID, in DeveloperAccountUpdate) (*DeveloperAccount, error) {
	var title, logo string
	var err error
	if in.Title != nil {
		if title, err = validTitle(*in.Title); err != nil {
			return nil, err
		}
	}
	if in.LogoURL != nil {
		if logo, err = validLogoURL(*in.LogoURL); err != nil {
			return nil, err
		}
	}
	var acct DeveloperAccount
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&acct, "id = ?", id).Error; err != nil {
			return err
		}
		changes := map[string]any{}
		data := JSONMap{}
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
		if err := tx.Model(&DeveloperAccount{}).Where("id = ?", id).Updates(changes).Error; err != nil {
			return err
		}
		if in.Title != nil {
			acct.Title = title
		}
		if in.LogoURL != nil {
			acct.LogoURL = logo
		}
		acct.UpdatedAt = now
		if err := appendEvent(ctx, tx, Event{Type: EventDeveloperAccountUpdated, DeveloperAccountID: &id, Data: data}); err != nil {
			return err
		}
		// Members' cached portal state shows the title and logo.
		return notifyPortalChange(ctx, tx, id)
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errDeveloperAccountNotFound
	}
	if err != nil {
		return nil, storeError("update developer account", err)
	}
	return &acct, nil
}

// DeveloperAccountRole returns userID's role in developer account accountID,
// or a not-found error when they are not a member.
func (s *Store) DeveloperAccountRole(ctx context.Context, accountID, userID uuid.UUID) (DeveloperRole, error) {
	var m DeveloperAccountMember
	err := s.db.WithContext(ctx).First(&m, "developer_account_id = ? AND user_id = ?", accountID, userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", errMemberNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: developer account role: %w", err)
	}
	return m.Role, nil
}

// AddDeveloperAccountMember makes userID a member of the account with role.
// It returns a conflict ("already_member") when they already are one.
func (s *Store) AddDeveloperAccountMember(ctx context.Context, acctID, userID uuid.UUID, role DeveloperRole) error {
	if err := validDeveloperRole(role); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockDeveloperAccount(tx, acctID); err != nil {
			return err
		}
		m := DeveloperAccountMember{DeveloperAccountID: acctID, UserID: userID, Role: role, CreatedAt: s.now()}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, Event{Type: EventDeveloperAccountMemberAdd, DeveloperAccountID: &acctID,
			Data: JSONMap{"user_id": userID.String(), "role": string(role)}}); err != nil {
			return err
		}
		return notifyPortalChange(ctx, tx, acctID)
	})
	if isUniqueViolation(err, "") {
		return &Error{Kind: KindConflict, Code: "already_member", Message: "This user is already a member.", Err: err}
	}
	if err != nil {
		return storeError("add developer account member", err)
	}
	return nil
}

// storeError returns nil and domain errors unchanged (the caller decides
// what the user sees) and wraps anything else with the operation's name.
func storeError(op string, err error) error {
	if _, ok := AsError(err); ok || err == nil {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
