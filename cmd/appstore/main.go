// Command appstore runs the Appstore platform: `dev` for everything in one
// process on a developer's machine; `serve`, `worker`, `migrate` and `seed`
// as production roles.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "appstore:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	root := &cobra.Command{
		Use:           "appstore",
		Short:         "Appstore: an app marketplace platform",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(devCommand(), serveCommand(), workerCommand(), migrateCommand(), seedCommand(), toolsCommand(), configCommand())
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

// loadConfig reads the environment; every command starts with it.
func loadConfig() (*Config, error) { return LoadConfig(os.LookupEnv) }
