package oidcop

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"appstore/models"
)

// ErrNoAccess is FinishLogin's answer when the signed-in user may not use
// the client's app; the caller shows a 403 page and never redirects to the
// client.
var ErrNoAccess = &models.Error{Kind: models.KindForbidden, Code: "access_revoked",
	Message: "You do not have access to this app. Ask an administrator of your organization to grant it."}

// ErrLoginRequired is FinishLogin's answer when the request wants a more
// recent sign-in than the platform session's (prompt=login, or max_age
// exceeded): the caller sends the browser through sign-in again and back
// to the login step, where a sign-in made for the request always
// satisfies it (see recentEnough).
var ErrLoginRequired = &models.Error{Kind: models.KindUnauthorized, Code: "login_required",
	Message: "This app asks you to sign in again."}

// errRequestGone is a missing, expired or already completed request.
var errRequestGone = &models.Error{Kind: models.KindNotFound, Code: "auth_request_not_found",
	Message: "This sign-in request has expired. Go back to the app and start again."}

// FinishLogin completes authorization request id for userID, signed in to
// the platform at signedIn, and writes the redirect back to the client
// with the code. For an installation client the installation must be
// active and the user a member of its organization with access (the
// admin's install was the consent); for an app's own client the user must
// belong to the app's developer account. Otherwise it writes nothing and
// returns ErrNoAccess, ErrLoginRequired (see there), errRedirectRefused for
// a redirect URI that breaks the production rules, or a not-found error
// for an unknown or expired request.
func (p *Provider) FinishLogin(w http.ResponseWriter, r *http.Request, id string, userID uuid.UUID, signedIn time.Time) error {
	ctx := r.Context()
	rid, err := uuid.Parse(id)
	if err != nil {
		return errRequestGone
	}
	req, err := p.store.OIDCAuthRequest(ctx, rid)
	if err != nil || req.Done {
		return errRequestGone
	}
	if !p.redirectURIAllowed(req.RedirectURI) {
		return errRedirectRefused
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
	if !recentEnough(req, signedIn, time.Now()) {
		return ErrLoginRequired
	}
	if err := p.store.CompleteOIDCAuthRequest(ctx, rid, userID, c.InstallationID, signedIn); err != nil {
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

// signInGrace is how long before an authorization request a sign-in still
// counts as made for it: a browser without a session is sent to sign in
// first and comes straight back to /oauth/authorize, which creates the
// request a moment later (and session times are whole seconds).
const signInGrace = 5 * time.Second

// recentEnough reports whether a sign-in at signedIn satisfies req's
// max_age at now. A sign-in made for the request (after it, or within
// signInGrace before) always does: the user signed in for this very
// request, so sending them back once more would loop.
func recentEnough(req *models.OIDCAuthRequest, signedIn, now time.Time) bool {
	if req.MaxAge == nil || !signedIn.Before(req.CreatedAt.Add(-signInGrace)) {
		return true
	}
	return now.Sub(signedIn) <= time.Duration(*req.MaxAge)*time.Second
}
