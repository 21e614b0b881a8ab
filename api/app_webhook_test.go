package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

func TestAppWebhookSecretShownOnceAndStaffFlags(t *testing.T) {
	h := newHarness(t)
	enc, err := models.NewEncrypter([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	h.store.SetEncrypter(enc)
	tm := newTeam(t, h)
	app, err := h.store.CreateApp(context.Background(), tm.acme, "hooked", "Hooked")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/apps/" + app.ID.String()

	// Who may set it.
	for _, tc := range []struct {
		who    string
		cookie string
		want   int
	}{{"anonymous", "", 401}, {"member", tm.member, 403}, {"admin of another account", tm.outsider, 404}} {
		r := req{method: "PUT", path: path + "/webhook", cookie: tc.cookie, body: map[string]any{"webhook_url": "https://hooks.example.com/a"}}
		if tc.cookie == "" {
			r.headers = map[string]string{"Origin": testOrigin}
		}
		if rec := h.do(r); rec.Code != tc.want {
			t.Fatalf("%s: %d, want %d", tc.who, rec.Code, tc.want)
		}
	}
	wantProblem(t, h.do(req{method: "PUT", path: path + "/webhook", cookie: tm.admin, body: map[string]any{"webhook_url": "not a url"}}), 422, "invalid_webhook_url")

	// First set: the secret, once; stored encrypted, decryptable for signing.
	rec := h.do(req{method: "PUT", path: path + "/webhook", cookie: tm.admin, body: map[string]any{"webhook_url": "https://hooks.example.com/a"}})
	wantStatus(t, rec, http.StatusOK)
	var first struct {
		SigningSecret string `json:"signing_secret"`
	}
	decode(t, rec, &first)
	if !strings.HasPrefix(first.SigningSecret, models.WebhookSecretPrefix) {
		t.Fatalf("signing secret %q", first.SigningSecret)
	}
	if got, err := h.store.AppWebhookSecret(context.Background(), app.ID); err != nil || got != first.SigningSecret {
		t.Fatalf("stored secret = %q, %v", got, err)
	}
	var raw []byte
	h.store.Gorm().Raw("SELECT webhook_secret_ciphertext FROM apps WHERE id = ?", app.ID).Scan(&raw)
	if len(raw) == 0 || strings.Contains(string(raw), strings.TrimPrefix(first.SigningSecret, models.WebhookSecretPrefix)) {
		t.Fatal("the signing secret is not stored encrypted")
	}
	// Later changes never show it again, and the app JSON never carries it.
	rec = h.do(req{method: "PUT", path: path + "/webhook", cookie: tm.admin, body: map[string]any{"webhook_url": "https://hooks.example.com/b"}})
	if strings.Contains(rec.Body.String(), "whsec_") {
		t.Fatalf("second save revealed a secret: %s", rec.Body.String())
	}
	if rec := h.do(req{method: "GET", path: path, cookie: tm.admin}); strings.Contains(rec.Body.String(), "whsec_") || strings.Contains(rec.Body.String(), "ciphertext") {
		t.Fatalf("app JSON reveals the secret: %s", rec.Body.String())
	}

	// Staff flags: only platform staff.
	staff := h.login("staff@appstore.test")
	wantProblem(t, h.do(req{method: "PATCH", path: path + "/staff", cookie: tm.admin, body: map[string]any{"verified": true}}), 403, "staff_required")
	rec = h.do(req{method: "PATCH", path: path + "/staff", cookie: staff, body: map[string]any{"verified": true, "is_first_party": true}})
	wantStatus(t, rec, http.StatusOK)
	got, _ := h.store.GetApp(context.Background(), app.ID)
	if !got.Verified || !got.IsFirstParty {
		t.Fatalf("staff flags not set: %+v", got)
	}
	wantStatus(t, h.do(req{method: "PATCH", path: "/api/v1/apps/" + uuid.NewString() + "/staff", cookie: staff, body: map[string]any{"verified": true}}), 404)
	for _, typ := range []string{"app.webhook_updated", "app.staff_flags_changed"} {
		var n int64
		h.store.Gorm().Model(&models.Event{}).Where("type = ? AND app_id = ?", typ, app.ID).Count(&n)
		if n == 0 {
			t.Errorf("no %s event", typ)
		}
	}
}
