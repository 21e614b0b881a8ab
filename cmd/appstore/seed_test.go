package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// `appstore seed` adds the catalog, hands the crm app's webhook secret to
// the example app through the file once, and a second run changes nothing.
func TestSeedCatalogCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, err := LoadConfig(lookupFrom(map[string]string{"DATA_DIR": dir, "EXAMPLE_APP_URL": "http://127.0.0.1:8090/"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "example-app-webhook-secret"); cfg.ExampleAppWebhookSecretFile != want || cfg.ExampleAppURL != "http://127.0.0.1:8090" {
		t.Fatalf("secret file %q url %q", cfg.ExampleAppWebhookSecretFile, cfg.ExampleAppURL)
	}
	enc, err := models.NewEncrypter(cfg.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(pgtest.New(t))
	store.SetEncrypter(enc)
	ctx := context.Background()

	var out bytes.Buffer
	if err := seed(ctx, cfg, store, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	raw, err := os.ReadFile(cfg.ExampleAppWebhookSecretFile)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(string(raw))
	if !strings.HasPrefix(secret, models.WebhookSecretPrefix) || strings.Contains(out.String(), secret) {
		t.Fatalf("secret file holds %d bytes; output mentions it: %v", len(secret), strings.Contains(out.String(), secret))
	}
	if fi, _ := os.Stat(cfg.ExampleAppWebhookSecretFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(out.String(), "seeded listing crm published") {
		t.Errorf("output lacks the catalog:\n%s", out.String())
	}

	out.Reset()
	if err := seed(ctx, cfg, store, &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "demo data already present; nothing to do" {
		t.Fatalf("second run said %q", got)
	}
	if again, _ := os.ReadFile(cfg.ExampleAppWebhookSecretFile); string(again) != string(raw) {
		t.Fatal("second run rewrote the secret file")
	}

	prod := *cfg
	prod.Env = "production"
	if err := seed(ctx, &prod, store, &out); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("production seed: %v", err)
	}
}
