package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// NormalizeEmail trims and lowercases an address and checks its form.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || len(e) > 254 {
		return "", Invalid("invalid_email", "Enter a valid email address.",
			FieldError{Field: "email", Message: "is not a valid email address"})
	}
	return e, nil
}

// NewUser describes a user to create.
type NewUser struct {
	Email        string
	Name         string
	Password     string
	PlatformRole PlatformRole
	Verified     bool
}

// CreateUser creates a user with an argon2id password hash. It returns a
// conflict error when the email is taken.
func (s *Store) CreateUser(ctx context.Context, in NewUser) (*User, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	role := in.PlatformRole
	if role == "" {
		role = PlatformRoleNone
	}
	now := s.now()
	u := &User{ID: newID(), Email: email, Name: in.Name, PasswordHash: hash, PlatformRole: role, CreatedAt: now, UpdatedAt: now}
	if in.Verified {
		u.EmailVerifiedAt = &now
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{Type: EventUserCreated, ActorID: &u.ID, Data: JSONMap{"email": u.Email}})
	})
	if isUniqueViolation(err, "") {
		return nil, &Error{Kind: KindConflict, Code: "email_taken", Message: "An account with this email already exists.", Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// GetUser returns the user with id, or a not-found error.
func (s *Store) GetUser(ctx context.Context, id uuid.UUID) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).First(&u, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: user %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get user: %w", err)
	}
	return &u, nil
}

// GetUserByEmail returns the user with email (case-insensitive), or not found.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).First(&u, "email = ?", strings.TrimSpace(email)).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: user by email: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get user by email: %w", err)
	}
	return &u, nil
}

// errInvalidCredentials is deliberately the same for an unknown email and a
// wrong password, so the answer reveals nothing about which accounts exist.
var errInvalidCredentials = &Error{Kind: KindUnauthorized, Code: "invalid_credentials", Message: "Email or password is incorrect."}

// Authenticate checks an email and password. Unknown emails still cost one
// argon2id computation, so timing does not reveal whether an account exists.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	u, err := s.GetUserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		CheckPassword(dummyHash, password)
		return nil, errInvalidCredentials
	}
	if err != nil {
		return nil, err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return nil, errInvalidCredentials
	}
	return u, nil
}

// Memberships returns the organizations and developer accounts userID
// belongs to, with the role in each, ordered by name.
func (s *Store) Memberships(ctx context.Context, userID uuid.UUID) ([]OrganizationMembership, []DeveloperAccountMembership, error) {
	var orgs []OrganizationMembership
	err := s.db.WithContext(ctx).Table("organizations o").
		Select("o.*, m.role").
		Joins("JOIN organization_members m ON m.organization_id = o.id").
		Where("m.user_id = ?", userID).Order("o.name, o.id").Scan(&orgs).Error
	if err != nil {
		return nil, nil, fmt.Errorf("store: organizations of user: %w", err)
	}
	var accounts []DeveloperAccountMembership
	err = s.db.WithContext(ctx).Table("developer_accounts d").
		Select("d.*, m.role").
		Joins("JOIN developer_account_members m ON m.developer_account_id = d.id").
		Where("m.user_id = ?", userID).Order("d.title, d.id").Scan(&accounts).Error
	if err != nil {
		return nil, nil, fmt.Errorf("store: developer accounts of user: %w", err)
	}
	if orgs == nil {
		orgs = []OrganizationMembership{}
	}
	if accounts == nil {
		accounts = []DeveloperAccountMembership{}
	}
	return orgs, accounts, nil
}

// touchInterval limits how often last_used_at is written for a busy token.
const touchInterval = time.Minute
