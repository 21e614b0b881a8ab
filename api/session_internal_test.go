package api

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

var internalTestKey = []byte("0123456789abcdef0123456789abcdef-internal")

func newTestSessions(now *time.Time) *Sessions {
	s := NewSessions(internalTestKey, "http://appstore.test", time.Hour)
	s.now = func() time.Time { return *now }
	return s
}

// A token verified once is cached; the cache must still honour expiry and
// must not let an altered token through.
func TestVerifiedCacheHonoursExpiryAndTampering(t *testing.T) {
	now := time.Now()
	s := newTestSessions(&now)
	tok, _, err := s.Issue(&models.User{ID: uuid.Must(uuid.NewV7()), Email: "a@acme.test", PlatformRole: models.PlatformRoleNone})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(tok); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if _, ok := s.verified.Get(tok); !ok {
		t.Fatal("verified token was not cached")
	}
	if _, err := s.Verify(tok[:len(tok)-2] + "AA"); err == nil {
		t.Fatal("tampered signature accepted after the original was cached")
	}
	now = now.Add(time.Hour + time.Second)
	_, err = s.Verify(tok)
	if e, ok := models.AsError(err); !ok || e.Code != "session_expired" {
		t.Fatalf("cached token past expiry: %v, want session_expired", err)
	}
	if _, ok := s.verified.Get(tok); ok {
		t.Fatal("expired token stays cached")
	}
}

// BenchmarkSessionVerifyUncached is the full cost of verifying a token the
// process has not seen before: signature, JSON decoding and claim checks.
func BenchmarkSessionVerifyUncached(b *testing.B) {
	now := time.Now()
	s := newTestSessions(&now)
	tok, _, err := s.Issue(&models.User{ID: uuid.Must(uuid.NewV7()), Email: "bench@acme.test"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.verified.Remove(tok)
		if _, err := s.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
