package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"appstore/models"
)

func seedCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "seed",
		Short: "Create the demo users, organizations and developer account (development only)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd.Context(), func(cfg *Config, db *models.DB) error {
				return seed(cmd.Context(), cfg, models.NewStore(db), cmd.OutOrStdout())
			})
		},
	}
}

// seed adds the demo data, refusing in production: demo logins have a
// published password.
func seed(ctx context.Context, cfg *Config, store *models.Store, out io.Writer) error {
	if cfg.Production() {
		return errors.New("refusing to seed demo data in production (APPSTORE_ENV=production)")
	}
	res, err := store.SeedDemo(ctx)
	if err != nil {
		return err
	}
	if len(res.Created) == 0 {
		fmt.Fprintln(out, "demo data already present; nothing to do")
	}
	for _, c := range res.Created {
		fmt.Fprintln(out, "seeded", c)
	}
	return nil
}
