package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// patPrefix starts every personal access token.
const patPrefix = "asp_"

func loginCommand(e *env) *cobra.Command {
	var rawURL, token string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Store the platform URL and a personal access token",
		Long: `Verifies a personal access token (create one under Account → Tokens) with
GET /api/v1/me and stores the URL and token in the credentials file
($APPSTORE_CONFIG, or appstore/credentials.json in your config directory),
readable by you only.

Without --token the token is read from the terminal (not echoed) or from
stdin, which keeps it out of your shell history:
  echo "$TOKEN" | appstore-cli login --url https://appstore.example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return login(cmd.Context(), e, rawURL, token)
		},
	}
	cmd.Flags().StringVar(&rawURL, "url", "", "platform URL (default: APPSTORE_URL, the stored URL, or http://localhost:8080)")
	cmd.Flags().StringVar(&token, "token", "", "personal access token (asp_…); read from the terminal or stdin when omitted")
	return cmd
}

func login(ctx context.Context, e *env, rawURL, token string) error {
	stored, err := e.storedCredentials()
	if err != nil {
		return err
	}
	for _, candidate := range []string{rawURL, e.getenv("APPSTORE_URL"), stored.URL, "http://localhost:8080"} {
		if candidate != "" {
			rawURL = candidate
			break
		}
	}
	base, err := normalizeURL(rawURL)
	if err != nil {
		return err
	}
	if token == "" {
		if token, err = readToken(e); err != nil {
			return err
		}
	}
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, patPrefix) || len(token) <= len(patPrefix) {
		return fmt.Errorf("that is not a personal access token: they start with %s (create one under Account → Tokens)", patPrefix)
	}
	c := newClient(e, credentials{URL: base, Token: token})
	var me struct {
		User struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		} `json:"user"`
	}
	if err := c.do(ctx, "GET", "/me", nil, &me); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == 401 {
			return fmt.Errorf("the platform at %s refused the token: %w", base, err)
		}
		return err
	}
	path, err := e.saveCredentials(credentials{URL: base, Token: token})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Logged in to %s as %s; credentials saved in %s\n", base, me.User.Email, path)
	return nil
}

// readToken prompts on the terminal without echo, or reads the first line
// of stdin when it is not a terminal.
func readToken(e *env) (string, error) {
	if e.readSecret != nil {
		fmt.Fprint(e.stderr, "Personal access token: ")
		t, err := e.readSecret()
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read token: %w", err)
		}
		return t, nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if strings.TrimSpace(line) == "" {
		if err != nil {
			return "", errors.New("no token: pass --token or pipe it on stdin")
		}
		return "", errors.New("no token on stdin")
	}
	return line, nil
}
