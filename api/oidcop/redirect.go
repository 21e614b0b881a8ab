package oidcop

import (
	"net/http"

	"appstore/models"
)

// redirectRefusedText says why no code goes to a redirect URI, for the
// user who sees it and the developer they will tell.
const redirectRefusedText = "This app's callback URL does not meet the platform's rules for redirect URIs " +
	"(https to a public host, no wildcards or fragments), so sign-in to it is refused. " +
	"Ask the app's developer to fix its callback URL."

// errRedirectRefused is FinishLogin's answer for such a redirect URI.
var errRedirectRefused = &models.Error{Kind: models.KindConflict, Code: "redirect_uri_refused", Message: redirectRefusedText}

// redirectURIAllowed reports whether the provider may send a code to uri:
// in production only to one that meets models.ValidateRedirectURIs, even
// when the client has it stored (listings saved before callback URLs were
// validated may hold anything); in development to whatever the client
// registered.
func (p *Provider) redirectURIAllowed(uri string) bool {
	return p.cfg.DevMode || len(models.ValidateRedirectURIs([]string{uri}, true)) == 0
}

// refuseBadRedirect answers an authorization request for a redirect URI
// the provider would not send a code to with a 400 page, before op could
// redirect there even with an error.
func (p *Provider) refuseBadRedirect(w http.ResponseWriter, r *http.Request) bool {
	if uri := r.FormValue("redirect_uri"); uri == "" || p.redirectURIAllowed(uri) {
		return false
	}
	http.Error(w, redirectRefusedText, http.StatusBadRequest)
	return true
}
