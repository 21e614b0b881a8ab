package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"appstore/models/postgres"
)

func migrateCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "Apply, roll back or list database migrations"}
	var all bool
	up := &cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd.Context(), func(_ *Config, db *postgres.DB) error {
				res, err := postgres.MigrateUp(cmd.Context(), db.SQL)
				for _, r := range res {
					fmt.Fprintf(cmd.OutOrStdout(), "applied %s (%s)\n", r.Source.Path, r.Duration.Round(1e6))
				}
				if err == nil && len(res) == 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
				}
				return err
			})
		},
	}
	down := &cobra.Command{
		Use:   "down",
		Short: "Roll back the latest migration (--all: every migration)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd.Context(), func(_ *Config, db *postgres.DB) error {
				res, err := postgres.MigrateDown(cmd.Context(), db.SQL, all)
				for _, r := range res {
					fmt.Fprintf(cmd.OutOrStdout(), "rolled back %s\n", r.Source.Path)
				}
				return err
			})
		},
	}
	down.Flags().BoolVar(&all, "all", false, "roll back every migration")
	status := &cobra.Command{
		Use:   "status",
		Short: "List migrations and whether each is applied",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd.Context(), func(_ *Config, db *postgres.DB) error {
				list, err := postgres.MigrationStatus(cmd.Context(), db.SQL)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "VERSION\tSTATE\tAPPLIED AT\tFILE")
				for _, s := range list {
					at := "-"
					if !s.AppliedAt.IsZero() {
						at = s.AppliedAt.Format("2006-01-02 15:04:05")
					}
					fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", s.Source.Version, s.State, at, s.Source.Path)
				}
				return w.Flush()
			})
		},
	}
	cmd.AddCommand(up, down, status)
	return cmd
}
