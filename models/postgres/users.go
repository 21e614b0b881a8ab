package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// Users stores user accounts and what authenticates them: passwords, login
// tokens, personal access tokens, sign-up, email verification, password reset
// and the account mails they send, and each user's portal state.
type Users struct{ *core }

// CreateUser creates a user with an argon2id password hash. It returns a
// conflict error when the email is taken.
func (s *Users) CreateUser(ctx context.Context, in models.NewUser) (*models.User, error) {
	email, err := models.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	hash, err := models.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	role := in.PlatformRole
	if role == "" {
		role = models.PlatformRoleNone
	}
	now := s.now()
	u := &models.User{ID: newID(), Email: email, Name: in.Name, PasswordHash: hash, PlatformRole: role, CreatedAt: now, UpdatedAt: now}
	if in.Verified {
		u.EmailVerifiedAt = &now
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventUserCreated, ActorID: &u.ID, Data: models.JSONMap{"email": u.Email}})
	})
	if isUniqueViolation(err, "") {
		return nil, &models.Error{Kind: models.KindConflict, Code: "email_taken", Message: "An account with this email already exists.", Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// GetUser returns the user with id, or a not-found error.
func (s *Users) GetUser(ctx context.Context, id uuid.UUID) (*models.User, error) {
	var u models.User
	if err := first(s.db.WithContext(ctx), &u, "get user", fmt.Errorf("store: user %s: %w", id, models.ErrNotFound), "id = ?", id); err != nil {
		return nil, err
	}
	return &u, nil
}

// GetUserByEmail returns the user with email (case-insensitive), or not found.
func (s *Users) GetUserByEmail(ctx context.Context, email string) (*models.User, error) {
	var u models.User
	if err := first(s.db.WithContext(ctx), &u, "get user by email", fmt.Errorf("store: user by email: %w", models.ErrNotFound), "email = ?", strings.TrimSpace(email)); err != nil {
		return nil, err
	}
	return &u, nil
}

// Authenticate checks an email and password. Unknown emails still cost one
// argon2id computation, so timing does not reveal whether an account exists.
func (s *Users) Authenticate(ctx context.Context, email, password string) (*models.User, error) {
	u, err := s.GetUserByEmail(ctx, email)
	if errors.Is(err, models.ErrNotFound) {
		models.CheckPassword(models.DummyPasswordHash, password)
		return nil, models.ErrInvalidCredentials
	}
	if err != nil {
		return nil, err
	}
	if !models.CheckPassword(u.PasswordHash, password) {
		return nil, models.ErrInvalidCredentials
	}
	return u, nil
}

// Memberships returns the organizations and developer accounts userID
// belongs to, with the role in each, ordered by name.
func (s *Users) Memberships(ctx context.Context, userID uuid.UUID) ([]models.OrganizationMembership, []models.DeveloperAccountMembership, error) {
	var orgs []models.OrganizationMembership
	err := s.db.WithContext(ctx).Table("organizations o").
		Select("o.*, m.role").
		Joins("JOIN organization_members m ON m.organization_id = o.id").
		Where("m.user_id = ?", userID).Order("o.name, o.id").Scan(&orgs).Error
	if err != nil {
		return nil, nil, fmt.Errorf("store: organizations of user: %w", err)
	}
	var accounts []models.DeveloperAccountMembership
	err = s.db.WithContext(ctx).Table("developer_accounts d").
		Select("d.*, m.role").
		Joins("JOIN developer_account_members m ON m.developer_account_id = d.id").
		Where("m.user_id = ?", userID).Order("d.title, d.id").Scan(&accounts).Error
	if err != nil {
		return nil, nil, fmt.Errorf("store: developer accounts of user: %w", err)
	}
	if orgs == nil {
		orgs = []models.OrganizationMembership{}
	}
	if accounts == nil {
		accounts = []models.DeveloperAccountMembership{}
	}
	return orgs, accounts, nil
}

// touchInterval limits how often last_used_at is written for a busy token.
const touchInterval = time.Minute
