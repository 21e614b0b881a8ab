package postgres

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

	"appstore/models"
)

// oidcKeyLockKey serialises key rotation across processes.
const oidcKeyLockKey = 7_402_115

func keyPurpose(kid string) string { return "oidc_signing_keys.private_key_ciphertext:" + kid }

// OIDCSigningKeys returns the key that signs now, decrypted, and every key
// still published (the signing one included). When no key is active, or
// the active one is older than rotation, a new key is made and the old one
// retired, staying published for keep (the longest lifetime of a token it
// signed).
func (s *OIDC) OIDCSigningKeys(ctx context.Context, rotation, keep time.Duration) (*rsa.PrivateKey, *models.OIDCSigningKey, []models.OIDCSigningKey, error) {
	if s.enc == nil {
		return nil, nil, nil, errors.New("store: oidc keys need an encryption key")
	}
	published, err := s.publishedKeys(s.db.WithContext(ctx))
	if err != nil {
		return nil, nil, nil, err
	}
	if active := models.ActiveSigningKey(published); active == nil || s.now().Sub(active.CreatedAt) >= rotation {
		if published, err = s.rotateKey(ctx, rotation, keep); err != nil {
			return nil, nil, nil, err
		}
	}
	active := models.ActiveSigningKey(published)
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

func (s *OIDC) publishedKeys(db *gorm.DB) ([]models.OIDCSigningKey, error) {
	var keys []models.OIDCSigningKey
	err := db.Where("expires_at IS NULL OR expires_at > ?", s.now()).Order("created_at DESC").Find(&keys).Error
	if err != nil {
		return nil, fmt.Errorf("store: oidc keys: %w", err)
	}
	return keys, nil
}

// rotateKey retires the active key if due and creates its successor, under
// an advisory lock so that concurrent servers make one key, not several.
func (s *OIDC) rotateKey(ctx context.Context, rotation, keep time.Duration) ([]models.OIDCSigningKey, error) {
	var keys []models.OIDCSigningKey
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", oidcKeyLockKey).Error; err != nil {
			return err
		}
		current, err := s.publishedKeys(tx)
		if err != nil {
			return err
		}
		now := s.now()
		active := models.ActiveSigningKey(current)
		if active != nil && now.Sub(active.CreatedAt) < rotation {
			keys = current // another server rotated meanwhile
			return nil
		}
		if active != nil {
			if err := tx.Model(&models.OIDCSigningKey{}).Where("id = ?", active.ID).
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
		k := models.OIDCSigningKey{
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
