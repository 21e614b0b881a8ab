package oidcop

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"appstore/models"
)

// grant is what a token is issued for, whatever the request type: the
// chain it extends (id) and what the request uses up (from).
type grant struct {
	id             uuid.UUID
	from           models.OIDCExchange
	clientID       string
	userID         uuid.UUID
	installationID *uuid.UUID
	scopes         []string
	audience       []string
	authTime       *time.Time
}

func grantOf(req op.TokenRequest) (*grant, error) {
	switch r := req.(type) {
	case authRequest:
		if r.r.UserID == nil {
			return nil, oidc.ErrInvalidGrant()
		}
		return &grant{id: r.r.ID, from: models.OIDCExchange{Code: &r.r.ID}, clientID: r.r.ClientID, userID: *r.r.UserID,
			installationID: r.r.InstallationID, scopes: r.r.Scopes, audience: []string{r.r.ClientID}, authTime: r.r.AuthTime}, nil
	case *refreshRequest:
		return &grant{id: r.t.GrantID, from: models.OIDCExchange{Refresh: &r.t.ID}, clientID: r.t.ClientID, userID: r.t.UserID,
			installationID: r.t.InstallationID, scopes: r.scopes, audience: r.t.Audience, authTime: r.t.AuthTime}, nil
	}
	return nil, oidc.ErrUnsupportedGrantType()
}

func (g *grant) token(kind, secret string, expires time.Time) *models.OIDCToken {
	return &models.OIDCToken{GrantID: g.id, Kind: kind, TokenHash: models.HashToken(secret), ClientID: g.clientID, UserID: g.userID,
		InstallationID: g.installationID, Scopes: g.scopes, Audience: g.audience, RefreshOf: g.from.Refresh,
		AuthTime: g.authTime, ExpiresAt: expires}
}

// issue stores tokens for g, using up what g was exchanged for.
func (s *storage) issue(ctx context.Context, g *grant, tokens ...*models.OIDCToken) error {
	err := s.p.store.CreateOIDCTokens(ctx, g.from, tokens...)
	if errors.Is(err, models.ErrOIDCReplay) {
		return errReplay()
	}
	var me *models.Error
	if errors.As(err, &me) {
		return oidc.ErrInvalidGrant().WithDescription("%s", me.Message)
	}
	return serverError(err)
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
	if err := s.issue(ctx, g, g.token(models.OIDCAccessToken, id, exp)); err != nil {
		return "", time.Time{}, err
	}
	return id, exp, nil
}

// CreateAccessAndRefreshTokens issues both; a refresh token being
// exchanged is rotated in the same transaction, and one rotated before
// revokes its whole grant instead.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, _ string) (string, string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	id, refresh := models.NewToken(""), models.NewToken("asr_")
	now := time.Now()
	exp := now.Add(s.p.cfg.AccessTokenTTL)
	err = s.issue(ctx, g,
		g.token(models.OIDCAccessToken, id, exp), g.token(models.OIDCRefreshToken, refresh, now.Add(s.p.cfg.RefreshTokenTTL)))
	if err != nil {
		return "", "", time.Time{}, err
	}
	return id, refresh, exp, nil
}

// TokenRequestByRefreshToken finds a refresh token that still works. One
// that was rotated already is a replay: its grant is revoked (RFC 9700
// §4.14.2), and either way the answer is invalid_grant.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.p.store.ActiveOIDCToken(ctx, models.OIDCRefreshToken, token)
	if err == nil {
		return &refreshRequest{t: t, scopes: t.Scopes}, nil
	}
	reused, rerr := s.p.store.RevokeReusedOIDCGrant(ctx, token)
	switch {
	case rerr != nil:
		return nil, serverError(rerr)
	case reused:
		return nil, errReplay()
	}
	return nil, oidc.ErrInvalidGrant().WithDescription("invalid refresh token").WithParent(err)
}

// errReplay answers a code or refresh token used a second time.
func errReplay() *oidc.Error {
	return oidc.ErrInvalidGrant().WithDescription("%s", models.ErrOIDCReplay.Message)
}

// errGrantGone answers a code whose client or installation no longer works.
func errGrantGone() *oidc.Error {
	return oidc.ErrInvalidGrant().WithDescription("the app is no longer installed, or its client is disabled")
}
