package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// `appstore dev` serves the example app with the webhook secret of the
// catalog app whose webhook URL points at it.
func TestDevRunsTheExampleApp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := postgres.NewStore(pgtest.New(t))
	enc, _ := models.NewEncrypter([]byte("0123456789abcdef0123456789abcdef"))
	store.SetEncrypter(enc)
	store.SetURLRules(models.DevelopmentURLRules()) // as appstore dev runs
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, err := LoadConfig(lookupFrom(map[string]string{"EXAMPLE_APP_URL": "http://" + addr, "DATA_DIR": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	var acct string
	store.Gorm().Raw("SELECT id::text FROM developer_accounts WHERE slug = 'acme-labs'").Scan(&acct)
	app, err := store.CreateApp(ctx, mustUUID(t, acct), "example-crm", "Example CRM")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := store.SetAppWebhookURL(ctx, app.ID, cfg.ExampleAppURL+"/webhooks")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- runExampleApp(ctx, cfg, store, io.Discard) }()
	var resp *http.Response
	// The first start compiles the example app: allow for it.
	for i := 0; i < 1800; i++ {
		if resp, err = http.Get(cfg.ExampleAppURL + "/"); err == nil {
			break
		}
		select {
		case runErr := <-done:
			t.Fatalf("example app ended before serving: %v", runErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatalf("example app not serving: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Example CRM") {
		t.Fatalf("example app page: %s", b)
	}
	written, err := os.ReadFile(cfg.ExampleAppWebhookSecretFile)
	if err != nil || strings.TrimSpace(string(written)) != secret {
		t.Fatalf("webhook secret file: %q %v", written, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("example app: %v", err)
	}
}

func mustUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
