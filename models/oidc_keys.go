package models

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// oidcKeyLockKey serialises key rotation across processes.
const oidcKeyLockKey = 7_402_115

// OIDCSigningKey is one RS256 key of the provider. The private key is
// sealed with the Store's Encrypter; retired keys no longer sign but stay
// published until ExpiresAt, when every token they signed has expired.
type OIDCSigningKey struct {
	ID                   string `gorm:"primaryKey"`
	Algorithm            string
	PrivateKeyCiphertext []byte
	PublicKeyPEM         string `gorm:"column:public_key_pem"`
	CreatedAt            time.Time
	RetiredAt            *time.Time
	ExpiresAt            *time.Time
}

// TableName is oidc_signing_keys.
func (OIDCSigningKey) TableName() string { return "oidc_signing_keys" }

// PublicKey parses the key's public half.
func (k *OIDCSigningKey) PublicKey() (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(k.PublicKeyPEM))
	if block == nil {
		return nil, errors.New("oidc key: bad public key PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("oidc key: %w", err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("oidc key: not an RSA key")
	}
	return rsaPub, nil
}

func keyPurpose(kid string) string { return "oidc_signing_keys.private_key_ciphertext:" + kid }

// OIDCSigningKeys returns the key that signs now, decrypted, and every key
// still published (the signing one included). When no key is active, or
// the active one is older than rotation, a new key is made and the old one
// retired, staying published for keep (the longest lifetime of a token it
// signed).
func (s *Store) OIDCSigningKeys(ctx context.Context, rotation, keep time.Duration) (*rsa.PrivateKey, *OIDCSigningKey, []OIDCSigningKey, error) {
	if s.enc == nil {
		return nil, nil, nil, errors.New("store: oidc keys need an encryption key")
	}
	published, err := s.publishedKeys(s.db.WithContext(ctx))
	if err != nil {
		return nil, nil, nil, err
	}
	if active := activeKey(published); active == nil || s.now().Sub(active.CreatedAt) >= rotation {
		if published, err = s.rotateKey(ctx, rotation, keep); err != nil {
			return nil, nil, nil, err
		}
	}
	active := activeKey(published)
	plain, err := s.enc.Decrypt(active.PrivateKeyCiphertext, keyPurpose(active.ID))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: oidc key %s: %w", active.ID, err)
	}
	priv, err := x509.ParsePKCS1PrivateKey(plain)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: oidc key %s: %w", active.ID, err)
	}
	return priv, active, published, nil
}

func (s *Store) publishedKeys(db *gorm.DB) ([]OIDCSigningKey, error) {
	var keys []OIDCSigningKey
	err := db.Where("expires_at IS NULL OR expires_at > ?", s.now()).Order("created_at DESC").Find(&keys).Error
	if err != nil {
		return nil, fmt.Errorf("store: oidc keys: %w", err)
	}
	return keys, nil
}

// activeKey is the newest unretired key of keys (newest first), or nil.
func activeKey(keys []OIDCSigningKey) *OIDCSigningKey {
	for i := range keys {
		if keys[i].RetiredAt == nil {
			return &keys[i]
		}
	}
	return nil
}

// rotateKey retires the active key if due and creates its successor, under
// an advisory lock so that concurrent servers make one key, not several.
func (s *Store) rotateKey(ctx context.Context, rotation, keep time.Duration) ([]OIDCSigningKey, error) {
	var keys []OIDCSigningKey
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", oidcKeyLockKey).Error; err != nil {
			return err
		}
		current, err := s.publishedKeys(tx)
		if err != nil {
			return err
		}
		now := s.now()
		active := activeKey(current)
		if active != nil && now.Sub(active.CreatedAt) < rotation {
			keys = current // another server rotated meanwhile
			return nil
		}
		if active != nil {
			if err := tx.Model(&OIDCSigningKey{}).Where("id = ?", active.ID).
				Updates(map[string]any{"retired_at": now, "expires_at": now.Add(keep)}).Error; err != nil {
				return err
			}
		}
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		if err != nil {
			return err
		}
		kid := strings.ReplaceAll(newID().String(), "-", "")
		k := OIDCSigningKey{
			ID: kid, Algorithm: "RS256", CreatedAt: now,
			PrivateKeyCiphertext: s.enc.Encrypt(x509.MarshalPKCS1PrivateKey(priv), keyPurpose(kid)),
			PublicKeyPEM:         string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		}
		if err := tx.Create(&k).Error; err != nil {
			return err
		}
		keys, err = s.publishedKeys(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: rotate oidc key: %w", err)
	}
	return keys, nil
}
