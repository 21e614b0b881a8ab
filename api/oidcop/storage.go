package oidcop

import (
	"context"
	"errors"
	"fmt"
	"math"
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

// CreateAuthRequest stores a request op has validated against the client.
// op has already turned prompt=login into max_age 0.
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
		MaxAge: maxAge(req.MaxAge),
	}
	if err := s.p.store.CreateOIDCAuthRequest(ctx, r); err != nil {
		return nil, serverError(err)
	}
	return authRequest{r}, nil
}

// maxAge is the request's max_age in seconds, capped to fit the column (no
// one waits 68 years for a sign-in).
func maxAge(v *uint) *int {
	if v == nil {
		return nil
	}
	n := int(min(*v, math.MaxInt32))
	return &n
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

// AuthRequestByCode finds the request a code was issued for. A code used
// before is a replay: its whole grant is revoked (RFC 6749 §4.1.2), before
// op even authenticates the client, since whoever holds a used code should
// not hold its tokens either. A code whose client or installation no longer
// works is invalid_grant too.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.p.store.OIDCAuthRequestByCode(ctx, code)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid or expired code")
	}
	if r.RedeemedAt != nil {
		if err := s.p.store.RevokeOIDCGrant(ctx, r.ID); err != nil {
			return nil, serverError(err)
		}
		return nil, errReplay()
	}
	if c, err := s.p.store.OIDCClient(ctx, r.ClientID); err != nil || !c.Usable() {
		return nil, errGrantGone()
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

// DeleteAuthRequest is op's call after a code exchange. The request stays:
// CreateOIDCTokens marked it redeemed, so a second exchange of its code is
// recognised as a replay; the store drops it once OIDCRequestRetention has
// passed.
func (s *storage) DeleteAuthRequest(context.Context, string) error { return nil }

// TerminateSession ends userID's tokens for clientID (RP-initiated logout).
// Without an id_token_hint op knows no user, and there is nothing to end
// and no client to return to: that is the caller's invalid_request.
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	uid, err := uuid.Parse(userID)
	if err != nil || clientID == "" {
		return oidc.ErrInvalidRequest().WithDescription("id_token_hint is required: it names the session to end")
	}
	return serverError(s.p.store.RevokeOIDCTokensOfUser(ctx, uid, clientID))
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

// serverError hides a storage failure's text from the client (op logs it
// as the parent); OAuth errors and nil pass through.
func serverError(err error) error {
	var oe *oidc.Error
	if err == nil || errors.As(err, &oe) {
		return err
	}
	return oidc.ErrServerError().WithParent(err)
}

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
