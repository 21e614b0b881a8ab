// Package runtime serves app runtime origins (DESIGN §7): one origin per
// app, on another site than the platform, serving only the runtime page,
// the pinned SDK build and the app's content-addressed client bundles. It
// reads no cookie; which bundle a page runs comes from a frame token the
// platform signs.
package runtime

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// tokenAudience keeps frame tokens and session tokens apart even if a key
// were shared by mistake; the key is derived for this use as well.
const tokenAudience = "appstore-runtime"

// DefaultTokenTTL is how long a frame token opens a runtime page: long
// enough for a slow page load, short enough that a leaked URL soon dies.
const DefaultTokenTTL = 10 * time.Minute

// Frame is what a frame token names: one installation running one
// deployment's client bundle, on the app's runtime origin.
type Frame struct {
	InstallationID uuid.UUID `json:"ins"`
	DeploymentID   uuid.UUID `json:"dep"`
	AppID          uuid.UUID `json:"aid"`
	AppSlug        string    `json:"app"`
	BundleSHA256   string    `json:"bun"`
}

type frameClaims struct {
	Frame
	jwt.RegisteredClaims
}

// Tokens signs and verifies frame tokens (HS256).
type Tokens struct {
	key    []byte
	issuer string
	ttl    time.Duration
	now    func() time.Time
}

// NewTokens derives the frame-token key from secret (the platform's JWT
// secret) and signs as issuer (the platform origin).
func NewTokens(secret []byte, issuer string) *Tokens {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("appstore runtime frame token v1"))
	return &Tokens{key: mac.Sum(nil), issuer: issuer, ttl: DefaultTokenTTL, now: time.Now}
}

// ErrBadToken is any token that does not open a runtime page: malformed,
// forged, expired or for another audience.
var ErrBadToken = errors.New("runtime: bad frame token")

// Sign returns a token for f that expires after the token TTL.
func (t *Tokens) Sign(f Frame) (string, error) {
	now := t.now()
	c := frameClaims{Frame: f, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: t.issuer, Audience: jwt.ClaimStrings{tokenAudience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
}

// Verify returns the frame a token names, or ErrBadToken.
func (t *Tokens) Verify(token string) (*Frame, error) {
	var c frameClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithAudience(tokenAudience),
		jwt.WithIssuer(t.issuer), jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now))
	if err != nil || c.InstallationID == uuid.Nil || c.AppSlug == "" || c.BundleSHA256 == "" {
		return nil, ErrBadToken
	}
	return &c.Frame, nil
}
