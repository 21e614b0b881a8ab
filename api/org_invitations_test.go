package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

// orgInvite creates a pending invitation of a fresh address to orgID by
// inviter through the store and starts its workflow, as the API does.
func orgInvite(t *testing.T, h *harness, orgID, inviter uuid.UUID) *models.Invitation {
	t.Helper()
	ctx := models.WithActor(context.Background(), inviter)
	out, err := h.store.CreateOrganizationInvitations(ctx, orgID, inviter,
		[]string{"inv-" + uuid.NewString()[:8] + "@example.com"}, models.OrgRoleMember)
	if err != nil || len(out) != 1 || out[0].Invitation == nil {
		t.Fatalf("invite: %v %+v", err, out)
	}
	org, err := h.store.GetOrganization(context.Background(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.server.Invitations().Start(context.Background(), out[0].Invitation, models.OrganizationInvitationTarget(org)); err != nil {
		t.Fatal(err)
	}
	return out[0].Invitation
}

// The life of an organization invitation through the API, on the real
// workflow: invite -> mail in the dev outbox -> accept -> membership.
func TestOrganizationInvitationLifecycle(t *testing.T) {
	h := newTeamHarness(t)
	o := newOrgSetup(t, h)
	acme := "/api/v1/organizations/" + o.acme.String()
	newcomer := newUser(t, h, "newcomer@example.com")

	// The owner invites; each email has its own answer.
	rec := h.do(req{method: "POST", path: acme + "/invitations", cookie: o.owner, body: map[string]any{
		"emails": []string{"newcomer@example.com", "member@acme.test", "nope", "second@example.com"}, "role": "admin"}})
	wantStatus(t, rec, http.StatusOK)
	var res inviteResults
	decode(t, rec, &res)
	got := map[string]string{}
	for _, r := range res.Results {
		got[r.Email] = r.Result
	}
	if got["newcomer@example.com"] != "invited" || got["member@acme.test"] != "already_member" ||
		got["nope"] != "invalid_email" || got["second@example.com"] != "invited" || len(res.Results) != 4 {
		t.Fatalf("outcomes = %+v", res.Results)
	}
	// An admin may invite too; nobody may invite an owner.
	rec = h.do(req{method: "POST", path: acme + "/invitations", cookie: o.admin, body: map[string]any{"emails": []string{"NEWCOMER@example.com"}, "role": "member"}})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &res)
	if res.Results[0].Result != "already_invited" {
		t.Fatalf("re-invite = %+v", res.Results)
	}
	wantProblem(t, h.do(req{method: "POST", path: acme + "/invitations", cookie: o.owner, body: map[string]any{"emails": []string{"boss@example.com"}, "role": "owner"}}), 422, "invalid_role")

	// The pending list, as the organization settings page shows it.
	rec = h.do(req{method: "GET", path: acme + "/invitations", cookie: o.member})
	wantStatus(t, rec, http.StatusOK)
	var list struct {
		Invitations []struct {
			ID                 string  `json:"id"`
			Email              string  `json:"email"`
			Role               string  `json:"role"`
			OrganizationID     string  `json:"organization_id"`
			DeveloperAccountID *string `json:"developer_account_id"`
		} `json:"invitations"`
	}
	decode(t, rec, &list)
	var invID string
	for _, inv := range list.Invitations {
		if inv.OrganizationID != o.acme.String() || inv.DeveloperAccountID != nil || inv.Role != "admin" {
			t.Errorf("listed invitation %+v", inv)
		}
		if inv.Email == "newcomer@example.com" {
			invID = inv.ID
		}
	}
	if len(list.Invitations) != 2 || invID == "" {
		t.Fatalf("pending = %+v", list.Invitations)
	}

	// The mail names the organization; a resend by an admin replaces its link.
	first := waitForMail(t, h, "newcomer@example.com", 1)
	mails, err := h.store.ListDevMails(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.To == "newcomer@example.com" && (m.Subject != "You're invited to join Acme on Appstore" ||
			!strings.Contains(m.Text, "to join the organization Acme on Appstore as an admin")) {
			t.Errorf("mail does not name the organization: %q\n%s", m.Subject, m.Text)
		}
	}
	wantStatus(t, h.do(req{method: "POST", path: acme + "/invitations/" + invID + "/resend", cookie: o.admin, body: map[string]any{}}), http.StatusOK)
	second := waitForMail(t, h, "newcomer@example.com", 2)
	if second == first {
		t.Fatal("resend mailed the same token")
	}

	// The link's page names the organization.
	page := h.do(req{method: "GET", path: "/invitations/accept?token=" + second})
	wantStatus(t, page, http.StatusOK)
	if body := page.Body.String(); !strings.Contains(body, "organization <strong>Acme</strong>") {
		t.Errorf("accept page does not name the organization:\n%s", body)
	}

	session := h.login("newcomer@example.com")
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/invitations/accept", cookie: session, body: map[string]any{"token": first}}), 404, "invitation_not_found")
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/invitations/accept", cookie: o.otherOwner, body: map[string]any{"token": second}}), 403, "invitation_email_mismatch")
	// Before accepting, the organization is not theirs to see.
	wantProblem(t, h.do(req{method: "GET", path: acme, cookie: session}), 404, "organization_not_found")
	for i := range 2 { // a second click: the same answer, one membership
		rec = h.do(req{method: "POST", path: "/api/v1/invitations/accept", cookie: session, body: map[string]any{"token": second}})
		if rec.Code != http.StatusOK {
			t.Fatalf("accept #%d: %d %s", i+1, rec.Code, rec.Body.String())
		}
	}
	var accepted struct {
		Target models.InvitationTarget `json:"target"`
		Role   string                  `json:"role"`
	}
	decode(t, rec, &accepted)
	if accepted.Target.Kind != models.InviteToOrganization || accepted.Target.ID != o.acme || accepted.Target.Name != "Acme" || accepted.Role != "admin" {
		t.Errorf("accept answered %+v", accepted)
	}
	role, err := h.store.OrganizationRole(context.Background(), o.acme, newcomer)
	if err != nil || role != models.OrgRoleAdmin {
		t.Fatalf("membership after accept: %q, %v", role, err)
	}
	// The newcomer's own view shows it at once (their portal state was dropped).
	wantStatus(t, h.do(req{method: "GET", path: acme, cookie: session}), http.StatusOK)
	rec = h.do(req{method: "GET", path: "/api/v1/me", cookie: session})
	if !strings.Contains(rec.Body.String(), o.acme.String()) {
		t.Errorf("/me after accept lacks the organization: %s", rec.Body.String())
	}
	// A finished invitation cannot be resent or cancelled.
	wantStatus(t, h.do(req{method: "POST", path: acme + "/invitations/" + invID + "/resend", cookie: o.owner, body: map[string]any{}}), http.StatusConflict)
	wantStatus(t, h.do(req{method: "POST", path: acme + "/invitations/" + invID + "/cancel", cookie: o.owner, body: map[string]any{}}), http.StatusConflict)

	// Cancel the other one: its link then says so.
	otherToken := waitForMail(t, h, "second@example.com", 1)
	inv2, err := h.store.FindInvitationByToken(context.Background(), otherToken)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, h.do(req{method: "POST", path: acme + "/invitations/" + inv2.ID.String() + "/cancel", cookie: o.owner, body: map[string]any{}}), http.StatusOK)
	newUser(t, h, "second@example.com")
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/invitations/accept", cookie: h.login("second@example.com"), body: map[string]any{"token": otherToken}}), 410, "invitation_cancelled")

	// Every step is in the organization's event log, naming who did it.
	for typ, actor := range map[string]uuid.UUID{"invitation.created": o.ownerID, "invitation.resent": o.adminID,
		"invitation.accepted": newcomer, "invitation.cancelled": o.ownerID, "organization.member_added": newcomer} {
		var n int64
		h.store.Gorm().Model(&models.Event{}).Where("type = ? AND actor_id = ? AND organization_id = ? AND developer_account_id IS NULL",
			typ, actor, o.acme).Count(&n)
		if n == 0 {
			t.Errorf("no %s event by %v in the organization's log", typ, actor)
		}
	}
	var n int64
	h.store.Gorm().Model(&models.Event{}).Where("type = ? AND organization_id = ?", "invitation.accepted", o.acme).Count(&n)
	if n != 1 {
		t.Errorf("%d invitation.accepted events, want 1", n)
	}
}

func TestOrganizationInvitationAuthorization(t *testing.T) {
	h := newTeamHarness(t)
	o := newOrgSetup(t, h)
	acme := "/api/v1/organizations/" + o.acme.String()
	elsewhere := orgID(t, h, "outsider@example.com", "Elsewhere")
	fresh := func(action string) func(*testing.T) string {
		return func(t *testing.T) string {
			return acme + "/invitations/" + orgInvite(t, h, o.acme, o.ownerID).ID.String() + "/" + action
		}
	}
	// Another organization's invitation, addressed through Acme's path.
	foreign := orgInvite(t, h, elsewhere, o.outsiderID).ID.String()

	type want struct{ anonymous, member, admin, owner, otherOwner int }
	cases := []struct {
		name, method string
		path         func(*testing.T) string
		body         any
		want         want
	}{
		{"list invitations", "GET", fixed(acme + "/invitations"), nil, want{401, 200, 200, 200, 404}},
		{"invite", "POST", fixed(acme + "/invitations"), map[string]any{"emails": []string{"authz@example.com"}, "role": "member"}, want{401, 403, 200, 200, 404}},
		{"invite an admin", "POST", fixed(acme + "/invitations"), map[string]any{"emails": []string{"authz-admin@example.com"}, "role": "admin"}, want{401, 403, 200, 200, 404}},
		{"resend", "POST", fresh("resend"), nil, want{401, 403, 200, 200, 404}},
		{"cancel", "POST", fresh("cancel"), nil, want{401, 403, 200, 200, 404}},
		{"resend another org's invitation", "POST", fixed(acme + "/invitations/" + foreign + "/resend"), nil, want{401, 403, 404, 404, 404}},
		{"cancel another org's invitation", "POST", fixed(acme + "/invitations/" + foreign + "/cancel"), nil, want{401, 403, 404, 404, 404}},
	}
	callers := []struct {
		name, session string
		pick          func(want) int
	}{
		{"anonymous", "", func(w want) int { return w.anonymous }},
		{"member", o.member, func(w want) int { return w.member }},
		{"admin", o.admin, func(w want) int { return w.admin }},
		{"owner", o.owner, func(w want) int { return w.owner }},
		{"owner of another org", o.otherOwner, func(w want) int { return w.otherOwner }},
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
				if rec := h.do(r); rec.Code != who.pick(tc.want) {
					t.Fatalf("%s %s as %s: %d, want %d; %s", tc.method, r.path, who.name, rec.Code, who.pick(tc.want), rec.Body.String())
				}
			})
		}
	}
	// The other organization's invitation was left alone by all of that.
	if inv, err := h.store.GetInvitation(context.Background(), uuid.MustParse(foreign)); err != nil || inv.Status != models.InvitationPending || inv.ResendCount != 0 {
		t.Errorf("foreign invitation = %+v, %v; want untouched", inv, err)
	}
}

// The accept page names what the invitation is to, for both kinds, and
// says what the visitor can do. No workflow is needed to render it: the
// token is mailed straight through the store.
func TestAcceptPageNamesTarget(t *testing.T) {
	h := newHarness(t)
	o := newOrgSetup(t, h)
	tm := newTeam(t, h)
	ctx := context.Background()
	newUser(t, h, "page-invitee@example.com")
	mailToken := func(inv *models.Invitation) string {
		t.Helper()
		var token string
		if _, err := h.store.MailInvitationToken(ctx, inv.ID, 1, func(_ *models.Invitation, _ *models.InvitationTarget, tok string) error {
			token = tok
			return nil
		}); err != nil || token == "" {
			t.Fatalf("mail: %v", err)
		}
		return token
	}
	orgOut, err := h.store.CreateOrganizationInvitations(ctx, o.acme, o.ownerID, []string{"page-invitee@example.com"}, models.OrgRoleMember)
	if err != nil || orgOut[0].Invitation == nil {
		t.Fatalf("org invite: %+v %v", orgOut, err)
	}
	acctOut, err := h.store.CreateInvitations(ctx, tm.acme, userID(t, h, "dev@acme.test"), []string{"page-invitee@example.com"}, models.DevRoleMember)
	if err != nil || acctOut[0].Invitation == nil {
		t.Fatalf("account invite: %+v %v", acctOut, err)
	}
	orgToken, acctToken := mailToken(orgOut[0].Invitation), mailToken(acctOut[0].Invitation)
	invitee := h.login("page-invitee@example.com")

	for _, tc := range []struct {
		name, token, cookie string
		status              int
		want                []string
	}{
		{"organization, signed out", orgToken, "", 200, []string{"the organization <strong>Acme</strong> as <strong>member</strong>", "Sign in as page-invitee@example.com"}},
		{"organization, invitee", orgToken, invitee, 200, []string{"the organization <strong>Acme</strong>", `data-redirect="/organizations/` + o.acme.String() + `"`}},
		{"organization, someone else", orgToken, o.otherOwner, 403, []string{"the organization <strong>Acme</strong>", "sent to page-invitee@example.com"}},
		{"developer account, invitee", acctToken, invitee, 200, []string{"the developer account <strong>Acme Labs</strong> <code>acme-labs</code>", `data-redirect="/developer-accounts/` + tm.acme.String() + `"`}},
		{"unknown link", "asi_nonsense", invitee, 404, []string{"not valid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.do(req{method: "GET", path: "/invitations/accept?token=" + urlEscape(tc.token), cookie: tc.cookie})
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d:\n%s", rec.Code, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
		})
	}
}
