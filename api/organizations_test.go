package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

// orgSetup is Acme with an owner, an admin and a member, plus another
// organization owned by an outsider.
type orgSetup struct {
	acme                                   uuid.UUID
	owner, admin, member, otherOwner       string // sessions
	ownerID, adminID, memberID, outsiderID uuid.UUID
}

func newOrgSetup(t *testing.T, h *harness) *orgSetup {
	t.Helper()
	ctx := context.Background()
	o := &orgSetup{acme: orgID(t, h, "owner@acme.test", "Acme")}
	o.ownerID = userID(t, h, "owner@acme.test")
	o.memberID = userID(t, h, "member@acme.test")
	o.adminID = newUser(t, h, "orgadmin@acme.test")
	if err := h.store.AddOrganizationMember(ctx, o.acme, o.adminID, models.OrgRoleAdmin); err != nil {
		t.Fatal(err)
	}
	o.outsiderID = newUser(t, h, "outsider@example.com")
	if _, err := h.store.CreateOrganization(ctx, "Elsewhere", o.outsiderID); err != nil {
		t.Fatal(err)
	}
	o.owner, o.admin, o.member = h.login("owner@acme.test"), h.login("orgadmin@acme.test"), h.login("member@acme.test")
	o.otherOwner = h.login("outsider@example.com")
	return o
}

func TestOrganizationAuthorization(t *testing.T) {
	h := newHarness(t)
	o := newOrgSetup(t, h)
	acme := "/api/v1/organizations/" + o.acme.String()
	fresh := func(t *testing.T) string {
		id := newUser(t, h, "m-"+uuid.NewString()[:8]+"@acme.test")
		if err := h.store.AddOrganizationMember(context.Background(), o.acme, id, models.OrgRoleMember); err != nil {
			t.Fatal(err)
		}
		return id.String()
	}
	type want struct{ anonymous, member, admin, owner, otherOwner int }
	cases := []struct {
		name, method string
		path         func(*testing.T) string
		body         any
		want         want
	}{
		{"list mine", "GET", fixed("/api/v1/organizations"), nil, want{401, 200, 200, 200, 200}},
		{"create", "POST", fixed("/api/v1/organizations"), map[string]any{"name": "New Org"}, want{401, 201, 201, 201, 201}},
		{"view", "GET", fixed(acme), nil, want{401, 200, 200, 200, 404}},
		{"rename", "PATCH", fixed(acme), map[string]any{"name": "Acme"}, want{401, 403, 200, 200, 404}},
		{"list members", "GET", fixed(acme + "/members"), nil, want{401, 200, 200, 200, 404}},
		{"change a member's role", "PATCH", func(t *testing.T) string { return acme + "/members/" + fresh(t) }, map[string]any{"role": "admin"}, want{401, 403, 204, 204, 404}},
		{"remove a member", "DELETE", func(t *testing.T) string { return acme + "/members/" + fresh(t) }, nil, want{401, 403, 204, 204, 404}},
		{"change the owner's role", "PATCH", fixed(acme + "/members/" + o.ownerID.String()), map[string]any{"role": "member"}, want{401, 403, 403, 409, 404}},
		{"make someone owner", "PATCH", func(t *testing.T) string { return acme + "/members/" + fresh(t) }, map[string]any{"role": "owner"}, want{401, 403, 403, 204, 404}},
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
				r := req{method: tc.method, path: tc.path(t), body: tc.body, cookie: who.session}
				if who.session == "" && tc.method != "GET" {
					r.headers = map[string]string{"Origin": testOrigin}
				}
				if rec := h.do(r); rec.Code != who.pick(tc.want) {
					t.Fatalf("%s %s as %s: %d, want %d; %s", tc.method, r.path, who.name, rec.Code, who.pick(tc.want), rec.Body.String())
				}
			})
		}
	}
}

func TestOrganizationOwnershipRules(t *testing.T) {
	h := newHarness(t)
	o := newOrgSetup(t, h)
	acme := "/api/v1/organizations/" + o.acme.String()
	// The last owner can neither leave, be removed, nor be demoted.
	wantProblem(t, h.do(req{method: "POST", path: acme + "/leave", cookie: o.owner, body: map[string]any{}}), 409, "last_owner")
	wantProblem(t, h.do(req{method: "PATCH", path: acme + "/members/" + o.ownerID.String(), cookie: o.owner, body: map[string]any{"role": "admin"}}), 409, "last_owner")
	// With a second owner, the first may step down.
	wantStatus(t, h.do(req{method: "PATCH", path: acme + "/members/" + o.adminID.String(), cookie: o.owner, body: map[string]any{"role": "owner"}}), 204)
	wantStatus(t, h.do(req{method: "PATCH", path: acme + "/members/" + o.ownerID.String(), cookie: o.owner, body: map[string]any{"role": "member"}}), 204)
	role, err := h.store.OrganizationRole(context.Background(), o.acme, o.ownerID)
	if err != nil || role != models.OrgRoleMember {
		t.Fatalf("after stepping down: %v %v", role, err)
	}
	// A member leaves; the organization disappears from their list.
	wantStatus(t, h.do(req{method: "POST", path: acme + "/leave", cookie: o.member, body: map[string]any{}}), http.StatusNoContent)
	rec := h.do(req{method: "GET", path: "/api/v1/organizations", cookie: o.member})
	var list struct {
		Organizations []struct{ Name string } `json:"organizations"`
	}
	decode(t, rec, &list)
	for _, org := range list.Organizations {
		if org.Name == "Acme" {
			t.Fatal("the member still lists Acme after leaving")
		}
	}
	wantProblem(t, h.do(req{method: "PATCH", path: acme, cookie: o.admin, body: map[string]any{"name": ""}}), 422, "invalid_organization_name")
	for _, typ := range []string{"organization.member_role_changed", "organization.member_left"} {
		var n int64
		h.store.Gorm().Model(&models.Event{}).Where("type = ? AND organization_id = ?", typ, o.acme).Count(&n)
		if n == 0 {
			t.Errorf("no %s event", typ)
		}
	}
}
