// Command crm-app is an example third-party app of the Appstore: it
// receives install webhooks (Standard Webhooks, verified with its own code)
// and signs organization members in with OpenID Connect (authorization
// code + PKCE, zitadel/oidc's rp package). `appstore dev` runs it too.
//
//	go run ./examples/crm-app -issuer http://localhost:8080 -webhook-secret-file ./data/crm-app/webhook-secret
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"appstore/examples/crm-app/crmapp"
)

func main() {
	cfg := crmapp.Config{}
	flag.StringVar(&cfg.Addr, "addr", env("EXAMPLE_APP_ADDR", "127.0.0.1:8090"), "listen address (EXAMPLE_APP_ADDR)")
	flag.StringVar(&cfg.PublicURL, "public-url", env("EXAMPLE_APP_URL", "http://localhost:8090"), "the app's own URL as browsers reach it (EXAMPLE_APP_URL)")
	flag.StringVar(&cfg.Issuer, "issuer", env("APPSTORE_ISSUER", "http://localhost:8080"), "the Appstore's OpenID Connect issuer (APPSTORE_ISSUER)")
	flag.StringVar(&cfg.WebhookSecretFile, "webhook-secret-file", env("WEBHOOK_SECRET_FILE", ""), "file holding the app's whsec_ webhook secret (WEBHOOK_SECRET_FILE)")
	flag.StringVar(&cfg.DataDir, "data-dir", env("EXAMPLE_APP_DATA_DIR", "./data/crm-app"), "where installations are kept (EXAMPLE_APP_DATA_DIR)")
	flag.Parse()
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := crmapp.Run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "crm-app:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
