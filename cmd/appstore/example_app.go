package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"appstore/models/postgres"
)

// runExampleApp runs examples/crm-app at EXAMPLE_APP_URL as a process of
// its own until ctx ends, so that a newcomer can install it and open it
// with single sign-on; the platform binary does not contain it. It is built
// from this checkout into DATA_DIR/bin first. Its webhook secret is the one
// the platform signs with for the app whose webhook URL is under
// EXAMPLE_APP_URL (the demo catalog's crm), read from the database at every
// start and written to EXAMPLE_APP_WEBHOOK_SECRET_FILE, the file
// `appstore seed` writes when it makes the secret.
func runExampleApp(ctx context.Context, cfg *Config, store *postgres.Store, out io.Writer) error {
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
	bin, err := buildExampleApp(ctx, cfg)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "-addr", net.JoinHostPort(host, port), "-public-url", cfg.ExampleAppURL,
		"-issuer", cfg.BaseURL.String(), "-webhook-secret-file", secretFile, "-data-dir", dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr // beside the platform's own log
	// Ctrl-C reaches it as an interrupt, so it drains like the platform.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("example app: %w", err)
	}
	return nil
}

// buildExampleApp compiles examples/crm-app of the module this binary runs
// in (found by `go env GOMOD`, so any directory of the checkout works) and
// returns the binary's path.
func buildExampleApp(ctx context.Context, cfg *Config) (string, error) {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		return "", fmt.Errorf("the example app is built from the source checkout: run appstore dev inside it (or pass --no-example-app)")
	}
	if _, err := os.Stat(filepath.Join(root, "examples", "crm-app", "main.go")); err != nil {
		return "", fmt.Errorf("examples/crm-app not found under %s (pass --no-example-app): %w", root, err)
	}
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dataDir, "bin", "crm-app")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/crm-app")
	build.Dir = root
	if msg, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build examples/crm-app: %w\n%s", err, msg)
	}
	return bin, nil
}

func writeExampleWebhookSecret(ctx context.Context, cfg *Config, store *postgres.Store, path string) error {
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
