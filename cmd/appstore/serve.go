package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"appstore/api"
	"appstore/api/oidcop"
	"appstore/api/runtime"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/web"
	wfclient "appstore/workflows/client"
)

func serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the API, web pages, /healthz, /readyz and /metrics",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withPlatform(cmd.Context(), func(p *platform) error {
				if err := p.refuseDemoPasswords(cmd.Context()); err != nil {
					return err
				}
				return p.serve(cmd.Context())
			})
		},
	}
}

// serve runs the HTTP server until ctx ends.
func (p *platform) serve(ctx context.Context) error {
	generations := api.NewSessionGenerations(p.store.SessionGenerations)
	if err := generations.Reload(ctx); err != nil {
		return fmt.Errorf("load session generations: %w", err)
	}
	enc, err := models.NewEncrypter(p.cfg.EncryptionKey)
	if err != nil {
		return fmt.Errorf("ENCRYPTION_KEY: %w", err)
	}
	provider, err := oidcop.New(oidcop.Config{Issuer: p.cfg.BaseURL.String(), KeyRotation: p.cfg.OIDCKeyRotation, DevMode: !p.cfg.Production()}, p.store, enc, p.log)
	if err != nil {
		return err
	}
	srv, err := api.New(api.Config{
		BaseURL:                   p.cfg.BaseURL,
		JWTKey:                    p.cfg.JWTSecret,
		MaxBodyBytes:              p.cfg.MaxBodyBytes,
		LoginRatePerIP:            p.cfg.LoginRatePerIP,
		LoginRatePerEmail:         p.cfg.LoginRatePerEmail,
		TrustedProxies:            p.cfg.TrustedProxies,
		DevMode:                   !p.cfg.Production(),
		SecretGrace:               p.cfg.SecretGrace,
		RotationReminderEvery:     p.cfg.RotationReminderEvery,
		InstallationRotationEvery: p.cfg.InstallationRotationEvery,
		MaxBundleBytes:            p.cfg.MaxBundleBytes,
		TemporalUIURL:             p.cfg.TemporalUIURL,
		TemporalNamespace:         p.cfg.TemporalNamespace,
		RuntimeOrigins:            p.cfg.RuntimeOrigins(),
	}, api.Deps{
		Stores: apiStores(p.store), Logger: p.log, Registry: p.registry, Checks: p.checks(),
		Invitations:  &wfclient.Invitations{Client: p.temporal, TaskQueue: p.cfg.TaskQueue},
		AccountMails: &wfclient.AccountMails{Client: p.temporal, TaskQueue: p.cfg.TaskQueue},
		Generations:  generations,
		Rotations:    &wfclient.Rotations{Client: p.temporal, TaskQueue: p.cfg.TaskQueue},

		WebhookDeliveries: &wfclient.WebhookDeliveries{Client: p.temporal, TaskQueue: p.cfg.TaskQueue},
		Promotions:        &wfclient.Promotions{Client: p.temporal, TaskQueue: p.cfg.TaskQueue, ReminderAfter: p.cfg.ReviewReminderAfter},
		OIDC:              provider,
		Installations:     &wfclient.Installations{Client: p.temporal, TaskQueue: p.cfg.TaskQueue},
	})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	// Changes made by any process reach this one through PostgreSQL NOTIFY:
	// membership changes drop cached portal state, password resets end
	// sessions. After a reconnect anything may have been missed, so both
	// caches start over.
	g.Go(func() error {
		return postgres.Listen(gctx, p.cfg.DatabaseURL, p.log, map[string]func(string){
			models.PortalChannel:            models.OnPortalChange(p.log, srv.Portal().Invalidate),
			models.SessionGenerationChannel: models.OnSessionGeneration(p.log, generations.Set),
		}, func() {
			srv.Portal().Reset()
			if err := generations.Reload(gctx); err != nil {
				p.log.Error("reload session generations", "err", err)
			}
		})
	})
	g.Go(func() error { return listen(gctx, p.log, "http", p.cfg.HTTPAddr, srv) })
	rt, err := p.runtimeServer()
	if err != nil {
		return err
	}
	g.Go(func() error { return listen(gctx, p.log, "runtime", p.cfg.RuntimeAddr, rt) })
	return g.Wait()
}

// runtimeServer serves the apps' runtime origins: the runtime page, the
// pinned SDK build and client bundles, on a listener of its own.
func (p *platform) runtimeServer() (*runtime.Server, error) {
	base := p.cfg.BaseURL.String()
	return runtime.New(runtime.Config{
		PlatformOrigin: base,
		Origins:        p.cfg.RuntimeOrigins(),
		Tokens:         runtime.NewTokens(p.cfg.JWTSecret, base),
		Store:          p.store.Runtime,
		SDK:            web.Runtime(),
		Logger:         p.log,
	})
}

// refuseDemoPasswords stops a production server whose database still has a
// demo login with the published demo password.
func (p *platform) refuseDemoPasswords(ctx context.Context) error {
	if !p.cfg.Production() {
		return nil
	}
	emails, err := p.store.DemoPasswordsInUse(ctx)
	if err != nil {
		return err
	}
	if len(emails) > 0 {
		return fmt.Errorf("refusing to serve in production: these accounts still use the demo password: %s; change their passwords or delete them",
			strings.Join(emails, ", "))
	}
	return nil
}

// apiStores hands the API each of store's aggregates as the store interface
// the API declares for it.
func apiStores(store *postgres.Store) api.Stores {
	return api.Stores{
		Users: store.Users, Events: store.Events, DeveloperAccounts: store.DeveloperAccounts, Organizations: store.Organizations,
		Invitations: store.Invitations, Apps: store.Apps, OAuthClients: store.OAuthClients, Connections: store.Connections,
		Bundles: store.Bundles, Deployments: store.Deployments, Reviews: store.Reviews, Installations: store.Installations,
		InstallationConfig: store.Installations, Webhooks: store.Webhooks, Catalog: store.Catalog, DevMail: store.DevMail, Runtime: store.Runtime,
		Records: store.Records,
	}
}
