package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"appstore/examples/crm-app/crmapp"
	"appstore/models"
)

// runExampleApp serves examples/crm-app at EXAMPLE_APP_URL until ctx ends,
// so that a newcomer can install it and open it with single sign-on. Its
// webhook secret is the one the platform signs with for the app whose
// webhook URL is under EXAMPLE_APP_URL (the demo catalog's crm), read from
// the database at every start and written to EXAMPLE_APP_WEBHOOK_SECRET_FILE,
// the file `appstore seed` writes when it makes the secret.
func runExampleApp(ctx context.Context, cfg *Config, store *models.Store, out io.Writer) error {
	u, err := url.Parse(cfg.ExampleAppURL)
	if err != nil {
		return fmt.Errorf("EXAMPLE_APP_URL: %w", err)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	dir := filepath.Join(cfg.DataDir, "crm-app")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	secretFile := cfg.ExampleAppWebhookSecretFile
	if err := writeExampleWebhookSecret(ctx, cfg, store, secretFile); err != nil {
		fmt.Fprintf(out, "Example app: %v; its webhooks are refused until %s holds the app's whsec_ secret.\n", err, secretFile)
	}
	return crmapp.Run(ctx, crmapp.Config{
		Addr: net.JoinHostPort(host, port), PublicURL: cfg.ExampleAppURL, Issuer: cfg.BaseURL.String(),
		WebhookSecretFile: secretFile, DataDir: dir, Log: newLogger(cfg).With("component", "example-app"),
	})
}

func writeExampleWebhookSecret(ctx context.Context, cfg *Config, store *models.Store, path string) error {
	var ids []string
	err := store.Gorm().WithContext(ctx).Raw("SELECT id::text FROM apps WHERE webhook_url LIKE ? ORDER BY created_at LIMIT 1",
		strings.NewReplacer("%", `\%`, "_", `\_`).Replace(cfg.ExampleAppURL)+"%").Scan(&ids).Error
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("no app has its webhook URL under %s", cfg.ExampleAppURL)
	}
	id, err := uuid.Parse(ids[0])
	if err != nil {
		return err
	}
	secret, err := store.AppWebhookSecret(ctx, id)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(secret+"\n"), 0o600)
}
