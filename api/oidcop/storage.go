package oidcop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"appstore/models"
)

// storage implements op.Storage over PostgreSQL through Store.
type storage struct {
	p *Provider
}

var _ op.Storage = (*storage)(nil)

// authRequestTTL bounds how long a browser may take from /oauth/authorize
// to the code exchange (signing in included).
const authRequestTTL = 10 * time.Minute

func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	c, err := s.usableClient(ctx, req.ClientID)
	if err != nil {
		return nil, oidc.ErrUnauthorizedClient().WithParent(err)
	}
	// PKCE: S256 only (plain would hand the verifier to anyone who sees
	// the authorization request), and mandatory for clients that require it.
	if req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if req.CodeChallenge == "" && c.PKCERequired {
		return nil, oidc.ErrInvalidRequest().WithDescription("this client must use PKCE (code_challenge with S256)")
	}
	r := &models.OIDCAuthRequest{
		ClientID: c.ClientID, InstallationID: c.InstallationID, RedirectURI: req.RedirectURI,
		Scopes: models.StringList(req.Scopes), State: req.State, Nonce: req.Nonce,
		ResponseType: string(req.ResponseType), CodeChallenge: req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod), ExpiresAt: time.Now().Add(authRequestTTL),
	}
	if err := s.p.store.CreateOIDCAuthRequest(ctx, r); err != nil {
		return nil, err
	}
	return authRequest{r}, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown authorization request")
	}
	r, err := s.p.store.OIDCAuthRequest(ctx, uid)
	if err != nil {
		return nil, err
	}
	return authRequest{r}, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.p.store.OIDCAuthRequestByCode(ctx, code)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid or expired code")
	}
	return authRequest{r}, nil
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	uid, err := uuid.Parse(id)
	if err != nil {
		return err
	}
	return s.p.store.SaveOIDCAuthCode(ctx, uid, code)
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	uid, err := uuid.Parse(id)
	if err != nil {
		return err
	}
	return s.p.store.DeleteOIDCAuthRequest(ctx, uid)
}

// grant is what a token is issued for, whatever the request type.
type grant struct {
	clientID       string
	userID         uuid.UUID
	installationID *uuid.UUID
	scopes         []string
	audience       []string
	authTime       *time.Time
	replacing      *uuid.UUID // the refresh token being exchanged
}

func grantOf(req op.TokenRequest) (*grant, error) {
	switch r := req.(type) {
	case authRequest:
		if r.r.UserID == nil {
			return nil, oidc.ErrInvalidGrant()
		}
		return &grant{clientID: r.r.ClientID, userID: *r.r.UserID, installationID: r.r.InstallationID,
			scopes: r.r.Scopes, audience: []string{r.r.ClientID}, authTime: r.r.AuthTime}, nil
	case *refreshRequest:
		return &grant{clientID: r.t.ClientID, userID: r.t.UserID, installationID: r.t.InstallationID,
			scopes: r.scopes, audience: r.t.Audience, authTime: r.t.AuthTime, replacing: &r.t.ID}, nil
	}
	return nil, oidc.ErrUnsupportedGrantType()
}

func (g *grant) token(kind, secret string, expires time.Time) *models.OIDCToken {
	return &models.OIDCToken{Kind: kind, TokenHash: models.HashToken(secret), ClientID: g.clientID, UserID: g.userID,
		InstallationID: g.installationID, Scopes: g.scopes, Audience: g.audience, RefreshOf: g.replacing,
		AuthTime: g.authTime, ExpiresAt: expires}
}

// CreateAccessToken issues an opaque access token: its id is 256 random
// bits, stored only as a digest; op hands the client that id sealed with
// the provider's Crypto.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", time.Time{}, err
	}
	id, exp := models.NewToken(""), time.Now().Add(s.p.cfg.AccessTokenTTL)
	if err := s.p.store.CreateOIDCTokens(ctx, nil, g.token(models.OIDCAccessToken, id, exp)); err != nil {
		return "", time.Time{}, err
	}
	return id, exp, nil
}

// CreateAccessAndRefreshTokens issues both; a refresh token being
// exchanged is revoked in the same transaction (rotation).
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, _ string) (string, string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	id, refresh := models.NewToken(""), models.NewToken("asr_")
	now := time.Now()
	exp := now.Add(s.p.cfg.AccessTokenTTL)
	err = s.p.store.CreateOIDCTokens(ctx, g.replacing,
		g.token(models.OIDCAccessToken, id, exp), g.token(models.OIDCRefreshToken, refresh, now.Add(s.p.cfg.RefreshTokenTTL)))
	if err != nil {
		var me *models.Error
		if errors.As(err, &me) {
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("%s", me.Message)
		}
		return "", "", time.Time{}, err
	}
	return id, refresh, exp, nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.p.store.ActiveOIDCToken(ctx, models.OIDCRefreshToken, token)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid refresh token").WithParent(err)
	}
	return &refreshRequest{t: t, scopes: t.Scopes}, nil
}

func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	uid, err := uuid.Parse(userID)
	if err != nil {
		return err
	}
	return s.p.store.RevokeOIDCTokensOfUser(ctx, uid, clientID)
}

// RevokeToken receives the token id (access tokens, unsealed by op) or
// the refresh token itself; both are stored as the digest of that value.
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, _, clientID string) *oidc.Error {
	if err := s.p.store.RevokeOIDCToken(ctx, tokenOrID, clientID); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.p.store.ActiveOIDCToken(ctx, models.OIDCRefreshToken, token)
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.UserID.String(), token, nil
}

func (s *storage) Health(ctx context.Context) error { return nil }

// usableClient is clientID if it exists, is enabled, not revoked and (for
// an installation client) its installation is active.
func (s *storage) usableClient(ctx context.Context, clientID string) (*models.OIDCClient, error) {
	c, err := s.p.store.OIDCClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !c.Usable() {
		return nil, fmt.Errorf("client %s is disabled, revoked or its installation is not active", clientID)
	}
	return c, nil
}
