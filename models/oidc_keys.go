package models

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

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

// ActiveSigningKey is the newest unretired key of keys (newest first), or nil.
func ActiveSigningKey(keys []OIDCSigningKey) *OIDCSigningKey {
	for i := range keys {
		if keys[i].RetiredAt == nil {
			return &keys[i]
		}
	}
	return nil
}
