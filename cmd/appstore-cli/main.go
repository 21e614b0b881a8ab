// Command appstore-cli is the developer's tool: it logs in with a personal
// access token, scaffolds and builds app projects, deploys them to a
// development organization, and drives promotion and review.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// version is the CLI's version, sent as deployment metadata. Release builds
// set it with -ldflags "-X main.version=…"; otherwise it comes from the
// module's build info.
var version = ""

func cliVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], osEnv())
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// env is everything the commands take from the outside world, so tests run
// them in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	http           *http.Client
	// readSecret reads a secret from the terminal without echo; nil when
	// stdin is not a terminal.
	readSecret func() (string, error)
	// followEvery is how often `logs --follow` asks for new events.
	followEvery time.Duration
}

func osEnv() *env {
	// No overall timeout: a large upload may take a while. A server that
	// accepts a request and never answers is given up on.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ResponseHeaderTimeout = 2 * time.Minute
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		http: &http.Client{Transport: transport}, followEvery: 2 * time.Second}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		e.readSecret = func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		}
	}
	return e
}

// run executes the command line args.
func run(ctx context.Context, args []string, e *env) error {
	root := newRootCommand(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	return root.ExecuteContext(ctx)
}

func newRootCommand(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "appstore-cli",
		Short: "Build, deploy and publish Appstore apps",
		Long: `appstore-cli is the Appstore developer's tool.

  appstore-cli login --url http://localhost:8080     # with a personal access token
  appstore-cli init my-app --slug my-app --app-id <app id>
  appstore-cli build                                  # dist/client.js, server.js, settings.schema.json
  appstore-cli deploy --org <organization id>         # a development deployment
  appstore-cli promote <development deployment id>    # a production deployment with a version
  appstore-cli submit <production deployment id>      # send it to review
  appstore-cli status [<deployment id>]
  appstore-cli logs --follow

APPSTORE_URL and APPSTORE_TOKEN override the stored login; APPSTORE_CONFIG
names the credentials file.`,
		Version:       cliVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		loginCommand(e),
		initCommand(e),
		buildCommand(e),
		deployCommand(e),
		promoteCommand(e),
		transitionCommand(e, "submit", "Submit a production deployment for review"),
		transitionCommand(e, "withdraw", "Withdraw a production deployment from review"),
		transitionCommand(e, "publish", "Publish an approved production deployment"),
		statusCommand(e),
		logsCommand(e),
	)
	return root
}
