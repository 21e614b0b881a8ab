package api

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if e, ok := models.AsError(err); !ok || e.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// A token issued before its user's generation rose is refused even when the
// cache of verified tokens already holds it; tokens issued since work.
func TestVerifyRefusesOlderGeneration(t *testing.T) {
	now := time.Now()
	s := newTestSessions(&now)
	gens := NewSessionGenerations(nil)
	s.UseGenerations(gens)
	u := &models.User{ID: uuid.Must(uuid.NewV7()), Email: "a@acme.test", PlatformRole: models.PlatformRoleNone}
	other := &models.User{ID: uuid.Must(uuid.NewV7()), Email: "b@acme.test", PlatformRole: models.PlatformRoleNone}

	old, _, err := s.Issue(u)
	if err != nil {
		t.Fatal(err)
	}
	otherTok, _, err := s.Issue(other)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Verify(old)
	if err != nil || c.Gen != 0 || c.UserID() != u.ID {
		t.Fatalf("before the reset: %+v, %v", c, err)
	}
	if _, ok := s.verified.Get(old); !ok {
		t.Fatal("verified token was not cached")
	}

	gens.Set(u.ID, 1)
	_, err = s.Verify(old)
	wantCode(t, err, "session_revoked")
	if e, _ := models.AsError(err); e.Kind != models.KindUnauthorized {
		t.Fatalf("kind %s, want unauthorized", e.Kind)
	}
	// Still refused the next time, cached or not.
	s.verified.Remove(old)
	_, err = s.Verify(old)
	wantCode(t, err, "session_revoked")
	if _, err := s.Verify(otherTok); err != nil {
		t.Fatalf("another user's session: %v", err)
	}

	u.SessionGeneration = 1
	fresh, _, err := s.Issue(u)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Verify(fresh); err != nil || c.Gen != 1 {
		t.Fatalf("a session issued after the reset: %+v, %v", c, err)
	}
	// Issued by a process that heard of a newer generation than this one:
	// newer is fine.
	u.SessionGeneration = 2
	newer, _, err := s.Issue(u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(newer); err != nil {
		t.Fatalf("a session from a newer generation: %v", err)
	}
	// Expiry is still checked first for a cached token.
	now = now.Add(time.Hour + time.Second)
	_, err = s.Verify(fresh)
	wantCode(t, err, "session_expired")
}

// Without UseGenerations every user is generation 0.
func TestVerifyWithoutGenerations(t *testing.T) {
	now := time.Now()
	s := newTestSessions(&now)
	tok, _, err := s.Issue(&models.User{ID: uuid.Must(uuid.NewV7()), Email: "a@acme.test", SessionGeneration: 4})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Verify(tok); err != nil || c.Gen != 4 {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
}

// A nil set is all zeros; a failed Reload keeps what was known.
func TestSessionGenerationsNilAndFailedReload(t *testing.T) {
	var g *SessionGenerations
	if g.Current(uuid.New()) != 0 || g.Reload(context.Background()) != nil {
		t.Fatal("a nil set is not all zeros")
	}
	g.Set(uuid.New(), 3) // no panic

	empty := NewSessionGenerations(nil)
	if err := empty.Reload(context.Background()); err != nil {
		t.Fatalf("Reload without a loader: %v", err)
	}
	failing := NewSessionGenerations(func(context.Context) (map[uuid.UUID]int, error) { return nil, errors.New("down") })
	id := uuid.New()
	failing.Set(id, 2)
	if err := failing.Reload(context.Background()); err == nil {
		t.Fatal("Reload hid the load error")
	}
	if got := failing.Current(id); got != 2 {
		t.Fatalf("after a failed Reload Current = %d, want the 2 known before", got)
	}
}
