package crmapp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"appstore/api"
	"appstore/api/oidcop/oidctest"
	"appstore/models"
)

// A browser with a platform session follows Open App: the SSO URL, the
// third-party-initiated login, the provider (straight back with a code)
// and the app's callback, which verifies the ID token.
func TestLoginFlowAgainstTheProvider(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	var handler http.Handler
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(appSrv.Close)
	a, _ := newTestApp(t, env.Issuer)
	a.cfg.PublicURL = appSrv.URL
	handler = a.Handler()

	inst := env.Install(env.Acme, "example-crm", appSrv.URL+"/", appSrv.URL+"/callback")
	body := fmt.Sprintf(`{"type":"app.installed","data":{"installation_id":%q,"organization_id":%q,"client_id":%q,"client_secret":%q}}`,
		inst.ID, env.Acme, inst.ClientID, inst.ClientSecret)
	if code := deliver(t, handler, testSecret, body, time.Now()); code != http.StatusNoContent {
		t.Fatalf("app.installed: %d", code)
	}

	open := func(u *models.User) (int, string) {
		jar, _ := cookiejar.New(nil)
		issuer, _ := url.Parse(env.Issuer)
		jar.SetCookies(issuer, []*http.Cookie{{Name: api.SessionCookie, Value: env.Session(u), Path: "/"}})
		browser := &http.Client{Jar: jar}
		resp, err := browser.Get(env.Issuer + "/api/v1/organizations/" + env.Acme.String() + "/installations/" + inst.ID.String() + "/sso")
		if err != nil {
			t.Fatal(err)
		}
		var sso struct {
			URL string `json:"url"`
		}
		json.NewDecoder(resp.Body).Decode(&sso)
		resp.Body.Close()
		if sso.URL == "" {
			return resp.StatusCode, ""
		}
		resp, err = browser.Get(sso.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, page := open(env.Member)
	want := "Signed in as member@acme.test in organization " + env.Acme.String()
	if status != http.StatusOK || !strings.Contains(page, want) {
		t.Fatalf("open app: %d\n%s", status, page)
	}

	// Access revoked after the SSO URL was handed out: the provider stops
	// the login with a 403 page and the app gets no code.
	env.SetAccess(inst, env.Owner.ID, false)
	jar, _ := cookiejar.New(nil)
	issuer, _ := url.Parse(env.Issuer)
	jar.SetCookies(issuer, []*http.Cookie{{Name: api.SessionCookie, Value: env.Session(env.Owner), Path: "/"}})
	resp, err := (&http.Client{Jar: jar}).Get(appSrv.URL + "/?iss=" + url.QueryEscape(env.Issuer) + "&login_hint=" + env.Owner.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "do not have access") || resp.Request.URL.Host != issuer.Host {
		t.Fatalf("without access: %d at %s", resp.StatusCode, resp.Request.URL)
	}

	// An iss naming another issuer does not start anything.
	resp, err = http.Get(appSrv.URL + "/?iss=" + url.QueryEscape("https://evil.example"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("foreign issuer: %d", resp.StatusCode)
	}
}
