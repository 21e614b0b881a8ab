package oidcop

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"appstore/models"
)

// ErrNoAccess is FinishLogin's answer when the signed-in user may not use
// the client's app; the caller shows a 403 page and never redirects to the
// client.
var ErrNoAccess = &models.Error{Kind: models.KindForbidden, Code: "access_revoked",
	Message: "You do not have access to this app. Ask an administrator of your organization to grant it."}

// errRequestGone is a missing, expired or already completed request.
var errRequestGone = &models.Error{Kind: models.KindNotFound, Code: "auth_request_not_found",
	Message: "This sign-in request has expired. Go back to the app and start again."}

// FinishLogin completes authorization request id for the signed-in userID
// and writes the redirect back to the client with the code. For an
// installation client the installation must be active and the user a member
// of its organization with access (the admin's install was the consent);
// for an app's own client the user must belong to the app's developer
// account. Otherwise it writes nothing and returns ErrNoAccess (or a
// not-found error for an unknown or expired request).
func (p *Provider) FinishLogin(w http.ResponseWriter, r *http.Request, id string, userID uuid.UUID) error {
	ctx := r.Context()
	rid, err := uuid.Parse(id)
	if err != nil {
		return errRequestGone
	}
	req, err := p.store.OIDCAuthRequest(ctx, rid)
	if err != nil || req.Done {
		return errRequestGone
	}
	c, err := p.store.OIDCClient(ctx, req.ClientID)
	if err != nil {
		return err
	}
	if !c.Usable() {
		return ErrNoAccess
	}
	if c.InstallationID != nil {
		acc, err := p.store.InstallationAccess(ctx, *c.OrganizationID, *c.InstallationID, userID)
		if err != nil || !acc.CanAccess || acc.Installation.Status != models.InstallationActive {
			return ErrNoAccess
		}
	} else if _, err := p.store.DeveloperAccountRole(ctx, c.DeveloperAccountID, userID); err != nil {
		return ErrNoAccess
	}
	if err := p.store.CompleteOIDCAuthRequest(ctx, rid, userID, c.InstallationID); err != nil {
		return errRequestGone
	}
	req, err = p.store.OIDCAuthRequest(ctx, rid)
	if err != nil {
		return errRequestGone
	}
	// op reads the issuer from the request context, set by its own router.
	r = r.WithContext(op.ContextWithIssuer(ctx, p.cfg.Issuer))
	op.AuthResponse(authRequest{req}, p.op, w, r)
	return nil
}
