package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// resetLink requests a password reset for email and returns its request's
// link token.
func resetLink(t *testing.T, s *postgres.Store, email string) string {
	t.Helper()
	id, err := s.RequestPasswordReset(context.Background(), email)
	if err != nil || id == nil {
		t.Fatalf("RequestPasswordReset(%s) = %v, %v", email, id, err)
	}
	wantExpiry(t, mailRequest(t, s, *id), models.PasswordResetTTL)
	return mailToken(t, s, *id)
}

func TestRequestPasswordResetUnknownEmail(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	createUser(t, s, models.PlatformRoleNone)
	id, err := s.RequestPasswordReset(context.Background(), "nobody@example.test")
	if err != nil || id != nil {
		t.Fatalf("RequestPasswordReset(unknown) = %v, %v; want nil, nil", id, err)
	}
	if n := countRows(t, s, "account_mail_requests"); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
	if got := eventsOf(t, s, models.EventUserPasswordResetRequested); len(got) != 0 {
		t.Errorf("%d events, want none", len(got))
	}
	_, err = s.RequestPasswordReset(context.Background(), "not an email")
	modeltest.WantError(t, err, models.KindInvalid, "invalid_email")
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := postgres.NewStore(db)
	// Another process's session cache listens on its own connection.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "LISTEN "+models.SessionGenerationChannel); err != nil {
		t.Fatal(err)
	}

	u := createUser(t, s, models.PlatformRoleNone)
	other := createUser(t, s, models.PlatformRoleNone)
	earlier := resetLink(t, s, u.Email)
	token := resetLink(t, s, u.Email)
	loginToken, _, err := s.IssueLoginToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}

	// A weak password is refused and leaves the link usable.
	_, err = s.ResetPassword(ctx, token, "password123")
	modeltest.WantError(t, err, models.KindInvalid, "weak_password")

	got, err := s.ResetPassword(ctx, token, "brand-new-secret")
	if err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	if got.ID != u.ID || got.SessionGeneration != 1 {
		t.Errorf("user = %+v, want generation 1", got)
	}
	if _, err := s.Authenticate(ctx, u.Email, "correct horse"); err == nil {
		t.Error("the old password still works")
	}
	if _, err := s.Authenticate(ctx, u.Email, "brand-new-secret"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
	if _, err := s.ExchangeLoginToken(ctx, loginToken); err == nil {
		t.Error("a login token issued before the reset still makes a session")
	}

	waitCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(waitCtx)
	if err != nil {
		t.Fatalf("no session_generation notification: %v", err)
	}
	if want := fmt.Sprintf("%s:1", u.ID); n.Channel != models.SessionGenerationChannel || n.Payload != want {
		t.Errorf("notification %s %q, want %q", n.Channel, n.Payload, want)
	}

	e := onlyEvent(t, s, models.EventUserPasswordReset)
	if e.ActorID == nil || *e.ActorID != u.ID || e.Data["session_generation"] != float64(1) {
		t.Errorf("event = %+v", e)
	}

	// Single use, and the earlier link is used up with it.
	_, err = s.ResetPassword(ctx, token, "another-new-secret")
	modeltest.WantError(t, err, models.KindNotFound, "reset_invalid")
	_, err = s.ResetPassword(ctx, earlier, "another-new-secret")
	modeltest.WantError(t, err, models.KindNotFound, "reset_invalid")

	// A second reset raises the generation again.
	if _, err := s.ResetPassword(ctx, resetLink(t, s, u.Email), "third-new-secret"); err != nil {
		t.Fatal(err)
	}
	gens, err := s.SessionGenerations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 1 || gens[u.ID] != 2 || gens[other.ID] != 0 {
		t.Errorf("generations = %v, want only %s at 2", gens, u.ID)
	}
	n, err = conn.WaitForNotification(waitCtx)
	if err != nil || n.Payload != fmt.Sprintf("%s:2", u.ID) {
		t.Errorf("second notification = %+v, %v; want generation 2", n, err)
	}
}

func TestResetPasswordRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := postgres.NewStore(db)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "LISTEN "+models.SessionGenerationChannel); err != nil {
		t.Fatal(err)
	}
	u := createUser(t, s, models.PlatformRoleNone)

	id, err := s.RequestPasswordReset(ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	token := mailToken(t, s, *id)
	expire(t, s, *id, time.Second)
	_, err = s.ResetPassword(ctx, token, "brand-new-secret")
	modeltest.WantError(t, err, models.KindGone, "reset_expired")

	for _, bad := range []string{"", models.PasswordResetTokenPrefix + "unknown", models.NewToken(models.PasswordResetTokenPrefix)} {
		_, err = s.ResetPassword(ctx, bad, "brand-new-secret")
		modeltest.WantError(t, err, models.KindNotFound, "reset_invalid")
	}
	// A verification link does not reset a password.
	verifyID, err := s.RequestEmailVerification(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ResetPassword(ctx, mailToken(t, s, verifyID), "brand-new-secret")
	modeltest.WantError(t, err, models.KindNotFound, "reset_invalid")

	if _, err := s.Authenticate(ctx, u.Email, "correct horse"); err != nil {
		t.Errorf("a refused reset changed the password: %v", err)
	}
	if after, _ := s.GetUser(ctx, u.ID); after.SessionGeneration != 0 {
		t.Errorf("generation = %d after refused resets, want 0", after.SessionGeneration)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if n, err := conn.WaitForNotification(waitCtx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("notification %+v, %v after refused resets, want none", n, err)
	}
}

func TestResetPasswordConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	token := resetLink(t, s, u.Email)
	errs := make(chan error, 3)
	for i := range cap(errs) {
		go func() {
			_, err := s.ResetPassword(ctx, token, fmt.Sprintf("racing-secret-%d", i))
			errs <- err
		}()
	}
	ok := 0
	for range cap(errs) {
		err := <-errs
		if err == nil {
			ok++
			continue
		}
		modeltest.WantError(t, err, models.KindNotFound, "reset_invalid")
	}
	if after, _ := s.GetUser(ctx, u.ID); ok != 1 || after.SessionGeneration != 1 {
		t.Errorf("%d resets succeeded, generation %d; want exactly one", ok, after.SessionGeneration)
	}
}
