package api_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"appstore/models"
	"appstore/models/postgres"
)

var (
	verifyLink = regexp.MustCompile(`/verify-email\?token=(asv_[a-z0-9]+)`)
	resetLink  = regexp.MustCompile(`/reset-password\?token=(asr_[a-z0-9]+)`)
)

// waitForLink waits for the n-th mail to email and returns the first match
// of link in its newest one.
func waitForLink(t *testing.T, h *harness, email string, n int, link *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute) // generous: the mail comes from a workflow on a loaded machine
	for time.Now().Before(deadline) {
		mails, err := h.store.ListDevMails(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		var found []models.DevMail
		for _, m := range mails {
			if m.To == email {
				found = append(found, m)
			}
		}
		if len(found) >= n {
			m := link.FindStringSubmatch(found[0].Text)
			if m == nil {
				t.Fatalf("mail to %s lacks %s:\n%s", email, link, found[0].Text)
			}
			return m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail #%d to %s", n, email)
	return ""
}

func TestSignUpVerifyCreateOrganization(t *testing.T) {
	h := newTeamHarness(t)
	signUp := func(email, password string) (int, string) {
		rec := h.do(req{method: "POST", path: "/api/v1/auth/signup", body: map[string]any{"email": email, "name": "Nia New", "password": password}})
		return rec.Code, rec.Body.String()
	}
	// Weak passwords are refused with the rule, before anything else.
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/auth/signup", body: map[string]any{"email": "nia@example.com", "password": "short"}}), 422, "weak_password")

	newCode, newBody := signUp("nia@example.com", "correct horse battery staple")
	oldCode, oldBody := signUp("owner@acme.test", "correct horse battery staple")
	if newCode != http.StatusAccepted || newCode != oldCode || newBody != oldBody {
		t.Fatalf("sign-up answers differ for new and existing emails:\n%d %s\n%d %s", newCode, newBody, oldCode, oldBody)
	}
	// The existing account is untouched: its password still works.
	h.login("owner@acme.test")
	waitForLink(t, h, "owner@acme.test", 1, regexp.MustCompile(`(/forgot-password)`))

	// Browsing works at once; creating an organization waits for verification.
	session := loginWith(t, h, "nia@example.com", "correct horse battery staple")
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: session}), http.StatusOK)
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/organizations", cookie: session, body: map[string]any{"name": "Nia Co"}}), 403, "email_unverified")
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/developer-accounts", cookie: session, body: map[string]any{"slug": "nia-co", "title": "Nia Co"}}), 403, "email_unverified")

	token := waitForLink(t, h, "nia@example.com", 1, verifyLink)
	wantStatus(t, h.do(req{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]any{"token": token}}), http.StatusOK)
	wantStatus(t, h.do(req{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]any{"token": token}}), http.StatusOK)
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]any{"token": "asv_forged"}}), 404, "verification_invalid")

	rec := h.do(req{method: "POST", path: "/api/v1/organizations", cookie: session, body: map[string]any{"name": "Nia Co"}})
	wantStatus(t, rec, http.StatusCreated)
	var org struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	}
	decode(t, rec, &org)
	if org.Role != "owner" {
		t.Fatalf("creator role = %q, want owner", org.Role)
	}
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/organizations/" + org.ID + "/members", cookie: session}), http.StatusOK)
}

func TestForgotAndResetPassword(t *testing.T) {
	h := newTeamHarness(t)
	forgot := func(email string) (int, string) {
		rec := h.do(req{method: "POST", path: "/api/v1/auth/forgot-password", body: map[string]any{"email": email}})
		return rec.Code, rec.Body.String()
	}
	knownCode, knownBody := forgot("member@acme.test")
	unknownCode, unknownBody := forgot("nobody@acme.test")
	if knownCode != http.StatusAccepted || knownCode != unknownCode || knownBody != unknownBody {
		t.Fatalf("forgot-password answers differ:\n%d %s\n%d %s", knownCode, knownBody, unknownCode, unknownBody)
	}

	before := h.login("member@acme.test")
	rec := h.do(req{method: "POST", path: "/api/v1/tokens", cookie: before, body: map[string]any{"name": "cli"}})
	wantStatus(t, rec, http.StatusCreated)
	var pat struct{ Token string }
	decode(t, rec, &pat)

	token := waitForLink(t, h, "member@acme.test", 1, resetLink)
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/auth/reset-password", body: map[string]any{"token": token, "password": "short"}}), 422, "weak_password")
	wantStatus(t, h.do(req{method: "POST", path: "/api/v1/auth/reset-password", body: map[string]any{"token": token, "password": "a brand new passphrase"}}), http.StatusOK)
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/auth/reset-password", body: map[string]any{"token": token, "password": "yet another passphrase"}}), 404, "reset_invalid")

	// The session from before the reset is over, everywhere, and so is the
	// CLI token made with it.
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: before}), 401, "session_revoked")
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: pat.Token}), 401, "invalid_token")
	// The old password is refused, the new one works.
	rec = h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "member@acme.test", "password": postgres.DemoPassword}})
	wantProblem(t, rec, 401, "invalid_credentials")
	after := loginWith(t, h, "member@acme.test", "a brand new passphrase")
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: after}), http.StatusOK)
}

// loginWith signs in with an explicit password and returns the session JWT.
func loginWith(t *testing.T, h *harness, email, password string) string {
	t.Helper()
	rec := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": password}})
	wantStatus(t, rec, http.StatusOK)
	var lr struct {
		LoginToken string `json:"login_token"`
	}
	decode(t, rec, &lr)
	rec = h.do(req{method: "POST", path: "/api/v1/auth/exchange", body: map[string]string{"login_token": lr.LoginToken}})
	wantStatus(t, rec, http.StatusOK)
	var er struct {
		AccessToken string `json:"access_token"`
	}
	decode(t, rec, &er)
	return er.AccessToken
}
