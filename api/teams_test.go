package api_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/postgres"
)

// team is the seeded acme-labs account plus a second account whose admin
// is an outsider to acme-labs.
type team struct {
	h                       *harness
	acme, other             uuid.UUID
	admin, member, outsider string // sessions: dev, member, owner (admin of "other-labs")
}

func newTeam(t *testing.T, h *harness) *team {
	t.Helper()
	ctx := context.Background()
	owner := userID(t, h, "owner@acme.test")
	other, err := h.store.CreateDeveloperAccount(ctx, "other-labs", "Other Labs", owner)
	if err != nil {
		t.Fatal(err)
	}
	var acme models.DeveloperAccount
	if err := h.store.Gorm().Where("slug = ?", "acme-labs").First(&acme).Error; err != nil {
		t.Fatal(err)
	}
	return &team{h: h, acme: acme.ID, other: other.ID,
		admin: h.login("dev@acme.test"), member: h.login("member@acme.test"), outsider: h.login("owner@acme.test")}
}

func userID(t *testing.T, h *harness, email string) uuid.UUID {
	t.Helper()
	u, err := h.store.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u.ID
}

// newUser creates a verified user with the demo password.
func newUser(t *testing.T, h *harness, email string) uuid.UUID {
	t.Helper()
	u, err := h.store.CreateUser(context.Background(), models.NewUser{Email: email, Password: postgres.DemoPassword, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

var tokenInMail = regexp.MustCompile(`token=(asi_[a-z0-9]+)`)

// waitForMail waits for the n-th mail to email and returns its invitation token.
func waitForMail(t *testing.T, h *harness, email string, n int) string {
	t.Helper()
	return waitForLink(t, h, email, n, tokenInMail)
}

func TestTeamAuthorization(t *testing.T) {
	h := newTeamHarness(t)
	tm := newTeam(t, h)
	acme := "/api/v1/developer-accounts/" + tm.acme.String()
	memberID := userID(t, h, "member@acme.test").String()

	// Each case that changes state gets a target of its own.
	freshMember := func(t *testing.T) string {
		email := "target-" + uuid.NewString()[:8] + "@acme.test"
		id := newUser(t, h, email)
		if err := h.store.AddDeveloperAccountMember(context.Background(), tm.acme, id, models.DevRoleMember); err != nil {
			t.Fatal(err)
		}
		return id.String()
	}
	freshInvitation := func(t *testing.T) string {
		out, err := h.store.CreateInvitations(models.WithActor(context.Background(), userID(t, h, "dev@acme.test")), tm.acme, userID(t, h, "dev@acme.test"),
			[]string{"inv-" + uuid.NewString()[:8] + "@example.com"}, models.DevRoleMember)
		if err != nil || out[0].Invitation == nil {
			t.Fatalf("invite: %v %+v", err, out)
		}
		acct, _ := h.store.GetDeveloperAccount(context.Background(), tm.acme)
		if err := h.server.Invitations().Start(context.Background(), out[0].Invitation, models.AccountInvitationTarget(acct)); err != nil {
			t.Fatal(err)
		}
		return out[0].Invitation.ID.String()
	}

	type want struct{ anonymous, member, admin, outsider int }
	cases := []struct {
		name   string
		method string
		path   func(t *testing.T) string
		body   any
		want   want
	}{
		{"list my accounts", "GET", fixed("/api/v1/developer-accounts"), nil, want{401, 200, 200, 200}},
		{"slug availability", "GET", fixed("/api/v1/developer-accounts/slug-availability?slug=new-one"), nil, want{401, 200, 200, 200}},
		{"view account", "GET", fixed(acme), nil, want{401, 200, 200, 404}},
		{"update account", "PATCH", fixed(acme), map[string]any{"title": "Acme Labs"}, want{401, 403, 200, 404}},
		{"list members", "GET", fixed(acme + "/members"), nil, want{401, 200, 200, 404}},
		{"change a role", "PATCH", fixed(acme + "/members/" + memberID), map[string]any{"role": "member"}, want{401, 403, 204, 404}},
		{"remove a member", "DELETE", func(t *testing.T) string { return acme + "/members/" + freshMember(t) }, nil, want{401, 403, 204, 404}},
		{"list invitations", "GET", fixed(acme + "/invitations"), nil, want{401, 200, 200, 404}},
		{"invite", "POST", fixed(acme + "/invitations"), map[string]any{"emails": []string{"authz@example.com"}, "role": "member"}, want{401, 403, 200, 404}},
		{"resend", "POST", func(t *testing.T) string { return acme + "/invitations/" + freshInvitation(t) + "/resend" }, nil, want{401, 403, 200, 404}},
		{"cancel", "POST", func(t *testing.T) string { return acme + "/invitations/" + freshInvitation(t) + "/cancel" }, nil, want{401, 403, 200, 404}},
	}
	callers := []struct {
		name    string
		session string
		pick    func(want) int
	}{
		{"anonymous", "", func(w want) int { return w.anonymous }},
		{"member", tm.member, func(w want) int { return w.member }},
		{"admin", tm.admin, func(w want) int { return w.admin }},
		{"admin of another account", tm.outsider, func(w want) int { return w.outsider }},
	}
	for _, tc := range cases {
		for _, who := range callers {
			t.Run(tc.name+"/"+who.name, func(t *testing.T) {
				body := tc.body
				if body == nil && tc.method == "POST" {
					body = map[string]any{}
				}
				r := req{method: tc.method, path: tc.path(t), body: body, cookie: who.session}
				if who.session == "" && tc.method != "GET" {
					r.headers = map[string]string{"Origin": testOrigin}
				}
				rec := h.do(r)
				if want := who.pick(tc.want); rec.Code != want {
					t.Fatalf("%s %s as %s: %d, want %d; %s", tc.method, r.path, who.name, rec.Code, want, rec.Body.String())
				}
			})
		}
	}
	// And a member may leave (and nobody else can make them, through this route).
	rec := h.do(req{method: "POST", path: acme + "/leave", cookie: tm.member, body: map[string]any{}})
	wantStatus(t, rec, http.StatusNoContent)
	wantProblem(t, h.do(req{method: "POST", path: acme + "/leave", cookie: tm.outsider, body: map[string]any{}}), 404, "developer_account_not_found")
}

func fixed(path string) func(*testing.T) string { return func(*testing.T) string { return path } }
