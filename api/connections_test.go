package api_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

// withEncryption gives h's store a random encryption key.
func withEncryption(t *testing.T, h *harness) {
	t.Helper()
	key := make([]byte, models.EncryptionKeySize)
	rand.Read(key)
	e, err := models.NewEncrypter(key)
	if err != nil {
		t.Fatal(err)
	}
	h.store.SetEncrypter(e)
}

// newConnection creates an api_key connection with a unique key in app.
func newConnection(t *testing.T, h *harness, app uuid.UUID) *models.ConnectionDefinition {
	t.Helper()
	d, err := h.store.CreateConnectionDefinition(context.Background(), app, models.ConnectionDefinitionInput{
		Key: "k_" + strings.ReplaceAll(uuid.NewString()[:8], "-", ""), Type: models.ConnectionAPIKey, DisplayName: "Key"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConnectionAuthorization(t *testing.T) {
	h := newHarness(t)
	withEncryption(t, h)
	tm := newTeam(t, h)
	app := newApp(t, h, tm.acme, models.AppUnpublished)
	otherApp := newApp(t, h, tm.acme, models.AppUnpublished)
	conns := "/api/v1/apps/" + app.ID.String() + "/connections"
	conn := conns + "/" + newConnection(t, h, app.ID).ID.String()
	fresh := func(t *testing.T) string { return conns + "/" + newConnection(t, h, app.ID).ID.String() }

	type want struct{ anonymous, member, admin, outsider int }
	cases := []struct {
		name, method string
		path         func(t *testing.T) string
		body         any
		want         want
	}{
		{"list", "GET", fixed(conns), nil, want{401, 200, 200, 404}},
		{"create", "POST", fixed(conns), map[string]any{"key": "authz", "type": "api_key", "display_name": "Authz"}, want{401, 403, 201, 404}},
		{"view", "GET", fixed(conn), nil, want{401, 200, 200, 404}},
		{"update", "PATCH", fixed(conn), map[string]any{"display_name": "Renamed"}, want{401, 403, 200, 404}},
		{"delete", "DELETE", fresh, nil, want{401, 403, 204, 404}},
		{"unknown connection", "GET", fixed(conns + "/" + uuid.NewString()), nil, want{401, 404, 404, 404}},
		{"malformed connection id", "GET", fixed(conns + "/nope"), nil, want{401, 404, 404, 404}},
		// A connection is reachable only through its own app.
		{"view through another app", "GET", func(t *testing.T) string {
			return "/api/v1/apps/" + otherApp.ID.String() + "/connections/" + newConnection(t, h, app.ID).ID.String()
		}, nil, want{401, 404, 404, 404}},
		{"delete through another app", "DELETE", func(t *testing.T) string {
			return "/api/v1/apps/" + otherApp.ID.String() + "/connections/" + newConnection(t, h, app.ID).ID.String()
		}, nil, want{401, 403, 404, 404}},
		{"unknown app", "GET", fixed("/api/v1/apps/" + uuid.NewString() + "/connections"), nil, want{401, 404, 404, 404}},
	}
	callers := []struct {
		name, session string
		pick          func(want) int
	}{
		{"anonymous", "", func(w want) int { return w.anonymous }},
		{"member", tm.member, func(w want) int { return w.member }},
		{"admin", tm.admin, func(w want) int { return w.admin }},
		{"admin of another account", tm.outsider, func(w want) int { return w.outsider }},
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

// wantNoSecret fails if body shows the secret or anything but its presence.
func wantNoSecret(t *testing.T, body []byte, secret string) {
	t.Helper()
	if strings.Contains(string(body), secret) || strings.Contains(string(body), `"client_secret"`) ||
		strings.Contains(string(body), "client_secret_encrypted") {
		t.Fatalf("response reveals the client secret: %s", body)
	}
}

func TestConnectionAPI(t *testing.T) {
	h := newHarness(t)
	withEncryption(t, h)
	tm := newTeam(t, h)
	app := newApp(t, h, tm.acme, models.AppUnpublished)
	conns := "/api/v1/apps/" + app.ID.String() + "/connections"
	const secret = "gh-client-secret-abcdef"

	rec := h.do(req{method: "POST", path: conns, cookie: tm.admin, body: map[string]any{
		"key": "github", "type": "oauth2", "display_name": "GitHub", "required": true,
		"authorize_url": "https://github.com/login/oauth/authorize", "token_url": "https://github.com/login/oauth/access_token",
		"scopes": []string{"repo", "read:user"}, "client_id": "Iv1.abc", "client_secret": secret}})
	wantStatus(t, rec, http.StatusCreated)
	wantNoSecret(t, rec.Body.Bytes(), secret)
	var created struct {
		models.ConnectionDefinition
		HasClientSecret bool `json:"has_client_secret"`
	}
	decode(t, rec, &created)
	if !created.HasClientSecret || !created.PKCE || created.Refresh != models.ConnectionRefreshToken || created.AppID != app.ID {
		t.Fatalf("created %s", rec.Body.String())
	}
	conn := conns + "/" + created.ID.String()
	if got, err := h.store.ConnectionClientSecret(context.Background(), app.ID, created.ID); err != nil || got != secret {
		t.Fatalf("stored secret %q, %v", got, err)
	}

	// Members read it, without the secret.
	rec = h.do(req{method: "GET", path: conn, cookie: tm.member})
	wantStatus(t, rec, http.StatusOK)
	wantNoSecret(t, rec.Body.Bytes(), secret)
	rec = h.do(req{method: "GET", path: conns, cookie: tm.member})
	wantStatus(t, rec, http.StatusOK)
	wantNoSecret(t, rec.Body.Bytes(), secret)
	var list struct {
		Connections []json.RawMessage `json:"connections"`
	}
	decode(t, rec, &list)
	if len(list.Connections) != 1 || !strings.Contains(string(list.Connections[0]), `"has_client_secret":true`) {
		t.Fatalf("list %s", rec.Body.String())
	}

	// Every broken rule is listed.
	p := wantProblem(t, h.do(req{method: "POST", path: conns, cookie: tm.admin, body: map[string]any{
		"key": "Bad Key", "type": "custom", "display_name": "", "fields": []map[string]any{{"key": "a", "label": "A"}, {"key": "a", "label": ""}}}}),
		http.StatusUnprocessableEntity, "invalid_connection")
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
	}
	slices.Sort(fields)
	if !slices.Equal(fields, []string{"display_name", "fields[1].key", "fields[1].label", "key"}) {
		t.Fatalf("errors %+v", p.Errors)
	}
	wantProblem(t, h.do(req{method: "POST", path: conns, cookie: tm.admin, body: map[string]any{
		"key": "github", "type": "api_key", "display_name": "Again"}}), http.StatusConflict, "connection_key_taken")
	wantProblem(t, h.do(req{method: "POST", path: conns, cookie: tm.admin, body: map[string]any{
		"key": "x_y", "type": "api_key", "display_name": "X", "has_client_secret": true}}), http.StatusUnprocessableEntity, "unknown_field")
	wantProblem(t, h.do(req{method: "PATCH", path: conn, cookie: tm.admin, body: map[string]any{"type": "api_key"}}),
		http.StatusUnprocessableEntity, "connection_immutable")

	// Update: a new secret replaces the old one; "" removes it.
	rec = h.do(req{method: "PATCH", path: conn, cookie: tm.admin, body: map[string]any{"key": "github", "display_name": "GitHub Enterprise", "client_secret": "rotated-secret"}})
	wantStatus(t, rec, http.StatusOK)
	wantNoSecret(t, rec.Body.Bytes(), "rotated-secret")
	if got, _ := h.store.ConnectionClientSecret(context.Background(), app.ID, created.ID); got != "rotated-secret" {
		t.Fatalf("secret after update %q", got)
	}
	rec = h.do(req{method: "PATCH", path: conn, cookie: tm.admin, body: map[string]any{"client_secret": ""}})
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `"has_client_secret":false`) {
		t.Fatalf("after removing the secret: %s", rec.Body.String())
	}

	rec = h.do(req{method: "DELETE", path: conn, cookie: tm.admin})
	wantStatus(t, rec, http.StatusNoContent)
	wantProblem(t, h.do(req{method: "GET", path: conn, cookie: tm.admin}), http.StatusNotFound, "connection_not_found")

	// Events carry the app, the account, the actor and the request.
	var events []models.Event
	if err := h.store.Gorm().Where("app_id = ? AND type LIKE 'connection.%'", app.ID).Order("created_at, id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	var types []models.EventType
	admin := userID(t, h, "dev@acme.test")
	for _, e := range events {
		types = append(types, e.Type)
		if e.ActorID == nil || *e.ActorID != admin || e.DeveloperAccountID == nil || *e.DeveloperAccountID != tm.acme ||
			e.RequestID == "" || !strings.HasPrefix(e.RequestPath, conns) {
			t.Errorf("event %s: actor %v account %v request %q %q", e.Type, e.ActorID, e.DeveloperAccountID, e.RequestID, e.RequestPath)
		}
		raw, _ := json.Marshal(e.Data)
		if strings.Contains(string(raw), "secret-") {
			t.Errorf("event %s holds a secret: %s", e.Type, raw)
		}
	}
	want := []models.EventType{models.EventConnectionCreated, models.EventConnectionUpdated, models.EventConnectionUpdated, models.EventConnectionDeleted}
	if !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
}

// Without ENCRYPTION_KEY the server still serves connections without
// secrets, and refuses to store a secret with a 500 that reveals nothing.
func TestConnectionAPIWithoutEncryptionKey(t *testing.T) {
	h := newHarness(t)
	tm := newTeam(t, h)
	app := newApp(t, h, tm.acme, models.AppUnpublished)
	conns := "/api/v1/apps/" + app.ID.String() + "/connections"
	wantStatus(t, h.do(req{method: "POST", path: conns, cookie: tm.admin, body: map[string]any{
		"key": "mailer", "type": "api_key", "display_name": "Mailer"}}), http.StatusCreated)
	p := wantProblem(t, h.do(req{method: "POST", path: conns, cookie: tm.admin, body: map[string]any{
		"key": "github", "type": "oauth2", "display_name": "GitHub", "client_secret": "s"}}), http.StatusInternalServerError, "internal")
	if strings.Contains(p.Detail, "ENCRYPTION_KEY") {
		t.Fatalf("internal detail leaked: %q", p.Detail)
	}
}
