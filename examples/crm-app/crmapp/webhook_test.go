package crmapp

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"appstore/models"
)

const testSecret = "whsec_c2VjcmV0LWtleS1vZi10aGUtZXhhbXBsZS1hcHA="

func newTestApp(t *testing.T, issuer string) (*App, string) {
	t.Helper()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "webhook-secret")
	if err := os.WriteFile(secretFile, []byte(testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{PublicURL: "http://127.0.0.1:1", Issuer: issuer, WebhookSecretFile: secretFile, DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	return a, dir
}

// deliver posts body signed the way the Appstore signs (models.SignWebhook).
func deliver(t *testing.T, h http.Handler, secret, body string, ts time.Time) int {
	t.Helper()
	sig, err := models.SignWebhook(secret, "msg_1", ts, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewBufferString(body))
	req.Header.Set("webhook-id", "msg_1")
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", "v1,bm90LWl0 "+sig) // a stale signature first, as during a rotation
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestWebhookVerification(t *testing.T) {
	a, dir := newTestApp(t, "http://issuer.test")
	h := a.Handler()
	installed := `{"type":"app.installed","timestamp":"2026-01-01T00:00:00Z","data":{"installation_id":"i1","organization_id":"o1","client_id":"asc_1","client_secret":"ascs_1"}}`
	if code := deliver(t, h, testSecret, installed, time.Now()); code != http.StatusNoContent {
		t.Fatalf("valid app.installed: %d", code)
	}
	if in, ok := a.installs.get("i1"); !ok || in.ClientSecret != "ascs_1" || in.OrganizationID != "o1" {
		t.Fatalf("installation not stored: %+v", in)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "data", "installations.json"))
	if !strings.Contains(string(raw), "asc_1") {
		t.Fatalf("installations.json = %s", raw)
	}
	if again, _ := New(a.cfg); len(again.installs.list()) != 1 {
		t.Fatal("installations are not reloaded from the data dir")
	}
	rotated := `{"type":"secret.rotated","data":{"installation_id":"i1","client_id":"asc_1","client_secret":"ascs_2"}}`
	if code := deliver(t, h, testSecret, rotated, time.Now()); code != http.StatusNoContent {
		t.Fatalf("secret.rotated: %d", code)
	}
	if in, _ := a.installs.get("i1"); in.ClientSecret != "ascs_2" || in.OrganizationID != "o1" {
		t.Fatalf("after rotation: %+v", in)
	}
	// Refused: another key, a replay from long ago, a tampered body.
	if code := deliver(t, h, "whsec_b3RoZXIta2V5", rotated, time.Now()); code != http.StatusUnauthorized {
		t.Fatalf("wrong key: %d", code)
	}
	if code := deliver(t, h, testSecret, rotated, time.Now().Add(-time.Hour)); code != http.StatusUnauthorized {
		t.Fatalf("old timestamp: %d", code)
	}
	sig, _ := models.SignWebhook(testSecret, "msg_2", time.Now(), []byte(rotated))
	req := httptest.NewRequest(http.MethodPost, "/webhooks", strings.NewReader(strings.Replace(rotated, "ascs_2", "ascs_evil", 1)))
	req.Header.Set("webhook-id", "msg_2")
	req.Header.Set("webhook-timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("tampered body: %d", rec.Code)
	}
	if code := deliver(t, h, testSecret, `{"type":"app.uninstalled","data":{"installation_id":"i1"}}`, time.Now()); code != http.StatusNoContent {
		t.Fatalf("app.uninstalled: %d", code)
	}
	if _, ok := a.installs.get("i1"); ok {
		t.Fatal("uninstalled installation still known")
	}
}
