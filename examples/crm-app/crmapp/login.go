package crmapp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

const (
	sessionCookie = "crm_session"
	stateCookie   = "crm_login_state"
	loginTTL      = 10 * time.Minute
)

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Example CRM</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Example CRM</h1>
{{if .Signed}}
  <p data-testid="signed-in">Signed in as {{.Signed.email}} in organization {{.Signed.orgID}}</p>
  <form method="post" action="/logout"><button>Sign out</button></form>
{{else if .Error}}
  <p role="alert">{{.Error}}</p><p><a href="/">Back</a></p>
{{else if .Installs}}
  {{range .Installs}}<p><a href="/login?installation={{.ID}}{{if $.Hint}}&amp;login_hint={{$.Hint}}{{end}}">Sign in with the Appstore (organization {{.OrganizationID}})</a></p>{{end}}
{{else}}
  <p>No organization has installed this app yet. Install it from the Appstore marketplace, then use Open App.</p>
{{end}}
</body></html>`))

type pageData struct {
	Signed   map[string]string
	Error    string
	Installs []Installation
	Hint     string
}

func (a *App) render(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	page.Execute(w, d)
}

// home shows the signed-in user, or starts a third-party-initiated login
// (iss + login_hint from the Appstore's Open App), or offers to sign in.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	if s, ok := a.session(r); ok {
		a.render(w, http.StatusOK, pageData{Signed: map[string]string{"email": s.email, "orgID": s.orgID}})
		return
	}
	q := r.URL.Query()
	installs := a.installs.list()
	if iss := q.Get("iss"); iss != "" {
		// Only our Appstore may start a login: an arbitrary issuer would
		// make us fetch discovery documents from anywhere.
		if iss != a.cfg.Issuer {
			a.render(w, http.StatusBadRequest, pageData{Error: "Sign-in was started by an unknown issuer."})
			return
		}
		// Which organization's installation is not part of the request;
		// with one installation there is nothing to choose.
		if len(installs) == 1 {
			a.start(w, r, installs[0].ID, q.Get("login_hint"))
			return
		}
	}
	a.render(w, http.StatusOK, pageData{Installs: installs, Hint: q.Get("login_hint")})
}

func (a *App) login(w http.ResponseWriter, r *http.Request) {
	a.start(w, r, r.URL.Query().Get("installation"), r.URL.Query().Get("login_hint"))
}

// start begins authorization code + PKCE (S256) with the installation's
// client: state, nonce and verifier stay here, the state also in a cookie
// that binds the callback to this browser.
func (a *App) start(w http.ResponseWriter, r *http.Request, installationID, loginHint string) {
	in, ok := a.installs.get(installationID)
	if !ok {
		a.render(w, http.StatusNotFound, pageData{Error: "Unknown installation."})
		return
	}
	party, err := a.party(r.Context(), in)
	if err != nil {
		a.log.Error("oidc discovery", "err", err)
		a.render(w, http.StatusBadGateway, pageData{Error: "The Appstore cannot be reached right now."})
		return
	}
	state, nonce, verifier := random(), random(), random()
	sum := sha256.Sum256([]byte(verifier))
	opts := []rp.AuthURLOpt{rp.WithCodeChallenge(base64.RawURLEncoding.EncodeToString(sum[:])), rp.AuthURLOpt(rp.WithURLParam("nonce", nonce))}
	if loginHint != "" {
		opts = append(opts, rp.AuthURLOpt(rp.WithURLParam("login_hint", loginHint)))
	}
	a.mu.Lock()
	for k, p := range a.pending {
		if time.Since(p.created) > loginTTL {
			delete(a.pending, k)
		}
	}
	a.pending[state] = pendingLogin{installationID: in.ID, nonce: nonce, verifier: verifier, created: time.Now()}
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: "/", MaxAge: int(loginTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, rp.AuthURL(state, party, opts...), http.StatusFound)
}

type nonceKey struct{}

// party is the relying party of an installation's client, made by
// discovery from the issuer; its ID token verifier checks the signature
// (JWKS), issuer, audience and the nonce of the login being completed.
func (a *App) party(ctx context.Context, in Installation) (rp.RelyingParty, error) {
	key := in.ClientID + "\x00" + in.ClientSecret
	a.mu.Lock()
	p, ok := a.parties[key]
	a.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := rp.NewRelyingPartyOIDC(ctx, a.cfg.Issuer, in.ClientID, in.ClientSecret, a.cfg.PublicURL+"/callback",
		[]string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail},
		rp.WithHTTPClient(a.cfg.HTTPClient),
		rp.WithVerifierOpts(rp.WithNonce(func(ctx context.Context) string { n, _ := ctx.Value(nonceKey{}).(string); return n })))
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.parties[key] = p
	a.mu.Unlock()
	return p, nil
}

// callback exchanges the code (with the PKCE verifier), verifies the ID
// token and starts the app's own session.
func (a *App) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	a.mu.Lock()
	p, ok := a.pending[state]
	delete(a.pending, state)
	a.mu.Unlock()
	c, err := r.Cookie(stateCookie)
	if !ok || err != nil || c.Value != state || time.Since(p.created) > loginTTL {
		a.render(w, http.StatusBadRequest, pageData{Error: "This sign-in expired or was not started here. Start again."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Path: "/", MaxAge: -1})
	if e := q.Get("error"); e != "" {
		a.render(w, http.StatusForbidden, pageData{Error: "The Appstore refused the sign-in: " + e + " " + q.Get("error_description")})
		return
	}
	in, ok := a.installs.get(p.installationID)
	if !ok {
		a.render(w, http.StatusForbidden, pageData{Error: "This installation was removed."})
		return
	}
	party, err := a.party(r.Context(), in)
	if err != nil {
		a.render(w, http.StatusBadGateway, pageData{Error: "The Appstore cannot be reached right now."})
		return
	}
	ctx := context.WithValue(r.Context(), nonceKey{}, p.nonce)
	tokens, err := rp.CodeExchange[*oidc.IDTokenClaims](ctx, q.Get("code"), party, rp.WithCodeVerifier(p.verifier))
	if err != nil {
		a.log.Warn("code exchange", "err", err)
		a.render(w, http.StatusUnauthorized, pageData{Error: "Sign-in failed."})
		return
	}
	claims := tokens.IDTokenClaims
	orgID, _ := claims.Claims["org_id"].(string)
	if in.OrganizationID != "" && orgID != in.OrganizationID {
		a.render(w, http.StatusForbidden, pageData{Error: "The token is for another organization."})
		return
	}
	id := random()
	a.mu.Lock()
	a.sessions[id] = session{email: claims.Email, name: claims.Name, orgID: orgID, installationID: in.ID}
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *App) session(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[c.Value]
	if ok {
		if _, installed := a.installs.get(s.installationID); !installed {
			delete(a.sessions, c.Value) // uninstalled: sessions end
			return session{}, false
		}
	}
	return s, ok
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// random is 256 bits, URL-safe.
func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
