// Package oidcop is the platform's OpenID Connect provider, built on
// zitadel/oidc's op package with its state in PostgreSQL. The issuer is
// the platform's base URL and the endpoints sit at the root (/oauth/...).
// The login step is the caller's (package api): it reads the platform
// session and calls FinishLogin.
package oidcop

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"appstore/models"
)

// Endpoint paths, relative to the issuer.
const (
	AuthorizePath      = "/oauth/authorize"
	CallbackPath       = "/oauth/authorize/callback"
	TokenPath          = "/oauth/token"
	UserinfoPath       = "/oauth/userinfo"
	RevokePath         = "/oauth/revoke"
	IntrospectPath     = "/oauth/introspect"
	EndSessionPath     = "/oauth/end_session"
	KeysPath           = "/oauth/keys"
	DiscoveryPath      = "/.well-known/openid-configuration"
	DefaultLoginPath   = "/oauth/login"
	DefaultKeyRotation = 720 * time.Hour
)

// Config tunes the provider.
type Config struct {
	Issuer          string        // the platform's base URL
	LoginPath       string        // where the login step is served; DefaultLoginPath if empty
	KeyRotation     time.Duration // age at which the signing key is replaced; DefaultKeyRotation if zero
	AccessTokenTTL  time.Duration // default 1h
	RefreshTokenTTL time.Duration // default 30 days
	IDTokenTTL      time.Duration // default 1h
	// DevMode relaxes production rules for local development: off, the
	// provider mints no code for a redirect URI that breaks
	// models.ValidateRedirectURIs(…, true), even one stored on a client.
	DevMode bool
}

// Store is the persistence the provider needs; *models.Store implements it.
type Store interface {
	OIDCClient(ctx context.Context, clientID string) (*models.OIDCClient, error)
	VerifyClientSecret(ctx context.Context, clientID, secret string) (*models.OAuthClient, error)
	CreateOIDCAuthRequest(ctx context.Context, r *models.OIDCAuthRequest) error
	OIDCAuthRequest(ctx context.Context, id uuid.UUID) (*models.OIDCAuthRequest, error)
	OIDCAuthRequestByCode(ctx context.Context, code string) (*models.OIDCAuthRequest, error)
	CompleteOIDCAuthRequest(ctx context.Context, id, userID uuid.UUID, installationID *uuid.UUID, authTime time.Time) error
	SaveOIDCAuthCode(ctx context.Context, id uuid.UUID, code string) error
	CreateOIDCTokens(ctx context.Context, from models.OIDCExchange, tokens ...*models.OIDCToken) error
	ActiveOIDCToken(ctx context.Context, kind, token string) (*models.OIDCToken, error)
	RevokeOIDCGrant(ctx context.Context, grantID uuid.UUID) error
	RevokeReusedOIDCGrant(ctx context.Context, refreshToken string) (bool, error)
	RevokeOIDCToken(ctx context.Context, token, clientID string) error
	RevokeOIDCTokensOfUser(ctx context.Context, userID uuid.UUID, clientID string) error
	OIDCSigningKeys(ctx context.Context, rotation, keep time.Duration) (*rsa.PrivateKey, *models.OIDCSigningKey, []models.OIDCSigningKey, error)
	GetUser(ctx context.Context, id uuid.UUID) (*models.User, error)
	OrganizationRole(ctx context.Context, orgID, userID uuid.UUID) (models.OrganizationRole, error)
	DeveloperAccountRole(ctx context.Context, accountID, userID uuid.UUID) (models.DeveloperRole, error)
	InstallationAccess(ctx context.Context, orgID, installationID, userID uuid.UUID) (*models.InstallationAccess, error)
}

// Provider is the OpenID Connect provider: an http.Handler for its
// endpoints, plus FinishLogin for the login step.
type Provider struct {
	cfg   Config
	store Store
	op    *op.Provider
}

// New builds the provider; enc seals authorization codes and access
// tokens (and the store's own Encrypter seals the signing keys).
func New(cfg Config, store Store, enc *models.Encrypter, log *slog.Logger) (*Provider, error) {
	if cfg.LoginPath == "" {
		cfg.LoginPath = DefaultLoginPath
	}
	if cfg.KeyRotation <= 0 {
		cfg.KeyRotation = DefaultKeyRotation
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = time.Hour
	}
	if cfg.RefreshTokenTTL <= 0 {
		cfg.RefreshTokenTTL = 30 * 24 * time.Hour
	}
	if cfg.IDTokenTTL <= 0 {
		cfg.IDTokenTTL = time.Hour
	}
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("oidc: issuer %q is not an absolute URL", cfg.Issuer)
	}
	if enc == nil {
		return nil, errors.New("oidc: an encrypter is required")
	}
	if log == nil {
		log = slog.Default()
	}
	p := &Provider{cfg: cfg, store: store}
	opts := []op.Option{
		op.WithCrypto(sealer{enc}),
		op.WithLogger(log),
		op.WithCustomAuthEndpoint(op.NewEndpoint(AuthorizePath)),
		op.WithCustomTokenEndpoint(op.NewEndpoint(TokenPath)),
		op.WithCustomUserinfoEndpoint(op.NewEndpoint(UserinfoPath)),
		op.WithCustomRevocationEndpoint(op.NewEndpoint(RevokePath)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(IntrospectPath)),
		op.WithCustomEndSessionEndpoint(op.NewEndpoint(EndSessionPath)),
		op.WithCustomKeysEndpoint(op.NewEndpoint(KeysPath)),
		op.WithCORSOptions(corsOptions()),
		op.WithHttpInterceptors(p.endpointRules),
	}
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure()) // development and tests on loopback
	}
	p.op, err = op.NewProvider(&op.Config{
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		DefaultLogoutRedirectURI: cfg.Issuer + "/",
		SupportedScopes:          []string{"openid", "profile", "email", "offline_access"},
		SupportedClaims: []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "email", "email_verified",
			"name", ClaimOrgID, ClaimInstallationID, ClaimOrgRole},
	}, &storage{p: p}, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return p, nil
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// Paths are the request paths the provider answers (mount each of them).
func (p *Provider) Paths() []string {
	// op's /oauth/authorize/callback is left out on purpose: FinishLogin
	// answers the client itself, so no second way to mint a code exists.
	return []string{DiscoveryPath, AuthorizePath, TokenPath, UserinfoPath, RevokePath,
		IntrospectPath, EndSessionPath, KeysPath}
}

// ServeHTTP serves the provider's endpoints.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.op.ServeHTTP(w, r) }

// AuthorizePath is where authorization requests arrive.
func (p *Provider) AuthorizePath() string { return AuthorizePath }

// LoginPath is where the provider sends browsers to sign in; the caller
// serves it and calls FinishLogin.
func (p *Provider) LoginPath() string { return p.cfg.LoginPath }

func (p *Provider) loginURL(authRequestID string) string {
	return p.cfg.LoginPath + "?id=" + url.QueryEscape(authRequestID)
}

// sealer is op's Crypto over the platform Encrypter: authorization codes
// and access tokens are sealed ids, so they reveal nothing and cannot be
// forged.
type sealer struct{ enc *models.Encrypter }

const sealPurpose = "oidc token"

func (s sealer) Encrypt(plain string) (string, error) {
	return base64.RawURLEncoding.EncodeToString(s.enc.Encrypt([]byte(plain), sealPurpose)), nil
}

func (s sealer) Decrypt(sealed string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return "", err
	}
	plain, err := s.enc.Decrypt(b, sealPurpose)
	return string(plain), err
}
