package models_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestEncrypterRoundTrip(t *testing.T) {
	e := modeltest.NewEncrypter(t)
	for _, plain := range [][]byte{nil, []byte("x"), []byte("client-secret-of-a-provider"), bytes.Repeat([]byte{0xff}, 5000)} {
		sealed := e.Encrypt(plain, "purpose")
		// Only a plaintext long enough not to occur in random bytes by chance
		// can be looked for.
		if len(plain) >= 8 && bytes.Contains(sealed, plain) {
			t.Fatalf("ciphertext contains the plaintext")
		}
		got, err := e.Decrypt(sealed, "purpose")
		if err != nil {
			t.Fatalf("Decrypt(%d bytes): %v", len(plain), err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("round trip of %d bytes gave %d bytes", len(plain), len(got))
		}
	}
}

func TestEncrypterRejects(t *testing.T) {
	e := modeltest.NewEncrypter(t)
	other := modeltest.NewEncrypter(t)
	sealed := e.Encrypt([]byte("s3cret"), "connection_definitions.client_secret:1")
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	cases := []struct {
		name       string
		enc        *models.Encrypter
		ciphertext []byte
		purpose    string
	}{
		{"wrong key", other, sealed, "connection_definitions.client_secret:1"},
		{"wrong purpose (copied to another row)", e, sealed, "connection_definitions.client_secret:2"},
		{"version byte altered", e, flip(0), "connection_definitions.client_secret:1"},
		{"nonce altered", e, flip(1), "connection_definitions.client_secret:1"},
		{"ciphertext altered", e, flip(14), "connection_definitions.client_secret:1"},
		{"tag altered", e, flip(len(sealed) - 1), "connection_definitions.client_secret:1"},
		{"truncated", e, sealed[:len(sealed)-1], "connection_definitions.client_secret:1"},
		{"too short for a nonce and tag", e, sealed[:20], "connection_definitions.client_secret:1"},
		{"empty", e, nil, "connection_definitions.client_secret:1"},
		{"plaintext, not ours", e, []byte("s3cret"), "connection_definitions.client_secret:1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.enc.Decrypt(tc.ciphertext, tc.purpose)
			if !errors.Is(err, models.ErrDecrypt) || got != nil {
				t.Fatalf("Decrypt = %q, %v; want ErrDecrypt", got, err)
			}
		})
	}
}

func TestEncrypterNonceUniqueness(t *testing.T) {
	e := modeltest.NewEncrypter(t)
	const n = 10_000
	seen := make(map[string]bool, n)
	plain := []byte("same plaintext every time")
	for range n {
		sealed := e.Encrypt(plain, "p")
		nonce := string(sealed[1:13])
		if seen[nonce] {
			t.Fatalf("nonce repeated after %d encryptions", len(seen))
		}
		seen[nonce] = true
	}
	a, b := e.Encrypt(plain, "p"), e.Encrypt(plain, "p")
	if bytes.Equal(a, b) {
		t.Fatal("equal plaintexts gave equal ciphertexts")
	}
}

func TestNewEncrypterKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := models.NewEncrypter(make([]byte, n)); err == nil {
			t.Errorf("NewEncrypter accepted a %d-byte key", n)
		}
	}
}

func TestParseEncryptionKey(t *testing.T) {
	key := modeltest.NewEncryptionKey(t)
	sealed := func(t *testing.T, encoded string) {
		t.Helper()
		e, err := models.ParseEncryptionKey(encoded)
		if err != nil {
			t.Fatalf("ParseEncryptionKey: %v", err)
		}
		ref, _ := models.NewEncrypter(key)
		if _, err := ref.Decrypt(e.Encrypt([]byte("v"), "p"), "p"); err != nil {
			t.Fatalf("parsed key differs from the raw key: %v", err)
		}
	}
	for name, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding, "raw std": base64.RawStdEncoding,
		"url": base64.URLEncoding, "raw url": base64.RawURLEncoding} {
		t.Run(name, func(t *testing.T) { sealed(t, " "+enc.EncodeToString(key)+"\n") })
	}
	bad := []string{"", "not base64!!", base64.StdEncoding.EncodeToString(key[:16]), base64.StdEncoding.EncodeToString(append(key, 0))}
	for _, s := range bad {
		_, err := models.ParseEncryptionKey(s)
		if err == nil {
			t.Errorf("ParseEncryptionKey(%q) accepted", s)
			continue
		}
		if len(s) > 8 && strings.Contains(err.Error(), s) {
			t.Errorf("error repeats the key: %v", err)
		}
	}
}

func BenchmarkEncrypt(b *testing.B) {
	e := modeltest.NewEncrypter(b)
	plain := bytes.Repeat([]byte("x"), 64)
	for b.Loop() {
		e.Encrypt(plain, "connection_definitions.client_secret:0190a0b0-0000-7000-8000-000000000000")
	}
}
