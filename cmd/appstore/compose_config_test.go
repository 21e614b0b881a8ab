package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The environment docker-compose gives the appstore services must pass the
// binary's own configuration check, or the stack would not start.
func TestComposeEnvironmentIsAValidConfig(t *testing.T) {
	p := composeLoad(t, nil)
	secret := filepath.Join(t.TempDir(), "jwt_secret")
	if err := os.WriteFile(secret, []byte(strings.Repeat("k", 48)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	encKey := filepath.Join(t.TempDir(), "encryption_key")
	if err := os.WriteFile(encKey, []byte(base64.StdEncoding.EncodeToString([]byte(strings.Repeat("e", 32)))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range composeAppstoreServices {
		s := composeService(t, p, name)
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		// The container paths, mapped to local files.
		if env["JWT_SECRET_FILE"] != "" {
			env["JWT_SECRET_FILE"] = secret
		}
		if env["ENCRYPTION_KEY_FILE"] != "" {
			env["ENCRYPTION_KEY_FILE"] = encKey
		}
		lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		cfg, err := LoadConfig(lookup)
		if err != nil {
			t.Fatalf("%s: compose environment rejected by LoadConfig: %v", name, err)
		}
		if !cfg.Production() {
			t.Fatalf("%s: compose stack must run in production mode", name)
		}
	}
}
