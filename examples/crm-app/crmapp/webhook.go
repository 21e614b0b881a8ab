package crmapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// webhookTolerance is how far webhook-timestamp may be from now; older
// messages are replays.
const webhookTolerance = 5 * time.Minute

var errBadSignature = errors.New("webhook signature does not verify")

// verifyWebhook checks a Standard Webhooks message: HMAC-SHA256 over
// "id.timestamp.body" with the base64 key after "whsec_", compared in
// constant time with each "v1,<base64>" signature of the header.
func verifyWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(secret), "whsec_"))
	if err != nil || len(key) == 0 {
		return errors.New("the webhook secret is not whsec_ followed by base64")
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errBadSignature
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > webhookTolerance || d < -webhookTolerance {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(sigs) {
		version, value, _ := strings.Cut(sig, ",")
		got, err := base64.StdEncoding.DecodeString(value)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errBadSignature
}

// event is the body the Appstore sends.
type event struct {
	Type string    `json:"type"`
	Data eventData `json:"data"`
}

type eventData struct {
	InstallationID string `json:"installation_id"`
	OrganizationID string `json:"organization_id"`
	ClientID       string `json:"client_id"`
	ClientSecret   string `json:"client_secret"`
}

// webhooks receives install, rotation and uninstall events.
func (a *App) webhooks(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	// Read on every delivery, so the secret file can be written or
	// replaced while the app runs.
	secret, err := os.ReadFile(a.cfg.WebhookSecretFile)
	if err != nil {
		a.log.Error("webhook secret unreadable; refusing webhooks", "file", a.cfg.WebhookSecretFile, "err", err)
		http.Error(w, "webhook secret not configured", http.StatusServiceUnavailable)
		return
	}
	if err := verifyWebhook(string(secret), r.Header, body, time.Now()); err != nil {
		a.log.Warn("webhook refused", "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	var ev event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch ev.Type {
	case "app.installed", "secret.rotated":
		d := ev.Data
		if d.InstallationID == "" || d.ClientID == "" || d.ClientSecret == "" {
			http.Error(w, "event lacks installation credentials", http.StatusBadRequest)
			return
		}
		err = a.installs.put(Installation{ID: d.InstallationID, OrganizationID: d.OrganizationID, ClientID: d.ClientID, ClientSecret: d.ClientSecret})
	case "app.uninstalled":
		err = a.installs.remove(ev.Data.InstallationID)
	}
	if err != nil {
		a.log.Error("webhook", "type", ev.Type, "err", err)
		http.Error(w, "could not store", http.StatusInternalServerError)
		return
	}
	a.log.Info("webhook", "type", ev.Type, "installation", ev.Data.InstallationID)
	w.WriteHeader(http.StatusNoContent)
}
