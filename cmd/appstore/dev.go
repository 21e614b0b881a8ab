package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"golang.org/x/sync/errgroup"

	"appstore/models/postgres"
	"appstore/workflows/devserver"
)

// devUIPort is where the Temporal UI listens in development.
const devUIPort = "8233"

func devCommand() *cobra.Command {
	var noExampleApp bool
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything on this machine: Temporal dev server + UI, migrations, demo data, API, web and worker",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if cfg.Production() {
				return errors.New("`appstore dev` is for development; use serve and worker in production")
			}
			return dev(cmd.Context(), cfg, cmd.OutOrStdout(), !noExampleApp)
		},
	}
	cmd.Flags().BoolVar(&noExampleApp, "no-example-app", false, "do not serve the example third-party app (examples/crm-app) at EXAMPLE_APP_URL")
	return cmd
}

func dev(ctx context.Context, cfg *Config, out io.Writer, exampleApp bool) error {
	log := newLogger(cfg)
	fmt.Fprintln(out, "Checking PostgreSQL...")
	if err := createDatabaseIfMissing(ctx, cfg.DatabaseURL, out); err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	res, err := postgres.MigrateUp(ctx, db.SQL)
	db.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Migrations: %d applied, database up to date.\n", len(res))

	root, err := devserver.ModuleRoot()
	if err != nil {
		return err
	}
	cli, err := devserver.EnsureCLI(ctx, root, out)
	if err != nil {
		return err
	}
	temporal, err := startDevServer(ctx, cfg, cli, out)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(out, "Stopping the Temporal dev server (it takes a few seconds)...")
		if err := temporal.Stop(); err != nil {
			log.Warn("stop temporal dev server", "err", err)
		}
	}()

	p, err := openPlatform(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer p.close()
	if err := seed(ctx, cfg, p.store, out); err != nil {
		return err
	}
	printBanner(out, cfg)

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.serve(gctx) })
	g.Go(func() error { return p.work(gctx) })
	if exampleApp {
		fmt.Fprintf(out, "Example app (examples/crm-app) at %s: install it, then Open App.\n", cfg.ExampleAppURL)
		// The example is a convenience: if it cannot run (its port is
		// taken), the platform keeps running without it.
		g.Go(func() error {
			if err := runExampleApp(gctx, cfg, p.store, out); err != nil {
				fmt.Fprintf(out, "Example app stopped: %v (the platform keeps running; --no-example-app skips it).\n", err)
			}
			return nil
		})
	}
	err = g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	fmt.Fprintln(out, "Appstore stopped.")
	return err
}

// startDevServer starts `temporal server start-dev` with state in DATA_DIR,
// the UI on 127.0.0.1:8233 and every search attribute registered. Its output
// goes to DATA_DIR/temporal.log to keep the console readable.
func startDevServer(ctx context.Context, cfg *Config, cli string, out io.Writer) (*testsuite.DevServer, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	logPath := filepath.Join(cfg.DataDir, "temporal.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("temporal log: %w", err)
	}
	fmt.Fprintf(out, "Starting the Temporal dev server on %s (state in %s, log in %s)...\n",
		cfg.TemporalAddress, filepath.Join(cfg.DataDir, "temporal.db"), logPath)
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  cli,
		ClientOptions: &client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Logger: quietTemporalLogger()},
		DBFilename:    filepath.Join(cfg.DataDir, "temporal.db"),
		EnableUI:      true,
		UIPort:        devUIPort,
		LogLevel:      "warn",
		ExtraArgs:     devserver.SearchAttributeArgs(),
		Stdout:        logFile,
		Stderr:        logFile,
	})
	if err != nil {
		return nil, fmt.Errorf("start Temporal dev server (is something else using %s or port %s? see %s): %w",
			cfg.TemporalAddress, devUIPort, logPath, err)
	}
	return srv, nil
}

// quietTemporalLogger keeps the dev server's client from logging every
// connection retry while the server boots.
func quietTemporalLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

var validDBName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// createDatabaseIfMissing connects to the server's maintenance database and
// creates the configured database when it does not exist yet.
func createDatabaseIfMissing(ctx context.Context, dbURL string, out io.Writer) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !validDBName.MatchString(name) {
		return fmt.Errorf("DATABASE_URL: database name %q must be letters, digits and underscores", name)
	}
	maint := *u
	maint.Path = "/postgres"
	conn, err := sql.Open("pgx", maint.String())
	if err != nil {
		return err
	}
	defer conn.Close()
	var exists bool
	err = conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL at %s: %w%s", u.Host, err, postgresHint)
	}
	if exists {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	fmt.Fprintf(out, "Created database %s.\n", name)
	return nil
}

func printBanner(out io.Writer, cfg *Config) {
	fmt.Fprintf(out, `
Appstore is running.
  Web and API   %s   (API under /api/v1)
  Temporal UI   http://127.0.0.1:%s
  Health        %s/healthz · %s/readyz · %s/metrics
  App runtime   %s   (one origin per app)

Demo logins (password %q):
`, cfg.BaseURL, devUIPort, cfg.BaseURL, cfg.BaseURL, cfg.BaseURL, cfg.RuntimeOrigins().Of("<app-slug>"), postgres.DemoPassword)
	for _, d := range postgres.DemoUsers {
		fmt.Fprintf(out, "  %-24s %s\n", d.Email, d.Role)
	}
	fmt.Fprintln(out, "\nPress Ctrl-C to stop everything, the Temporal dev server included.")
}
