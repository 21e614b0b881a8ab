package api_test

import (
	"context"
	"net/http"
	"testing"

	"appstore/models"
)

type inviteResults struct {
	Results []struct {
		Email      string `json:"email"`
		Result     string `json:"result"`
		Message    string `json:"message"`
		Invitation *struct {
			ID string `json:"id"`
		} `json:"invitation"`
	} `json:"results"`
}

// The whole life of invitations through the API, on the real workflow.
func TestInvitationLifecycle(t *testing.T) {
	h := newTeamHarness(t)
	tm := newTeam(t, h)
	acme := "/api/v1/developer-accounts/" + tm.acme.String()
	newcomer := newUser(t, h, "newcomer@example.com")

	// One request, several emails, each with its own answer.
	rec := h.do(req{method: "POST", path: acme + "/invitations", cookie: tm.admin, body: map[string]any{
		"emails": []string{"newcomer@example.com", "member@acme.test", "not an email", "second@example.com"}, "role": "member"}})
	wantStatus(t, rec, http.StatusOK)
	var res inviteResults
	decode(t, rec, &res)
	got := map[string]string{}
	for _, r := range res.Results {
		got[r.Email] = r.Result
	}
	if got["newcomer@example.com"] != "invited" || got["member@acme.test"] != "already_member" ||
		got["second@example.com"] != "invited" || len(res.Results) != 4 {
		t.Fatalf("outcomes = %+v", res.Results)
	}
	// Inviting again while pending is reported, not repeated.
	rec = h.do(req{method: "POST", path: acme + "/invitations", cookie: tm.admin, body: map[string]any{"emails": []string{"NEWCOMER@example.com"}, "role": "member"}})
	decode(t, rec, &res)
	if res.Results[0].Result != "already_invited" {
		t.Fatalf("re-invite = %+v", res.Results)
	}

	first := waitForMail(t, h, "newcomer@example.com", 1)
	var invID string
	invs, _ := h.store.ListPendingInvitations(context.Background(), tm.acme)
	for _, inv := range invs {
		if inv.Email == "newcomer@example.com" {
			invID = inv.ID.String()
		}
	}

	// Resend: a new link by mail, the old one dead, expiry moved.
	before, _ := h.store.FindInvitationByToken(context.Background(), first)
	rec = h.do(req{method: "POST", path: acme + "/invitations/" + invID + "/resend", cookie: tm.admin, body: map[string]any{}})
	wantStatus(t, rec, http.StatusOK)
	second := waitForMail(t, h, "newcomer@example.com", 2)
	if second == first {
		t.Fatal("resend mailed the same token")
	}
	after, err := h.store.FindInvitationByToken(context.Background(), second)
	if err != nil || !after.ExpiresAt.After(before.ExpiresAt) || after.ResendCount != 1 {
		t.Fatalf("after resend: %+v, %v", after, err)
	}

	newSession := h.login("newcomer@example.com")
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/invitations/accept", cookie: newSession, body: map[string]any{"token": first}}), 404, "invitation_not_found")
	// Someone else cannot use the link.
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/invitations/accept", cookie: tm.outsider, body: map[string]any{"token": second}}), 403, "invitation_email_mismatch")

	// The invitee accepts, twice: one membership, the same answer.
	for i := range 2 {
		rec = h.do(req{method: "POST", path: "/api/v1/invitations/accept", cookie: newSession, body: map[string]any{"token": second}})
		if rec.Code != http.StatusOK {
			t.Fatalf("accept #%d: %d %s", i+1, rec.Code, rec.Body.String())
		}
	}
	role, err := h.store.DeveloperAccountRole(context.Background(), tm.acme, newcomer)
	if err != nil || role != models.DevRoleMember {
		t.Fatalf("membership after accept: %v %v", role, err)
	}
	var accepted int64
	h.store.Gorm().Model(&models.Event{}).Where("type = ?", "invitation.accepted").Count(&accepted)
	if accepted != 1 {
		t.Fatalf("accepted events = %d, want 1", accepted)
	}
	// A finished invitation cannot be resent or cancelled.
	wantStatus(t, h.do(req{method: "POST", path: acme + "/invitations/" + invID + "/resend", cookie: tm.admin, body: map[string]any{}}), http.StatusConflict)

	// Cancel the other one: its link then says so.
	secondEmailToken := waitForMail(t, h, "second@example.com", 1)
	inv2, _ := h.store.FindInvitationByToken(context.Background(), secondEmailToken)
	rec = h.do(req{method: "POST", path: acme + "/invitations/" + inv2.ID.String() + "/cancel", cookie: tm.admin, body: map[string]any{}})
	wantStatus(t, rec, http.StatusOK)
	newUser(t, h, "second@example.com")
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/invitations/accept", cookie: h.login("second@example.com"), body: map[string]any{"token": secondEmailToken}}), 410, "invitation_cancelled")

	// Every step is in the event log, naming who did it.
	admin := userID(t, h, "dev@acme.test")
	for typ, actor := range map[string]any{"invitation.created": admin, "invitation.resent": admin,
		"invitation.accepted": newcomer, "invitation.cancelled": admin} {
		var n int64
		h.store.Gorm().Model(&models.Event{}).Where("type = ? AND actor_id = ? AND developer_account_id = ?", typ, actor, tm.acme).Count(&n)
		if n == 0 {
			t.Errorf("no %s event by %v in the account's log", typ, actor)
		}
	}
}

func TestLastAdminAndSlugs(t *testing.T) {
	h := newHarness(t)
	tm := newTeam(t, h)
	acme := "/api/v1/developer-accounts/" + tm.acme.String()
	devID := userID(t, h, "dev@acme.test").String()
	wantProblem(t, h.do(req{method: "PATCH", path: acme + "/members/" + devID, cookie: tm.admin, body: map[string]any{"role": "member"}}), 409, "last_admin")
	wantProblem(t, h.do(req{method: "POST", path: acme + "/leave", cookie: tm.admin, body: map[string]any{}}), 409, "last_admin")
	wantProblem(t, h.do(req{method: "PATCH", path: acme + "/members/" + devID, cookie: tm.admin, body: map[string]any{"role": "owner"}}), 422, "invalid_role")

	for _, tc := range []struct{ raw, slug, reason string }{
		{"  My New_App!! ", "my-new-app", ""},
		{"acme-labs", "acme-labs", "taken"},
		{"Admin", "admin", "reserved"},
		{"ab", "ab", "too_short"},
	} {
		rec := h.do(req{method: "GET", path: "/api/v1/developer-accounts/slug-availability?slug=" + urlEscape(tc.raw), cookie: tm.member})
		wantStatus(t, rec, http.StatusOK)
		var c models.SlugCheck
		decode(t, rec, &c)
		if c.Slug != tc.slug || c.Available != (tc.reason == "") || c.Reason != tc.reason {
			t.Errorf("slug %q: %+v", tc.raw, c)
		}
	}
	rec := h.do(req{method: "POST", path: "/api/v1/developer-accounts", cookie: tm.member, body: map[string]any{"slug": "Member Tools", "title": "Member Tools"}})
	wantStatus(t, rec, http.StatusCreated)
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/developer-accounts", cookie: tm.admin, body: map[string]any{"slug": "member-tools", "title": "Again"}}), 409, "slug_taken")
}
