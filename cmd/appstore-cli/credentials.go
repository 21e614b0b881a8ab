package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// credentials are what login stores: the platform's URL and a personal
// access token.
type credentials struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

// credentialsPath is $APPSTORE_CONFIG, else appstore/credentials.json in
// the user's config directory.
func (e *env) credentialsPath() (string, error) {
	if p := e.getenv("APPSTORE_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory (set APPSTORE_CONFIG to a file path): %w", err)
	}
	return filepath.Join(dir, "appstore", "credentials.json"), nil
}

// storedCredentials reads the credentials file; a missing file is empty
// credentials.
func (e *env) storedCredentials() (credentials, error) {
	var c credentials
	path, err := e.credentialsPath()
	if err != nil {
		return c, err
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read credentials: %w", err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("credentials file %s is not valid JSON (run appstore-cli login again): %w", path, err)
	}
	return c, nil
}

// credentials are the stored ones with APPSTORE_URL and APPSTORE_TOKEN
// taking precedence; both must end up set.
func (e *env) credentials() (credentials, error) {
	c, err := e.storedCredentials()
	if err != nil {
		return c, err
	}
	if v := e.getenv("APPSTORE_URL"); v != "" {
		c.URL = v
	}
	if v := e.getenv("APPSTORE_TOKEN"); v != "" {
		c.Token = v
	}
	if c.URL == "" || c.Token == "" {
		return c, errors.New("not logged in: run `appstore-cli login` (or set APPSTORE_URL and APPSTORE_TOKEN)")
	}
	return c, nil
}

// saveCredentials writes c readable by the user only, replacing the file
// atomically.
func (e *env) saveCredentials(c credentials) (string, error) {
	path, err := e.credentialsPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("save credentials: %w", err)
	}
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".credentials-*")
	if err != nil {
		return "", fmt.Errorf("save credentials: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save credentials: %w", err)
	}
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save credentials: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("save credentials: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("save credentials: %w", err)
	}
	return path, nil
}

// normalizeURL checks that raw is an http(s) URL and drops a trailing slash
// and an /api/v1 suffix pasted by mistake.
func normalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not a platform URL such as http://localhost:8080", raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v1")
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimSuffix(u.String(), "/"), nil
}
