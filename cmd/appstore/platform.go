package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"appstore/api"
	"appstore/models"
	"appstore/models/blob"
	"appstore/models/postgres"
)

// platform is what the serve and worker roles share: configuration, logger,
// database, stores, Temporal client and metrics registry.
type platform struct {
	cfg      *Config
	log      *slog.Logger
	db       *postgres.DB
	store    *postgres.Store
	temporal client.Client
	registry *prometheus.Registry
}

func openPlatform(ctx context.Context, cfg *Config, log *slog.Logger) (*platform, error) {
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	reg := newRegistry()
	tc, err := newTemporalClient(cfg, log, reg)
	if err != nil {
		db.Close()
		return nil, err
	}
	enc, err := models.NewEncrypter(cfg.EncryptionKey)
	if err != nil {
		db.Close()
		tc.Close()
		return nil, fmt.Errorf("ENCRYPTION_KEY: %w", err)
	}
	blobs, err := blob.NewFS(cfg.BlobDir)
	if err != nil {
		db.Close()
		tc.Close()
		return nil, fmt.Errorf("BLOB_DIR: %w", err)
	}
	store := postgres.NewStore(db)
	store.SetEncrypter(enc)
	store.SetBlobs(blobs)
	store.SetURLRules(models.URLRules{Production: cfg.Production(), AllowInternal: cfg.OutboundAllow})
	return &platform{cfg: cfg, log: log, db: db, store: store, temporal: tc, registry: reg}, nil
}

func (p *platform) close() {
	p.temporal.Close()
	p.db.Close()
}

// checks are the readiness probes: the database and Temporal.
func (p *platform) checks() []api.Check {
	return []api.Check{
		{Name: "database", Run: p.db.Ping},
		{Name: "temporal", Run: func(ctx context.Context) error {
			_, err := p.temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
	}
}

// listen serves h on addr until ctx ends, then drains for up to 10 s.
func listen(ctx context.Context, log *slog.Logger, name, addr string, h http.Handler) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "server", name, "addr", addr)
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", name, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s shutdown: %w", name, err)
	}
	return nil
}

// waitForTemporal blocks until Temporal answers a health check, logging
// while it waits, or ctx ends.
func waitForTemporal(ctx context.Context, log *slog.Logger, c client.Client) error {
	delay := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		checkCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := c.CheckHealth(checkCtx, &client.CheckHealthRequest{})
		cancel()
		if err == nil {
			return nil
		}
		if attempt == 1 || attempt%10 == 0 {
			log.Warn("waiting for Temporal", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// withPlatform runs fn with the configuration, logger, database and
// Temporal client of a production role.
func withPlatform(ctx context.Context, fn func(p *platform) error) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	p, err := openPlatform(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer p.close()
	return fn(p)
}
