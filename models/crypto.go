package models

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// EncryptionKeySize is the key length of AES-256.
const EncryptionKeySize = 32

// encryptionV1 prefixes every ciphertext: AES-256-GCM with a 12-byte random
// nonce. A later format (another cipher, a key id for rotation) gets a new
// byte, and old values stay readable.
const encryptionV1 byte = 1

// ErrDecrypt is returned for a ciphertext that fails authentication: it was
// altered, sealed under another key or for another purpose, or is not one of
// ours. Callers treat it as an internal error; nothing about it is safe to
// show beyond "cannot read a stored secret".
var ErrDecrypt = errors.New("crypto: cannot decrypt: wrong key, wrong purpose or altered ciphertext")

// Encrypter seals the secrets we must use again later (connection client
// secrets, webhook signing secrets, connection values) with AES-256-GCM under
// a key from configuration (ENCRYPTION_KEY). Safe for concurrent use.
type Encrypter struct {
	aead cipher.AEAD
}

// NewEncrypter returns an Encrypter for a 32-byte key, or an error for any
// other length.
func NewEncrypter(key []byte) (*Encrypter, error) {
	if len(key) != EncryptionKeySize {
		return nil, fmt.Errorf("crypto: encryption key must be %d bytes, got %d", EncryptionKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("crypto: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("crypto: %w", err)
	}
	return &Encrypter{aead: aead}, nil
}

// ParseEncryptionKey decodes a base64 key (standard or URL alphabet, padded
// or not) as configured in ENCRYPTION_KEY and returns its Encrypter. The
// error never repeats the key.
func ParseEncryptionKey(encoded string) (*Encrypter, error) {
	encoded = strings.TrimSpace(encoded)
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err = enc.DecodeString(encoded); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("crypto: encryption key is not base64 (generate one with: openssl rand -base64 32)")
	}
	return NewEncrypter(key)
}

// Encrypt seals plaintext. purpose is authenticated but not stored: pass
// what the value is and whose it is (the column and the row id), so a
// ciphertext copied to another row or column fails to decrypt. Each call
// draws a fresh random nonce, so equal plaintexts give unrelated
// ciphertexts. Output: version byte || nonce || ciphertext and tag.
func (e *Encrypter) Encrypt(plaintext []byte, purpose string) []byte {
	nonceSize := e.aead.NonceSize()
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+e.aead.Overhead())
	out[0] = encryptionV1
	rand.Read(out[1:]) // crypto/rand never fails on supported platforms (Go 1.24+)
	return e.aead.Seal(out, out[1:], plaintext, []byte(purpose))
}

// Decrypt opens a ciphertext made by Encrypt with the same purpose. It
// returns ErrDecrypt when the value was altered, sealed under another key or
// purpose, or has an unknown format.
func (e *Encrypter) Decrypt(ciphertext []byte, purpose string) ([]byte, error) {
	nonceSize := e.aead.NonceSize()
	if len(ciphertext) < 1+nonceSize+e.aead.Overhead() || ciphertext[0] != encryptionV1 {
		return nil, ErrDecrypt
	}
	plain, err := e.aead.Open(nil, ciphertext[1:1+nonceSize], ciphertext[1+nonceSize:], []byte(purpose))
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}

// ErrNoEncrypter is what methods that need the encryption key return when
// the store has none: a wiring mistake, so an internal error.
var ErrNoEncrypter = &Error{Kind: KindInternal, Code: "encryption_not_configured",
	Message: "Secrets cannot be stored: no encryption key is configured.",
	Err:     errors.New("store: no Encrypter set (configure ENCRYPTION_KEY and call Store.SetEncrypter)")}
