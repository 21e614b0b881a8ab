package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	tlog "go.temporal.io/sdk/log"

	"appstore/models/postgres"
)

// newLogger builds the process logger from config.
func newLogger(cfg *Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	return slog.New(h)
}

// newRegistry is the Prometheus registry of one process: Go runtime and
// process collectors plus whatever the HTTP layer and Temporal SDK add.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// postgresHint tells a newcomer what to do when PostgreSQL does not answer.
const postgresHint = "\n\nPostgreSQL is not reachable. Start it (`docker compose up -d postgres`), or point DATABASE_URL at a running server, e.g.\n  DATABASE_URL=postgres://user:pass@host:5432/appstore?sslmode=disable"

// openDatabase connects to PostgreSQL and, when it is unreachable, says how
// to fix that instead of printing a bare driver error.
func openDatabase(ctx context.Context, cfg *Config) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		var netErr *net.OpError
		hint := ""
		if errors.As(err, &netErr) || isConnRefused(err) {
			hint = postgresHint
		}
		return nil, fmt.Errorf("%w%s", err, hint)
	}
	return db, nil
}

func isConnRefused(err error) bool {
	msg := err.Error()
	for _, sub := range []string{"connection refused", "no such host", "dial error", "failed to connect", "i/o timeout"} {
		if strings.Contains(msg, sub) {
			return true
		}
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// newTemporalClient returns a lazy client: it connects on first use, so
// `serve` starts (and reports not ready) while Temporal is still coming up.
// Its SDK metrics land in reg through OpenTelemetry's Prometheus exporter.
func newTemporalClient(cfg *Config, log *slog.Logger, reg *prometheus.Registry) (client.Client, error) {
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("temporal metrics: %w", err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	c, err := client.NewLazyClient(client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    tlog.NewStructuredLogger(log.With("component", "temporal")),
		MetricsHandler: temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
			Meter:                provider.Meter("temporal-sdk-go"),
			UseMonotonicCounters: true,
			OnError:              func(err error) { log.Warn("temporal metrics", "err", err) },
		}),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal client: %w", err)
	}
	return c, nil
}

// withDB runs fn with the validated configuration and an open database.
func withDB(ctx context.Context, fn func(cfg *Config, db *postgres.DB) error) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(cfg, db)
}
