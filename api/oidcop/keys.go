package oidcop

import (
	"context"
	"crypto/rsa"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct {
	id  string
	key *rsa.PublicKey
}

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.key }

// keepKeys is how long a retired key stays in the JWKS: longer than any
// token it signed lives (ID tokens; access tokens are opaque).
func (s *storage) keepKeys() time.Duration { return s.p.cfg.IDTokenTTL + 5*time.Minute }

// SigningKey is the active key, rotating it first when it is due.
func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	priv, active, _, err := s.p.store.OIDCSigningKeys(ctx, s.p.cfg.KeyRotation, s.keepKeys())
	if err != nil {
		return nil, err
	}
	return &signingKey{id: active.ID, key: priv}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet is every published key: the active one and retired ones whose
// tokens may still be alive.
func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	_, _, keys, err := s.p.store.OIDCSigningKeys(ctx, s.p.cfg.KeyRotation, s.keepKeys())
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, 0, len(keys))
	for i := range keys {
		pub, err := keys[i].PublicKey()
		if err != nil {
			return nil, err
		}
		out = append(out, &publicKey{id: keys[i].ID, key: pub})
	}
	return out, nil
}
