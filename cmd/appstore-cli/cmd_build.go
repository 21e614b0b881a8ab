package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func buildCommand(e *env) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Bundle the app into dist/",
		Long: `Bundles the app project with esbuild (no node_modules needed):

  src/app.tsx or src/app.ts  -> dist/client.js   ES module, ES2020, minified; JSX uses
                                                 React's automatic runtime and "react" /
                                                 "react/jsx-runtime" stay imports the host
                                                 provides. Imports of *.server.ts modules
                                                 become proxies that call the platform.
  src/**/*.server.ts         -> dist/server.js   one ES module whose default export maps
                                                 "<path>#<export>" to each server function
  src/app.settings.ts        -> dist/settings.schema.json  evaluated at build time
  default export of src/app.tsx -> dist/app.manifest.json  the App definition
                                                 (defineApp) evaluated at build time:
                                                 surfaces, server functions, workflow
                                                 blocks and triggers, webhooks, outbound hosts
  dist/manifest.json         sha256 and size of each file

In the client bundle, react, react/* and @appstore/sdk(/settings) stay
imports the runtime page provides; at build time @appstore/sdk comes from
the SDK built into this CLI.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadProject(dir)
			if err != nil {
				return err
			}
			res, err := buildProject(p)
			if err != nil {
				return err
			}
			printBuild(e.stdout, res)
			printWarnings(e.stderr, res.Warnings)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the app project's directory")
	return cmd
}

// printBuild says what build wrote.
func printBuild(w io.Writer, res *buildResult) {
	m := res.Manifest
	for _, a := range []*artifact{m.Client, m.Server, m.SettingsSchema, m.AppManifest} {
		if a != nil {
			fmt.Fprintf(w, "  dist/%-22s %10s  sha256 %s\n", a.File, humanBytes(a.SizeBytes), a.SHA256[:12])
		}
	}
	if app := res.App; app != nil && len(app.Surfaces)+len(app.Workflow.Blocks)+len(app.Workflow.Triggers) > 0 {
		fmt.Fprintf(w, "  surfaces: %d, workflow blocks: %d, triggers: %d\n", len(app.Surfaces), len(app.Workflow.Blocks), len(app.Workflow.Triggers))
		for _, s := range app.Surfaces {
			fmt.Fprintf(w, "    %-14s %s\n", s.Kind, s.ID)
		}
	}
	if len(m.ServerFunctions) > 0 {
		fmt.Fprintf(w, "  server functions: %d\n", len(m.ServerFunctions))
		for _, f := range m.ServerFunctions {
			fmt.Fprintf(w, "    %s\n", f)
		}
	}
}

func printWarnings(w io.Writer, warnings []string) {
	for _, s := range warnings {
		fmt.Fprintln(w, s)
	}
}

// humanBytes renders n bytes for people: 512 B, 12.3 kB, 4.5 MB.
func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
	}
}
