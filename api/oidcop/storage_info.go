package oidcop

import (
	"context"
	"errors"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"appstore/models"
)

// Claims an installation client's tokens carry about the organization.
const (
	ClaimOrgID          = "org_id"
	ClaimInstallationID = "installation_id"
	ClaimOrgRole        = "org_role"
)

var errNotSupported = errors.New("not supported")

// GetClientByClientID is a client whose credentials still count: an unknown,
// disabled or revoked one is invalid_client (401). An installation client
// whose installation is inactive is returned: its codes and refresh tokens
// are refused as invalid_grant, and authorization requests as
// unauthorized_client, where they are looked up.
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, err := s.p.store.OIDCClient(ctx, clientID)
	var me *models.Error
	switch {
	case errors.As(err, &me):
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client").WithParent(err)
	case err != nil:
		return nil, serverError(err)
	case !c.Authenticates():
		return nil, oidc.ErrInvalidClient().WithDescription("the client is disabled or revoked")
	}
	return &client{c: c, loginURL: s.p.loginURL, idTTL: s.p.cfg.IDTokenTTL}, nil
}

// AuthorizeClientIDSecret accepts the current secret and the previous one
// during its grace period, of clients that still authenticate (see
// GetClientByClientID).
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	if _, err := s.p.store.VerifyClientSecret(ctx, clientID, secret); err != nil {
		return err
	}
	c, err := s.p.store.OIDCClient(ctx, clientID)
	if err != nil {
		return err
	}
	if !c.Authenticates() {
		return errors.New("the client is disabled or revoked")
	}
	return nil
}

// SetUserinfoFromScopes fills the ID token's claims.
func (s *storage) SetUserinfoFromScopes(ctx context.Context, info *oidc.UserInfo, userID, clientID string, scopes []string) error {
	return s.userinfo(ctx, info, userID, clientID, scopes)
}

// SetUserinfoFromToken answers /oauth/userinfo, for access tokens that are
// still valid (see models.Store.ActiveOIDCToken).
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.p.store.ActiveOIDCToken(ctx, models.OIDCAccessToken, tokenID)
	if err != nil || t.UserID.String() != subject {
		return oidc.ErrAccessDenied().WithDescription("invalid or revoked access token")
	}
	return s.userinfo(ctx, info, subject, t.ClientID, t.Scopes)
}

// SetIntrospectionFromToken answers /oauth/introspect: active only for a
// valid token whose audience includes the asking client.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.p.store.ActiveOIDCToken(ctx, models.OIDCAccessToken, tokenID)
	if err != nil || t.UserID.String() != subject || !slices.Contains([]string(t.Audience), clientID) {
		return oidc.ErrAccessDenied().WithDescription("token is not active")
	}
	info := new(oidc.UserInfo)
	if err := s.userinfo(ctx, info, subject, t.ClientID, t.Scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope = oidc.SpaceDelimitedArray(t.Scopes)
	resp.ClientID = t.ClientID
	resp.Audience = oidc.Audience(t.Audience)
	resp.Expiration = oidc.FromTime(t.ExpiresAt)
	resp.IssuedAt = oidc.FromTime(t.CreatedAt)
	resp.Active = true
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported // no JWT client authentication
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotSupported
}

// userinfo sets sub, email and name per scope, and the organization claims
// for an installation client.
func (s *storage) userinfo(ctx context.Context, info *oidc.UserInfo, userID, clientID string, scopes []string) error {
	uid, err := uuid.Parse(userID)
	if err != nil {
		return oidc.ErrAccessDenied()
	}
	u, err := s.p.store.GetUser(ctx, uid)
	if err != nil {
		return serverError(err)
	}
	info.Subject = u.ID.String()
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email, info.EmailVerified = u.Email, oidc.Bool(u.EmailVerifiedAt != nil)
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = u.Name
	}
	c, err := s.p.store.OIDCClient(ctx, clientID)
	if err != nil {
		return serverError(err)
	}
	if c.InstallationID != nil && c.OrganizationID != nil {
		role, err := s.p.store.OrganizationRole(ctx, *c.OrganizationID, uid)
		if err != nil {
			return oidc.ErrAccessDenied().WithDescription("no longer a member of the organization")
		}
		info.AppendClaims(ClaimOrgID, c.OrganizationID.String())
		info.AppendClaims(ClaimInstallationID, c.InstallationID.String())
		info.AppendClaims(ClaimOrgRole, string(role))
	}
	return nil
}
