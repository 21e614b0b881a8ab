package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/api/oidcop/oidctest"
	"appstore/models"
)

// In production the provider mints no code for a redirect URI that breaks
// the production rules, even one stored on the client (a callback_url saved
// before it was validated): the user sees an error, the URI gets nothing.
func TestOIDCProductionRefusesBadStoredRedirectURIs(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{Production: true})
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	for i, uri := range []string{
		"http://127.0.0.1:9/callback",
		"http://crm.example/callback",
		"https://localhost/callback",
		"https://127.0.0.1/callback",
		"https://*.crm.example/callback",
	} {
		inst := env.Install(env.Acme, "crm-bad-"+string(rune('a'+i)), "https://crm.example/", uri)
		_, challenge := pkce()
		resp := member.get(authorizeURL(inst.ClientID, uri, challenge, "S256"))
		if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/oauth/login") {
			resp = member.get(loc)
		}
		text := body(t, resp)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(text, "callback URL") {
			t.Errorf("%s: %d %q %q", uri, resp.StatusCode, resp.Header.Get("Location"), text)
		}
	}

	// A request stored before the rules applied does not get its code at
	// the login step either.
	inst := env.Install(env.Acme, "crm-bad-stored", "https://crm.example/", "http://crm.example/callback")
	id := uuid.New()
	env.Store.Gorm().Create(&models.OIDCAuthRequest{ID: id, ClientID: inst.ClientID, RedirectURI: "http://crm.example/callback",
		Scopes: models.StringList{"openid"}, State: "st4te", ResponseType: "code", ExpiresAt: time.Now().Add(time.Minute), CreatedAt: time.Now()})
	resp := member.get("/oauth/login?id=" + id.String())
	if resp.StatusCode < 400 || resp.Header.Get("Location") != "" || !strings.Contains(body(t, resp), "callback URL") {
		t.Errorf("stored request: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := count(t, env, "SELECT count(*) FROM oidc_auth_requests WHERE code_hash IS NOT NULL OR done"); n != 0 {
		t.Fatalf("%d codes minted", n)
	}

	// A callback that meets the rules works as before.
	good := env.Install(env.Acme, "crm-good", "https://crm.example/", "https://crm.example/callback")
	_, challenge := pkce()
	codeFrom(t, member.authorize(authorizeURL(good.ClientID, good.CallbackURL, challenge, "S256")), good.CallbackURL)
}
