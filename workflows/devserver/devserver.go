// Package devserver installs and runs the Temporal dev server from the
// Temporal CLI at one pinned version, for `appstore dev` and the tests.
package devserver

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"appstore/workflows/contract"
)

// The one place the Temporal CLI version is pinned. It is installed with
// `go install` rather than a go.mod tool line: the CLI's dependency graph
// (Temporal server) does not compile against the go.temporal.io/api our SDK
// needs, so the two graphs must stay apart.
const (
	CLIModule  = "github.com/temporalio/cli/cmd/temporal"
	CLIVersion = "v1.5.1"
)

// CLIPath is where the pinned CLI lives inside the project: <root>/bin/temporal.
// TEMPORAL_CLI overrides it.
func CLIPath(root string) string {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p
	}
	return filepath.Join(root, "bin", "temporal")
}

// ModuleRoot walks up from the working directory to the folder with go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("devserver: no go.mod above the working directory; run from the project")
		}
		dir = parent
	}
}

// Installed reports whether the binary at path was built from the pinned
// CLI module version. A `go install` build calls itself 0.0.0-DEV (releases
// stamp the version with linker flags), so the module version recorded in
// the binary's build info is what counts.
func Installed(path string) bool {
	info, err := buildinfo.ReadFile(path)
	return err == nil && info.Main.Path == cliMainModule && info.Main.Version == CLIVersion
}

// cliMainModule is the module that CLIModule's package belongs to.
const cliMainModule = "github.com/temporalio/cli"

// EnsureCLI installs the pinned CLI into <root>/bin unless it is already
// there, telling progress what is happening (the first build takes minutes).
func EnsureCLI(ctx context.Context, root string, progress io.Writer) (string, error) {
	path := CLIPath(root)
	if Installed(path) {
		return path, nil
	}
	if os.Getenv("TEMPORAL_CLI") != "" {
		return "", fmt.Errorf("devserver: TEMPORAL_CLI=%s is not Temporal CLI %s", path, CLIVersion)
	}
	fmt.Fprintf(progress, "Installing Temporal CLI %s into %s (first run only; building it takes about 5 minutes)...\n",
		CLIVersion, filepath.Dir(path))
	cmd := exec.CommandContext(ctx, "go", "install", CLIModule+"@"+CLIVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Dir(path))
	cmd.Stdout, cmd.Stderr = progress, progress
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("devserver: go install %s@%s: %w", CLIModule, CLIVersion, err)
	}
	if !Installed(path) {
		return "", fmt.Errorf("devserver: %s was installed but does not report version %s", path, CLIVersion)
	}
	fmt.Fprintf(progress, "Temporal CLI %s installed.\n", CLIVersion)
	return path, nil
}

// SearchAttributeArgs are the dev server flags that register every search
// attribute of package workflows.
func SearchAttributeArgs() []string {
	var args []string
	for _, name := range contract.SearchAttributeNames {
		args = append(args, "--search-attribute", name+"=Keyword")
	}
	return args
}
