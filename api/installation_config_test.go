package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

// testAppSettingsSchema is the settings schema of the installed test app.
func testAppSettingsSchema() models.JSONMap {
	return models.JSONMap{
		"$schema": models.SettingsSchemaDraft,
		"type":    "object",
		"properties": map[string]any{
			"organization": map[string]any{
				"type":     "object",
				"required": []any{"region"},
				"x-order":  []any{"region", "seats", "api_url", "notify", "limits"},
				"properties": map[string]any{
					"region": map[string]any{"type": "string", "title": "Region", "enum": []any{"eu", "us"},
						"x-enum-labels": []any{"Europe", "United States"}, "description": "Where your data lives"},
					"seats":   map[string]any{"type": "integer", "title": "Seats", "minimum": 1, "maximum": 500},
					"api_url": map[string]any{"type": "string", "title": "API URL", "pattern": "^https://", "maxLength": 200},
					"notify":  map[string]any{"type": "boolean", "title": "Send notifications"},
					"limits": map[string]any{"type": "object", "title": "Limits", "properties": map[string]any{
						"daily": map[string]any{"type": "integer", "title": "Daily", "minimum": 0}}},
				},
			},
			"user": map[string]any{"type": "object", "properties": map[string]any{
				"theme": map[string]any{"type": "string", "title": "Theme", "enum": []any{"light", "dark"}},
			}},
		},
	}
}

// installed is an app installed in the seeded organization Acme, and the
// people around it.
type installed struct {
	h                 *harness
	org, other        uuid.UUID // Acme; Acme Sandbox
	inst, otherInst   uuid.UUID // the installation; one in Acme Sandbox
	app               uuid.UUID
	base              string // API path of the installation
	admin, noAccess   uuid.UUID
	memberID, ownerID uuid.UUID
}

// installTestApp creates, straight in the database, a published production
// deployment with testAppSettingsSchema, its installation in Acme and in
// Acme Sandbox, an api_key connection "stripe", and access rows for the
// owner and member@acme.test. It adds an Acme admin without access and a
// member without access.
func installTestApp(t *testing.T, h *harness) *installed {
	t.Helper()
	ctx := context.Background()
	withEncryption(t, h)
	db := h.store.Gorm()
	var acct models.DeveloperAccount
	if err := db.Where("slug = ?", "acme-labs").First(&acct).Error; err != nil {
		t.Fatal(err)
	}
	app, err := h.store.CreateApp(ctx, acct.ID, "settings-test-"+uuid.NewString()[:6], "Settings Test")
	if err != nil {
		t.Fatal(err)
	}
	orgID := func(name string) uuid.UUID {
		var o models.Organization
		if err := db.Where("name = ?", name).First(&o).Error; err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	in := &installed{h: h, org: orgID("Acme"), other: orgID("Acme Sandbox"), app: app.ID,
		ownerID: userID(t, h, "owner@acme.test"), memberID: userID(t, h, "member@acme.test")}
	version, now := "1.0.0", time.Now().UTC()
	dep := &models.Deployment{ID: uuid.Must(uuid.NewV7()), AppID: app.ID, Type: models.DeploymentProduction, Version: &version,
		SettingsSchema: testAppSettingsSchema(), Environment: models.JSONMap{}, Metadata: models.JSONMap{},
		Status: models.DeploymentPublished, PublishedAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := db.Create(dep).Error; err != nil {
		t.Fatal(err)
	}
	install := func(org uuid.UUID) uuid.UUID {
		inst := &models.Installation{ID: uuid.Must(uuid.NewV7()), AppID: app.ID, OrganizationID: org, Type: models.DeploymentProduction,
			DeploymentID: dep.ID, Status: models.InstallationActive, Generation: 1, InstalledBy: &in.ownerID, InstalledAt: now}
		if err := db.Create(inst).Error; err != nil {
			t.Fatal(err)
		}
		return inst.ID
	}
	in.inst, in.otherInst = install(in.org), install(in.other)
	for _, u := range []uuid.UUID{in.ownerID, in.memberID} {
		if err := db.Exec(`INSERT INTO app_permissions (installation_id, user_id, can_access, is_admin, granted_by) VALUES (?, ?, true, ?, ?)`,
			in.inst, u, u == in.ownerID, in.ownerID).Error; err != nil {
			t.Fatal(err)
		}
	}
	in.admin = newUser(t, h, "org-admin-"+uuid.NewString()[:6]+"@acme.test")
	in.noAccess = newUser(t, h, "no-access-"+uuid.NewString()[:6]+"@acme.test")
	for u, role := range map[uuid.UUID]models.OrganizationRole{in.admin: models.OrgRoleAdmin, in.noAccess: models.OrgRoleMember} {
		if err := h.store.AddOrganizationMember(ctx, in.org, u, role); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.store.CreateConnectionDefinition(ctx, app.ID, models.ConnectionDefinitionInput{
		Key: "stripe", Type: models.ConnectionAPIKey, DisplayName: "Stripe key", Required: true}); err != nil {
		t.Fatal(err)
	}
	in.base = "/api/v1/organizations/" + in.org.String() + "/installations/" + in.inst.String()
	return in
}

func emailOf(t *testing.T, h *harness, id uuid.UUID) string {
	t.Helper()
	u, err := h.store.GetUser(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.Email
}

func TestInstallationConfigAuthorization(t *testing.T) {
	h := newHarness(t)
	in := installTestApp(t, h)
	outsider := newUser(t, h, "outsider-"+uuid.NewString()[:6]+"@example.com")
	sessions := map[string]string{
		"owner":     h.login("owner@acme.test"),
		"admin":     h.login(emailOf(t, h, in.admin)),
		"access":    h.login("member@acme.test"),
		"no-access": h.login(emailOf(t, h, in.noAccess)),
		"outsider":  h.login(emailOf(t, h, outsider)),
		"other-org": h.login("dev@acme.test"), // admin of Acme Sandbox only
	}
	target := newUser(t, h, "target-"+uuid.NewString()[:6]+"@acme.test")
	if err := h.store.AddOrganizationMember(context.Background(), in.org, target, models.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	orgValues := map[string]any{"values": map[string]any{"region": "eu"}}
	userValues := map[string]any{"values": map[string]any{"theme": "dark"}}
	type route struct {
		method, path string
		body         any
	}
	routes := map[string]route{
		"get org settings":   {"GET", in.base + "/settings?scope=organization", nil},
		"put org settings":   {"PUT", in.base + "/settings?scope=organization", orgValues},
		"get user settings":  {"GET", in.base + "/settings?scope=user", nil},
		"put user settings":  {"PUT", in.base + "/settings?scope=user", userValues},
		"list connections":   {"GET", in.base + "/connections", nil},
		"put connection":     {"PUT", in.base + "/connections/stripe", map[string]string{"value": "sk_test_1"}},
		"delete connection":  {"DELETE", in.base + "/connections/stripe", nil},
		"list permissions":   {"GET", in.base + "/permissions", nil},
		"patch a permission": {"PATCH", in.base + "/permissions/" + target.String(), map[string]bool{"can_access": true}},
	}
	ok := func(r string) int {
		switch {
		case strings.HasPrefix(r, "delete"):
			return http.StatusNoContent
		}
		return http.StatusOK
	}
	// want[route][who]: 0 means ok(route).
	const F, N = http.StatusForbidden, http.StatusNotFound
	want := map[string]map[string]int{
		"get org settings":   {"owner": 0, "admin": 0, "access": 0, "no-access": F, "outsider": N, "other-org": N},
		"put org settings":   {"owner": 0, "admin": 0, "access": F, "no-access": F, "outsider": N, "other-org": N},
		"get user settings":  {"owner": 0, "admin": F, "access": 0, "no-access": F, "outsider": N, "other-org": N},
		"put user settings":  {"owner": 0, "admin": F, "access": 0, "no-access": F, "outsider": N, "other-org": N},
		"list connections":   {"owner": 0, "admin": 0, "access": F, "no-access": F, "outsider": N, "other-org": N},
		"put connection":     {"owner": 0, "admin": 0, "access": F, "no-access": F, "outsider": N, "other-org": N},
		"delete connection":  {"owner": 0, "admin": 0, "access": F, "no-access": F, "outsider": N, "other-org": N},
		"list permissions":   {"owner": 0, "admin": 0, "access": F, "no-access": F, "outsider": N, "other-org": N},
		"patch a permission": {"owner": 0, "admin": 0, "access": F, "no-access": F, "outsider": N, "other-org": N},
	}
	for name, r := range routes {
		for who, status := range want[name] {
			t.Run(name+"/"+who, func(t *testing.T) {
				if status == 0 {
					status = ok(name)
				}
				rec := h.do(req{method: r.method, path: r.path, body: r.body, cookie: sessions[who]})
				wantStatus(t, rec, status)
				if status == N && !strings.Contains(rec.Body.String(), "installation_not_found") {
					t.Fatalf("404 body %s", rec.Body.String())
				}
			})
		}
		// Cross-organization: the owner of both organizations names Acme
		// with Acme Sandbox's installation.
		t.Run(name+"/cross-organization", func(t *testing.T) {
			path := strings.Replace(r.path, in.inst.String(), in.otherInst.String(), 1)
			rec := h.do(req{method: r.method, path: path, body: r.body, cookie: sessions["owner"]})
			wantProblem(t, rec, N, "installation_not_found")
		})
	}
	// Unauthenticated callers are refused before anything else.
	wantStatus(t, h.do(req{method: "GET", path: in.base + "/permissions"}), http.StatusUnauthorized)
}

func TestInstallationSettingsAPI(t *testing.T) {
	h := newHarness(t)
	in := installTestApp(t, h)
	owner := h.login("owner@acme.test")
	path := in.base + "/settings?scope=organization"

	rec := h.do(req{method: "PUT", path: path, cookie: owner, body: map[string]any{"values": map[string]any{
		"region": "asia", "seats": 0, "api_url": "http://x", "limits": map[string]any{"daily": -1}}}})
	p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_settings")
	got := map[string]string{}
	for _, e := range p.Errors {
		got[e.Field] = e.Message
	}
	wantErrs := map[string]string{
		"organization.region":       "must be one of eu, us",
		"organization.seats":        "must be at least 1",
		"organization.api_url":      "must match the pattern ^https://",
		"organization.limits.daily": "must be at least 0",
	}
	for f, m := range wantErrs {
		if got[f] != m {
			t.Errorf("%s: %q, want %q (all: %v)", f, got[f], m, got)
		}
	}
	var n int64
	h.store.Gorm().Table("app_settings").Count(&n)
	if n != 0 {
		t.Fatalf("%d settings saved from a refused request", n)
	}

	rec = h.do(req{method: "PUT", path: path, cookie: owner, body: map[string]any{"values": map[string]any{
		"region": "us", "seats": 12, "notify": true, "limits": map[string]any{"daily": 3}}}})
	wantStatus(t, rec, http.StatusOK)
	rec = h.do(req{method: "GET", path: path, cookie: h.login("member@acme.test")})
	wantStatus(t, rec, http.StatusOK)
	var st models.Settings
	decode(t, rec, &st)
	if st.Values["region"] != "us" || st.Values["seats"] != float64(12) || st.Values["notify"] != true || st.Schema["properties"] == nil {
		t.Fatalf("settings %+v", st)
	}
	wantProblem(t, h.do(req{method: "GET", path: in.base + "/settings?scope=team", cookie: owner}), http.StatusUnprocessableEntity, "invalid_scope")
}

func TestConnectionValuesAreWriteOnly(t *testing.T) {
	h := newHarness(t)
	in := installTestApp(t, h)
	owner := h.login("owner@acme.test")
	const secret = "sk_live_never_shown_again_123"

	wantProblem(t, h.do(req{method: "PUT", path: in.base + "/connections/stripe", cookie: owner, body: map[string]string{}}),
		http.StatusUnprocessableEntity, "invalid_connection_value")
	rec := h.do(req{method: "PUT", path: in.base + "/connections/stripe", cookie: owner, body: map[string]string{"value": secret}})
	wantStatus(t, rec, http.StatusOK)
	bodies := []string{rec.Body.String()}
	rec = h.do(req{method: "GET", path: in.base + "/connections", cookie: owner})
	wantStatus(t, rec, http.StatusOK)
	bodies = append(bodies, rec.Body.String())
	var list struct {
		Connections []map[string]any `json:"connections"`
	}
	decode(t, rec, &list)
	if len(list.Connections) != 1 || list.Connections[0]["is_set"] != true || list.Connections[0]["key"] != "stripe" {
		t.Fatalf("connections %+v", list)
	}
	for k := range list.Connections[0] {
		switch k {
		case "key", "display_name", "type", "required", "is_set", "updated_at":
		default:
			t.Errorf("unexpected field %q", k)
		}
	}
	// Nor does the page, the event log, or the database in clear.
	page := h.do(req{method: "GET", path: "/organizations/" + in.org.String() + "/installations/" + in.inst.String() + "/connections", cookie: owner})
	wantStatus(t, page, http.StatusOK)
	bodies = append(bodies, page.Body.String())
	events := h.do(req{method: "GET", path: "/api/v1/events?type=connection_value.updated", cookie: owner})
	bodies = append(bodies, events.Body.String())
	for _, b := range bodies {
		if strings.Contains(b, secret) {
			t.Fatalf("secret in a response: %s", b)
		}
	}
	if !strings.Contains(page.Body.String(), ">set<") {
		t.Fatalf("page does not say set: %s", page.Body.String())
	}
	var sealed []byte
	h.store.Gorm().Raw(`SELECT ciphertext FROM connection_values`).Scan(&sealed)
	if len(sealed) == 0 || bytes.Contains(sealed, []byte(secret)) {
		t.Fatalf("database holds %q", sealed)
	}

	wantStatus(t, h.do(req{method: "DELETE", path: in.base + "/connections/stripe", cookie: owner}), http.StatusNoContent)
	rec = h.do(req{method: "GET", path: in.base + "/connections", cookie: owner})
	decode(t, rec, &list)
	if list.Connections[0]["is_set"] != false {
		t.Fatalf("after delete %+v", list)
	}
	wantProblem(t, h.do(req{method: "PUT", path: in.base + "/connections/nope", cookie: owner, body: map[string]string{"value": "x"}}),
		http.StatusNotFound, "connection_not_found")
}

func TestInstallationPermissionsAPI(t *testing.T) {
	h := newHarness(t)
	in := installTestApp(t, h)
	owner := h.login("owner@acme.test")
	rec := h.do(req{method: "GET", path: in.base + "/permissions", cookie: owner})
	wantStatus(t, rec, http.StatusOK)
	var list struct {
		Permissions []models.MemberPermission `json:"permissions"`
	}
	decode(t, rec, &list)
	byUser := map[uuid.UUID]models.MemberPermission{}
	for _, p := range list.Permissions {
		byUser[p.UserID] = p
	}
	if len(byUser) != 4 || !byUser[in.memberID].CanAccess || byUser[in.noAccess].CanAccess || byUser[in.noAccess].GrantedAt != nil ||
		!byUser[in.ownerID].IsAdmin {
		t.Fatalf("permissions %+v", list.Permissions)
	}

	member := h.login("member@acme.test")
	wantStatus(t, h.do(req{method: "GET", path: in.base + "/settings?scope=user", cookie: member}), http.StatusOK)
	rec = h.do(req{method: "PATCH", path: in.base + "/permissions/" + in.memberID.String(), cookie: owner, body: map[string]bool{"can_access": false}})
	wantStatus(t, rec, http.StatusOK)
	wantProblem(t, h.do(req{method: "GET", path: in.base + "/settings?scope=user", cookie: member}), http.StatusForbidden, "app_access_required")

	outsider := newUser(t, h, "not-a-member-"+uuid.NewString()[:6]+"@example.com")
	wantProblem(t, h.do(req{method: "PATCH", path: in.base + "/permissions/" + outsider.String(), cookie: owner, body: map[string]bool{"can_access": true}}),
		http.StatusNotFound, "member_not_found")
	wantProblem(t, h.do(req{method: "PATCH", path: in.base + "/permissions/" + in.memberID.String(), cookie: owner, body: map[string]any{}}),
		http.StatusUnprocessableEntity, "invalid_permission")
}
