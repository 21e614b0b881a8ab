package api

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"

	"appstore/models"
)

// SessionTTL is how long a session JWT lives.
const SessionTTL = time.Hour

// SessionClaims are what a session JWT carries: enough to authorise most
// requests without touching the database.
type SessionClaims struct {
	jwt.RegisteredClaims
	Email string              `json:"email"`
	Role  models.PlatformRole `json:"platform_role"`
	// Gen is the user's session generation when the token was issued; a
	// password reset raises the user's, and older tokens stop working.
	Gen int `json:"gen"`

	userID uuid.UUID // Subject, parsed once by Verify
}

// verifiedCacheSize bounds the cache of verified tokens (a few MB at most).
const verifiedCacheSize = 10_000

// Sessions issues and verifies session JWTs (HS256) with one key.
type Sessions struct {
	key    []byte
	issuer string
	ttl    time.Duration
	now    func() time.Time
	parser *jwt.Parser
	// verified remembers tokens whose signature and claims already checked
	// out, keyed by the whole token string: a browser sends the same cookie
	// for an hour, and re-decoding its JSON is most of the cost of a request's
	// authentication. Any altered token is a different key and is verified
	// in full; expiry is checked again on every hit.
	verified *lru.Cache[string, *SessionClaims]
	// generations refuses tokens issued before the user's last password
	// reset; nil treats every user as generation 0.
	generations *SessionGenerations
}

// NewSessions returns a Sessions signing with key, naming issuer in every token.
func NewSessions(key []byte, issuer string, ttl time.Duration) *Sessions {
	verified, _ := lru.New[string, *SessionClaims](verifiedCacheSize) // errors only for size <= 0
	s := &Sessions{key: key, issuer: issuer, ttl: ttl, now: time.Now, verified: verified}
	s.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), // refuses alg:none and every other alg
		jwt.WithIssuer(issuer),
		jwt.WithAudience(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return s.now() }),
	)
	return s
}

// UseGenerations makes Verify refuse tokens whose generation is below their
// user's current one in g. Call it before s verifies anything.
func (s *Sessions) UseGenerations(g *SessionGenerations) { s.generations = g }

// Issue returns a signed session token for u and when it expires.
func (s *Sessions) Issue(u *models.User) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(s.ttl)
	claims := SessionClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   u.ID.String(),
			Audience:  jwt.ClaimStrings{s.issuer},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        uuid.Must(uuid.NewV7()).String(),
		},
		Email: u.Email,
		Role:  u.PlatformRole,
		Gen:   u.SessionGeneration,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign session: %w", err)
	}
	return signed, exp, nil
}

var (
	errSessionExpired = &models.Error{Kind: models.KindUnauthorized, Code: "session_expired", Message: "Your session has expired. Sign in again."}
	errSessionInvalid = &models.Error{Kind: models.KindUnauthorized, Code: "invalid_session", Message: "The session token is not valid. Sign in again."}
	errSessionRevoked = &models.Error{Kind: models.KindUnauthorized, Code: "session_revoked",
		Message: "Your session has ended because your password was changed. Sign in again."}
)

// Verify checks a token's signature, algorithm, issuer, audience and times,
// locally: no database, no network. Its unauthorized errors are
// "session_expired", "invalid_session", and "session_revoked" for a token
// issued before its user's current session generation (a password reset
// since). The generation is checked on every call, also for a token found
// in the cache of verified tokens: the cache only saves the decoding.
func (s *Sessions) Verify(token string) (*SessionClaims, error) {
	c, ok := s.verified.Get(token)
	if ok {
		if !s.now().Before(c.ExpiresAt.Time) {
			s.verified.Remove(token)
			return nil, errSessionExpired
		}
	} else {
		var claims SessionClaims
		_, err := s.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.key, nil })
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, errSessionExpired
		}
		if err != nil {
			return nil, &models.Error{Kind: errSessionInvalid.Kind, Code: errSessionInvalid.Code, Message: errSessionInvalid.Message, Err: err}
		}
		if claims.userID, err = uuid.Parse(claims.Subject); err != nil {
			return nil, errSessionInvalid
		}
		c = &claims
		s.verified.Add(token, c)
	}
	if c.Gen < s.generations.Current(c.userID) {
		return nil, errSessionRevoked
	}
	return c, nil
}

// UserID is the user the token was issued to: its subject, as parsed by
// Verify (zero in claims that did not come from Verify).
func (c *SessionClaims) UserID() uuid.UUID { return c.userID }
