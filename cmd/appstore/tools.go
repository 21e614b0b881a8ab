package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"appstore/workflows/devserver"
)

func toolsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "install-tools",
		Short: "Install the pinned Temporal CLI into ./bin (used by `appstore dev` and the tests)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := devserver.ModuleRoot()
			if err != nil {
				return err
			}
			path, err := devserver.EnsureCLI(cmd.Context(), root, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Temporal CLI %s: %s\n", devserver.CLIVersion, path)
			return nil
		},
	}
}

func configCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "List every environment variable with its default, and check the current values",
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "VARIABLE\tDEFAULT\tMEANING")
			for _, s := range settings {
				fmt.Fprintf(w, "%s\t%s\t%s\n", s.name, s.def, s.help)
			}
			w.Flush()
			if _, err := loadConfig(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "\nThe current environment is valid.")
			return nil
		},
	}
}
