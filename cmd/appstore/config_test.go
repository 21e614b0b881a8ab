package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"appstore/api"
)

// lookupFrom is os.LookupEnv over a fixed map, so tests never see the real
// environment.
func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// configErrors returns the problems listed in LoadConfig's error, one per line.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("LoadConfig succeeded, want an error")
	}
	lines := strings.Split(err.Error(), "\n")
	if lines[0] != "invalid configuration:" {
		t.Fatalf("error %q does not start with the header", err)
	}
	var problems []string
	for _, l := range lines[1:] {
		problems = append(problems, strings.TrimSpace(l))
	}
	return problems
}

func writeSecret(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jwt_secret")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const goodSecret = "0123456789abcdef0123456789abcdef" // exactly 32 bytes

func TestLoadConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := LoadConfig(lookupFrom(nil))
	if err != nil {
		t.Fatalf("defaults are invalid: %v", err)
	}
	if c.Production() || c.Env != "development" {
		t.Errorf("env = %q, want development", c.Env)
	}
	if string(c.JWTSecret) != devJWTKey {
		t.Errorf("JWT secret = %q, want the development key", c.JWTSecret)
	}
	if c.BaseURL == nil || c.BaseURL.String() != "http://localhost:8080" {
		t.Errorf("base URL = %v", c.BaseURL)
	}
	if c.LogLevel != slog.LevelInfo || c.LogFormat != "text" {
		t.Errorf("logging = %v %q", c.LogLevel, c.LogFormat)
	}
	if c.EventRetention != 90*24*time.Hour || c.RetentionInterval != 24*time.Hour {
		t.Errorf("retention = %v every %v", c.EventRetention, c.RetentionInterval)
	}
	if c.LoginRatePerIP != (api.RateLimit{Count: 20, Period: time.Minute}) || c.LoginRatePerEmail != (api.RateLimit{Count: 5, Period: time.Minute}) {
		t.Errorf("rates = %+v, %+v", c.LoginRatePerIP, c.LoginRatePerEmail)
	}
	if c.MaxBodyBytes != 1<<20 || len(c.TrustedProxies) != 0 {
		t.Errorf("max body %d, proxies %v", c.MaxBodyBytes, c.TrustedProxies)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.WorkerHTTPAddr != "127.0.0.1:8081" || c.TemporalAddress != "127.0.0.1:7233" ||
		c.TemporalNamespace != "default" || c.TaskQueue != "appstore" || !strings.HasPrefix(c.DatabaseURL, "postgres://") {
		t.Errorf("addresses = %+v", c)
	}
}

// TestListenAddressDefaults: development keeps to loopback (its mail outbox
// shows sign-in links and its keys are public); production listens on
// every interface unless told otherwise; an explicit address wins.
func TestListenAddressDefaults(t *testing.T) {
	t.Parallel()
	load := func(env map[string]string) *Config {
		t.Helper()
		c, err := LoadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	prod := map[string]string{"APPSTORE_ENV": "production", "BASE_URL": "https://appstore.example.com", "RUNTIME_DOMAIN": "apps.example-usercontent.com", "JWT_SECRET": goodSecret,
		"SMTP_HOST": "smtp.example.com", "ENCRYPTION_KEY": goodEncryptionKey}
	if c := load(prod); c.HTTPAddr != ":8080" || c.WorkerHTTPAddr != ":8081" {
		t.Errorf("production: %q %q", c.HTTPAddr, c.WorkerHTTPAddr)
	}
	if c := load(map[string]string{"HTTP_ADDR": "0.0.0.0:9000"}); c.HTTPAddr != "0.0.0.0:9000" || c.WorkerHTTPAddr != "127.0.0.1:8081" {
		t.Errorf("development with HTTP_ADDR: %q %q", c.HTTPAddr, c.WorkerHTTPAddr)
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	prod := func(extra map[string]string) map[string]string {
		env := map[string]string{"APPSTORE_ENV": "production", "BASE_URL": "https://appstore.example.com", "RUNTIME_DOMAIN": "apps.example-usercontent.com", "JWT_SECRET": goodSecret, "SMTP_HOST": "smtp.example.com", "ENCRYPTION_KEY": goodEncryptionKey}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name string
		env  map[string]string
		// Exactly these settings are named in the error, in order; nil: valid.
		wantErrs []string
		// Each must appear somewhere in the error.
		wantText []string
		check    func(t *testing.T, c *Config)
	}{
		{
			name: "production",
			env:  prod(nil),
			check: func(t *testing.T, c *Config) {
				if !c.Production() || string(c.JWTSecret) != goodSecret || c.BaseURL.String() != "https://appstore.example.com" {
					t.Errorf("config = %+v", c)
				}
			},
		},
		{
			name:     "production without JWT_SECRET",
			env:      map[string]string{"APPSTORE_ENV": "production", "BASE_URL": "https://appstore.example.com", "RUNTIME_DOMAIN": "apps.example-usercontent.com", "SMTP_HOST": "smtp.example.com", "ENCRYPTION_KEY": goodEncryptionKey},
			wantErrs: []string{"JWT_SECRET"},
			wantText: []string{"required in production"},
		},
		{
			name:     "production without ENCRYPTION_KEY",
			env:      prod(map[string]string{"ENCRYPTION_KEY": ""}),
			wantErrs: []string{"ENCRYPTION_KEY"},
			wantText: []string{"required in production"},
		},
		{
			name:     "production with the development encryption key",
			env:      prod(map[string]string{"ENCRYPTION_KEY": devEncryptionKey}),
			wantErrs: []string{"ENCRYPTION_KEY"},
		},
		{
			name:     "encryption key of the wrong size",
			env:      map[string]string{"ENCRYPTION_KEY": "c2hvcnQ="},
			wantErrs: []string{"ENCRYPTION_KEY"},
		},
		{
			name:     "production without SMTP_HOST",
			env:      prod(map[string]string{"SMTP_HOST": ""}),
			wantErrs: []string{"SMTP_HOST"},
			wantText: []string{"required in production"},
		},
		{
			name:     "bad SMTP settings",
			env:      map[string]string{"SMTP_PORT": "99999", "SMTP_TLS": "ssl3"},
			wantErrs: []string{"SMTP_PORT", "SMTP_TLS"},
		},
		{
			name:     "production with empty JWT_SECRET",
			env:      prod(map[string]string{"JWT_SECRET": ""}),
			wantErrs: []string{"JWT_SECRET"},
		},
		{
			name:     "production with the development key",
			env:      prod(map[string]string{"JWT_SECRET": devJWTKey}),
			wantErrs: []string{"JWT_SECRET"},
			wantText: []string{"development key"},
		},
		{
			name:     "short secret",
			env:      map[string]string{"JWT_SECRET": goodSecret[:31]},
			wantErrs: []string{"JWT_SECRET"},
			wantText: []string{"at least 32 bytes"},
		},
		{
			name:     "short secret in production",
			env:      prod(map[string]string{"JWT_SECRET": "short"}),
			wantErrs: []string{"JWT_SECRET"},
		},
		{
			name: "development key accepted in development",
			env:  map[string]string{"JWT_SECRET": devJWTKey},
			check: func(t *testing.T, c *Config) {
				if string(c.JWTSecret) != devJWTKey {
					t.Errorf("secret = %q", c.JWTSecret)
				}
			},
		},
		{
			name:     "secret and secret file",
			env:      map[string]string{"JWT_SECRET": goodSecret, "JWT_SECRET_FILE": "/dev/null"},
			wantErrs: []string{"JWT_SECRET"},
			wantText: []string{"JWT_SECRET_FILE are both set"},
		},
		{
			name:     "unreadable secret file",
			env:      map[string]string{"JWT_SECRET_FILE": "/nonexistent/appstore/jwt_secret"},
			wantErrs: []string{"JWT_SECRET_FILE"},
		},
		{
			name: "several bad values",
			env: map[string]string{
				"LOG_LEVEL": "loud", "EVENT_RETENTION": "forever", "LOGIN_RATE_PER_IP": "x",
			},
			wantErrs: []string{"EVENT_RETENTION", "LOGIN_RATE_PER_IP", "LOG_LEVEL"},
		},
		{
			name:     "http BASE_URL in production",
			env:      prod(map[string]string{"BASE_URL": "http://appstore.example.com"}),
			wantErrs: []string{"BASE_URL"},
			wantText: []string{"https in production"},
		},
		{
			name: "http BASE_URL in development",
			env:  map[string]string{"BASE_URL": "http://127.0.0.1:9000/"},
			check: func(t *testing.T, c *Config) {
				if c.BaseURL.String() != "http://127.0.0.1:9000" {
					t.Errorf("base URL = %v, want the origin", c.BaseURL)
				}
			},
		},
		{"BASE_URL with a path", map[string]string{"BASE_URL": "https://example.com/store"}, []string{"BASE_URL"}, nil, nil},
		{"BASE_URL without scheme", map[string]string{"BASE_URL": "example.com"}, []string{"BASE_URL"}, nil, nil},
		{
			name: "login rate 3/1s",
			env:  map[string]string{"LOGIN_RATE_PER_IP": "3/1s", "LOGIN_RATE_PER_EMAIL": "10/1h"},
			check: func(t *testing.T, c *Config) {
				if c.LoginRatePerIP != (api.RateLimit{Count: 3, Period: time.Second}) {
					t.Errorf("per IP = %+v, want 3 per second", c.LoginRatePerIP)
				}
				if c.LoginRatePerEmail != (api.RateLimit{Count: 10, Period: time.Hour}) {
					t.Errorf("per email = %+v, want 10 per hour", c.LoginRatePerEmail)
				}
			},
		},
		{"zero rate", map[string]string{"LOGIN_RATE_PER_EMAIL": "0/1m"}, []string{"LOGIN_RATE_PER_EMAIL"}, nil, nil},
		{"rate without period", map[string]string{"LOGIN_RATE_PER_EMAIL": "5"}, []string{"LOGIN_RATE_PER_EMAIL"}, nil, nil},
		{"negative retention", map[string]string{"EVENT_RETENTION": "-1h"}, []string{"EVENT_RETENTION"}, nil, nil},
		{"zero retention interval", map[string]string{"RETENTION_INTERVAL": "0s"}, []string{"RETENTION_INTERVAL"}, nil, nil},
		{"unknown env", map[string]string{"APPSTORE_ENV": "staging"}, []string{"APPSTORE_ENV"}, nil, nil},
		{"mysql database", map[string]string{"DATABASE_URL": "mysql://root@localhost/x"}, []string{"DATABASE_URL"}, nil, nil},
		{"bad log format", map[string]string{"LOG_FORMAT": "xml"}, []string{"LOG_FORMAT"}, nil, nil},
		{"small body limit", map[string]string{"MAX_BODY_BYTES": "100"}, []string{"MAX_BODY_BYTES"}, nil, nil},
		{"address without port", map[string]string{"HTTP_ADDR": "localhost"}, []string{"HTTP_ADDR"}, nil, nil},
		{
			name: "log level and proxies",
			env:  map[string]string{"LOG_LEVEL": "debug", "LOG_FORMAT": "json", "TRUSTED_PROXIES": " 10.0.0.1, 192.168.0.0/16 ,,"},
			check: func(t *testing.T, c *Config) {
				if c.LogLevel != slog.LevelDebug || c.LogFormat != "json" {
					t.Errorf("logging = %v %q", c.LogLevel, c.LogFormat)
				}
				if !slices.Equal(c.TrustedProxies, []string{"10.0.0.1", "192.168.0.0/16"}) {
					t.Errorf("proxies = %q", c.TrustedProxies)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := LoadConfig(lookupFrom(tt.env))
			if tt.wantErrs == nil {
				if err != nil {
					t.Fatalf("LoadConfig: %v", err)
				}
				if tt.check != nil {
					tt.check(t, c)
				}
				return
			}
			if c != nil {
				t.Errorf("got a config with the error")
			}
			problems := configErrors(t, err)
			var named []string
			for _, p := range problems {
				// Each line starts with the setting's name.
				name := strings.FieldsFunc(p, func(r rune) bool { return r == ':' || r == ' ' })[0]
				named = append(named, name)
			}
			slices.Sort(named)
			if !slices.Equal(named, tt.wantErrs) {
				t.Errorf("error names %q, want exactly %q; error:\n%v", named, tt.wantErrs, err)
			}
			for _, text := range tt.wantText {
				if !strings.Contains(err.Error(), text) {
					t.Errorf("error lacks %q:\n%v", text, err)
				}
			}
		})
	}
}

func TestLoadConfigSecretFile(t *testing.T) {
	t.Parallel()
	for _, content := range []string{goodSecret + "\n", goodSecret + "\r\n", goodSecret} {
		env := map[string]string{
			"APPSTORE_ENV": "production", "BASE_URL": "https://appstore.example.com", "RUNTIME_DOMAIN": "apps.example-usercontent.com",
			"JWT_SECRET_FILE": writeSecret(t, content), "SMTP_HOST": "smtp.example.com", "ENCRYPTION_KEY": goodEncryptionKey,
		}
		c, err := LoadConfig(lookupFrom(env))
		if err != nil {
			t.Fatalf("LoadConfig with file content %q: %v", content, err)
		}
		if string(c.JWTSecret) != goodSecret {
			t.Errorf("secret = %q from file content %q, want it without the line ending", c.JWTSecret, content)
		}
	}
	// A file holding a short secret is judged like the variable.
	_, err := LoadConfig(lookupFrom(map[string]string{"JWT_SECRET_FILE": writeSecret(t, "short\n")}))
	if problems := configErrors(t, err); len(problems) != 1 || !strings.HasPrefix(problems[0], "JWT_SECRET: must be at least 32 bytes") {
		t.Errorf("problems = %q, want the short secret", problems)
	}
}

// goodEncryptionKey is base64 of 32 bytes that is not the development key.
const goodEncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
