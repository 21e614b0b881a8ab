package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"appstore/models"
	"appstore/models/postgres"
)

func seedCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "seed",
		Short: "Create the demo users, organizations, developer accounts and catalog apps (development only)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd.Context(), func(cfg *Config, db *postgres.DB) error {
				enc, err := models.NewEncrypter(cfg.EncryptionKey)
				if err != nil {
					return fmt.Errorf("ENCRYPTION_KEY: %w", err)
				}
				store := postgres.NewStore(db)
				store.SetEncrypter(enc) // the catalog's webhook signing secret is stored encrypted
				store.SetURLRules(models.URLRules{Production: cfg.Production(), AllowInternal: cfg.OutboundAllow})
				return seed(cmd.Context(), cfg, store, cmd.OutOrStdout())
			})
		},
	}
}

// seed adds the demo data, refusing in production: demo logins have a
// published password.
func seed(ctx context.Context, cfg *Config, store *postgres.Store, out io.Writer) error {
	if cfg.Production() {
		return errors.New("refusing to seed demo data in production (APPSTORE_ENV=production)")
	}
	res, err := store.SeedDemo(ctx)
	if err != nil {
		return err
	}
	catalog, err := store.SeedCatalog(ctx, postgres.CatalogURLs{ExampleAppURL: cfg.ExampleAppURL})
	if err != nil {
		return err
	}
	created := append(res.Created, catalog.Created...)
	if len(created) == 0 {
		fmt.Fprintln(out, "demo data already present; nothing to do")
	}
	for _, c := range created {
		fmt.Fprintln(out, "seeded", c)
	}
	if catalog.WebhookSecret != "" {
		// Shown once: the file is the example app's only way to get it.
		if err := writeSecretFile(cfg.ExampleAppWebhookSecretFile, catalog.WebhookSecret); err != nil {
			return fmt.Errorf("write the %s app's webhook secret (it is shown once; reset the database to make a new one): %w",
				postgres.CatalogWebhookApp, err)
		}
		fmt.Fprintf(out, "wrote the %s app's webhook signing secret to %s\n", postgres.CatalogWebhookApp, cfg.ExampleAppWebhookSecretFile)
	}
	return nil
}

// writeSecretFile writes secret to path readable by its owner only,
// through a temporary file so a reader never sees half of it.
func writeSecretFile(path, secret string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(secret+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
