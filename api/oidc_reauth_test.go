package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"appstore/api"
	"appstore/api/oidcop/oidctest"
	"appstore/models/postgres"
)

// passwordSignIn posts the sign-in form with next and returns the new
// session and where the browser is sent.
func passwordSignIn(t *testing.T, env *oidctest.Env, email, next string) (session, location string) {
	t.Helper()
	form := url.Values{"email": {email}, "password": {postgres.DemoPassword}, "next": {next}}
	req, _ := http.NewRequest(http.MethodPost, env.Issuer+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", env.Issuer)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == api.SessionCookie {
			session = ck.Value
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == "" {
		t.Fatalf("sign in: %d, session %t", resp.StatusCode, session != "")
	}
	return session, resp.Header.Get("Location")
}

// The ID token's auth_time is when the user signed in to the platform, not
// when the token was made; a refresh keeps it.
func TestOIDCAuthTimeIsTheSignInTime(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-authtime", "http://127.0.0.1:9/", callback)
	signedIn := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	member := &browser{t: t, env: env, session: env.SessionAt(env.Member, signedIn)}
	tr := signIn(t, env, inst, member, "openid offline_access")
	claims := verifyIDToken(t, env, inst.ClientID, tr.IDToken)
	if got := claims.AuthTime.AsTime(); !got.Equal(signedIn) {
		t.Fatalf("auth_time = %s, want the sign-in time %s (iat %s)", got, signedIn, claims.IssuedAt.AsTime())
	}
	refreshed := token(t, env, inst.ClientID, inst.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}})
	if refreshed.status != 200 || refreshed.IDToken == "" {
		t.Fatalf("refresh: %+v", refreshed)
	}
	keys := rp.NewRemoteKeySet(http.DefaultClient, env.Issuer+"/oauth/keys")
	again, err := rp.VerifyIDToken[*oidc.IDTokenClaims](context.Background(), refreshed.IDToken,
		rp.NewIDTokenVerifier(env.Issuer, inst.ClientID, keys, rp.WithNonce(func(context.Context) string { return "" })))
	if err != nil {
		t.Fatalf("refreshed id token: %v", err)
	}
	if got := again.AuthTime.AsTime(); !got.Equal(signedIn) {
		t.Fatalf("auth_time after refresh = %s, want %s", got, signedIn)
	}
}

// prompt=login, or a session older than max_age, sends the user through
// sign-in again; the fresh sign-in (after the request was made) lets the
// same request finish, with that sign-in as auth_time.
func TestOIDCPromptLoginAndMaxAge(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-reauth", "http://127.0.0.1:9/", callback)
	signedIn := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	for _, c := range []struct {
		name   string
		extra  []string
		reauth bool
	}{
		{"no prompt", nil, false},
		{"max_age met", []string{"max_age", "3600"}, false},
		{"max_age exceeded", []string{"max_age", "600"}, true},
		{"max_age 0", []string{"max_age", "0"}, true},
		{"prompt=login", []string{"prompt", "login"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			member := &browser{t: t, env: env, session: env.SessionAt(env.Member, signedIn)}
			verifier, challenge := pkce()
			path := authorizeURL(inst.ClientID, callback, challenge, "S256", c.extra...)
			resp := member.get(path)
			login := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound || !strings.HasPrefix(login, "/oauth/login?") {
				t.Fatalf("authorize: %d %q", resp.StatusCode, login)
			}
			requested := time.Now()
			resp = member.get(login)
			wantAuthTime := signedIn
			if c.reauth {
				if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(login) {
					t.Fatalf("want the sign-in page coming back to %s, got %d %q", login, resp.StatusCode, resp.Header.Get("Location"))
				}
				if !sessionCleared(resp) {
					t.Fatal("the old session is still set, so the sign-in page would skip the password")
				}
				session, next := passwordSignIn(t, env, "member@acme.test", login)
				if next != login {
					t.Fatalf("after sign-in: sent to %q, want %q", next, login)
				}
				member.session = session
				resp = member.get(login)
				wantAuthTime = time.Time{} // the fresh sign-in, checked below
			}
			code := codeFrom(t, resp, callback)
			tr := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, verifier))
			if tr.status != 200 {
				t.Fatalf("exchange: %+v", tr)
			}
			got := verifyIDToken(t, env, inst.ClientID, tr.IDToken).AuthTime.AsTime()
			switch {
			case !wantAuthTime.IsZero() && !got.Equal(wantAuthTime):
				t.Fatalf("auth_time = %s, want the old sign-in %s", got, wantAuthTime)
			case wantAuthTime.IsZero() && got.Before(requested.Truncate(time.Second)):
				t.Fatalf("auth_time = %s, want the fresh sign-in after %s", got, requested)
			}
		})
	}
}

func sessionCleared(resp *http.Response) bool {
	for _, ck := range resp.Cookies() {
		if ck.Name == api.SessionCookie && ck.Value == "" && ck.MaxAge < 0 {
			return true
		}
	}
	return false
}

// A browser without a session signs in before the request exists; that
// sign-in is the one prompt=login asks for, so it is not asked again.
func TestOIDCPromptLoginAfterSigningInFirst(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-reauth-first", "http://127.0.0.1:9/", callback)
	path := authorizeURL(inst.ClientID, callback, "", "", "prompt", "login")
	resp := (&browser{t: t, env: env}).get(path)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(path) {
		t.Fatalf("anonymous authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	session, next := passwordSignIn(t, env, "member@acme.test", path)
	if next != path {
		t.Fatalf("after sign-in: sent to %q", next)
	}
	codeFrom(t, (&browser{t: t, env: env, session: session}).authorize(path), callback)
}
