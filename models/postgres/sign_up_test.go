package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// mailRequest returns the stored account mail request id.
func mailRequest(t *testing.T, s *postgres.Store, id uuid.UUID) models.AccountMailRequest {
	t.Helper()
	var req models.AccountMailRequest
	if err := s.Gorm().First(&req, "id = ?", id).Error; err != nil {
		t.Fatalf("account mail request %s: %v", id, err)
	}
	return req
}

// requestsOf returns userID's account mail requests of purpose.
func requestsOf(t *testing.T, s *postgres.Store, userID uuid.UUID, purpose string) []models.AccountMailRequest {
	t.Helper()
	var reqs []models.AccountMailRequest
	if err := s.Gorm().Where("user_id = ? AND purpose = ?", userID, purpose).Order("created_at, id").Find(&reqs).Error; err != nil {
		t.Fatal(err)
	}
	return reqs
}

// mailToken mails request id and returns the link token it carried.
func mailToken(t *testing.T, s *postgres.Store, id uuid.UUID) string {
	t.Helper()
	var token string
	sent, err := s.MailAccountToken(context.Background(), id, func(_ *models.AccountMailRequest, _ *models.User, tok string) error {
		token = tok
		return nil
	})
	if err != nil || !sent {
		t.Fatalf("MailAccountToken(%s) = %v, %v; want sent", id, sent, err)
	}
	return token
}

// expire moves request id's expiry to ago in the past.
func expire(t *testing.T, s *postgres.Store, id uuid.UUID, ago time.Duration) {
	t.Helper()
	if err := s.Gorm().Exec(`UPDATE account_mail_requests SET expires_at = ? WHERE id = ?`, time.Now().Add(-ago), id).Error; err != nil {
		t.Fatal(err)
	}
}

// wantExpiry fails unless req expires about ttl after it was created.
func wantExpiry(t *testing.T, req models.AccountMailRequest, ttl time.Duration) {
	t.Helper()
	if req.ExpiresAt == nil || req.ExpiresAt.Sub(req.CreatedAt) != ttl {
		t.Errorf("%s request created %s expires %v, want %s later", req.Purpose, req.CreatedAt, req.ExpiresAt, ttl)
	}
}

func TestSignUpNewEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)

	res, err := s.SignUp(ctx, " New.Person@Example.TEST ", "  Nia Person ", "violet-otter-lamp")
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if res.Existing || res.User == nil || res.MailRequestID == uuid.Nil {
		t.Fatalf("result = %+v, want a new user and a mail request", res)
	}
	u, err := s.GetUser(ctx, res.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "new.person@example.test" || u.Name != "Nia Person" || u.EmailVerifiedAt != nil ||
		u.PlatformRole != models.PlatformRoleNone || u.SessionGeneration != 0 {
		t.Errorf("user = %+v, want an unverified, normalised new user", u)
	}
	if _, err := s.Authenticate(ctx, "new.person@example.test", "violet-otter-lamp"); err != nil {
		t.Errorf("the new account does not sign in: %v", err)
	}
	req := mailRequest(t, s, res.MailRequestID)
	if req.UserID != u.ID || req.Purpose != models.AccountMailVerifyEmail || req.MailedAt != nil || req.TokenHash != nil {
		t.Errorf("request = %+v, want an unmailed verify_email request of the user", req)
	}
	wantExpiry(t, req, models.VerifyEmailTTL)
	e := onlyEvent(t, s, models.EventUserSignedUp)
	if e.ActorID == nil || *e.ActorID != u.ID || e.Data["email"] != u.Email {
		t.Errorf("event = %+v", e)
	}
}

func TestSignUpExistingEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner, err := s.CreateUser(ctx, models.NewUser{Email: "owner@example.test", Name: "Owner", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.GetUser(ctx, owner.ID)
	if err != nil {
		t.Fatal(err)
	}

	res, err := s.SignUp(ctx, "OWNER@example.test", "Mallory", "violet-otter-lamp")
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if !res.Existing || res.User == nil || res.User.ID != owner.ID {
		t.Fatalf("result = %+v, want the existing user", res)
	}
	after, err := s.GetUser(ctx, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Name != before.Name || after.PasswordHash != before.PasswordHash || !after.UpdatedAt.Equal(before.UpdatedAt) ||
		after.EmailVerifiedAt != nil {
		t.Errorf("existing user changed: %+v", after)
	}
	if _, err := s.Authenticate(ctx, owner.Email, "violet-otter-lamp"); err == nil {
		t.Error("the sign-up's password signs in to the existing account")
	}
	if got := countRows(t, s, "users"); got != 1 {
		t.Errorf("%d users, want 1", got)
	}
	req := mailRequest(t, s, res.MailRequestID)
	if req.UserID != owner.ID || req.Purpose != models.AccountMailSignupExisting {
		t.Errorf("request = %+v, want signup_existing for the owner", req)
	}
	if reqs := requestsOf(t, s, owner.ID, models.AccountMailVerifyEmail); len(reqs) != 0 {
		t.Errorf("%d verify_email requests, want none", len(reqs))
	}
	if got := eventsOf(t, s, models.EventUserSignedUp); len(got) != 0 {
		t.Errorf("%d user.signed_up events, want none", len(got))
	}
	e := onlyEvent(t, s, models.EventUserSignupAttempted)
	if e.ActorID != nil || e.Data["user_id"] != owner.ID.String() {
		t.Errorf("event = %+v, want no actor and the owner's id", e)
	}

	// Its mail carries no token.
	var token = "unset"
	if sent, err := s.MailAccountToken(ctx, res.MailRequestID, func(_ *models.AccountMailRequest, _ *models.User, tok string) error {
		token = tok
		return nil
	}); err != nil || !sent || token != "" {
		t.Errorf("MailAccountToken = %v, %v, token %q; want sent without a token", sent, err, token)
	}
	if req := mailRequest(t, s, res.MailRequestID); req.TokenHash != nil || req.MailedAt == nil {
		t.Errorf("request after mail = %+v, want mailed, no token hash", req)
	}
}

func TestSignUpConcurrentSameEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	results := make([]*models.SignUpResult, 4)
	errs := make([]error, len(results))
	done := make(chan int)
	for i := range results {
		go func() {
			results[i], errs[i] = s.SignUp(ctx, "race@example.test", "Racer", "violet-otter-lamp")
			done <- i
		}()
	}
	for range results {
		<-done
	}
	fresh := 0
	for i, res := range results {
		if errs[i] != nil {
			t.Fatalf("SignUp %d: %v", i, errs[i])
		}
		if !res.Existing {
			fresh++
		}
	}
	if fresh != 1 || countRows(t, s, "users") != 1 {
		t.Errorf("%d new results, %d users; want exactly one of each", fresh, countRows(t, s, "users"))
	}
}

func TestSignUpRejects(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tests := []struct {
		name, email, userName, password, code, field string
	}{
		{"bad email", "not-an-email", "X", "violet-otter-lamp", "invalid_email", "email"},
		{"long name", "x@example.test", strings.Repeat("n", 101), "violet-otter-lamp", "invalid_name", "name"},
		{"weak password", "x@example.test", "X", "short", "weak_password", "password"},
		{"password contains the email", "lovelace@example.test", "X", "lovelace-forever", "weak_password", "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SignUp(context.Background(), tt.email, tt.userName, tt.password)
			de := modeltest.WantError(t, err, models.KindInvalid, tt.code)
			if len(de.Fields) != 1 || de.Fields[0].Field != tt.field {
				t.Errorf("fields = %+v, want %s", de.Fields, tt.field)
			}
		})
	}
	if n := countRows(t, s, "users") + countRows(t, s, "account_mail_requests"); n != 0 {
		t.Errorf("%d rows written by rejected sign-ups", n)
	}
}

func TestVerifyEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	res, err := s.SignUp(ctx, "nia@example.test", "Nia", "violet-otter-lamp")
	if err != nil {
		t.Fatal(err)
	}
	token := mailToken(t, s, res.MailRequestID)
	if !strings.HasPrefix(token, models.VerifyEmailTokenPrefix) {
		t.Fatalf("token %q lacks the verify prefix", token)
	}
	pending, err := s.RequestEmailVerification(ctx, res.User.ID) // a second request, not yet mailed
	if err != nil {
		t.Fatal(err)
	}

	u, err := s.VerifyEmail(ctx, token)
	if err != nil {
		t.Fatalf("VerifyEmail: %v", err)
	}
	if u.ID != res.User.ID || u.EmailVerifiedAt == nil {
		t.Fatalf("user = %+v, want verified", u)
	}
	if req := mailRequest(t, s, res.MailRequestID); req.UsedAt == nil {
		t.Error("request not marked used")
	}
	e := onlyEvent(t, s, models.EventUserEmailVerified)
	if e.ActorID == nil || *e.ActorID != u.ID {
		t.Errorf("event actor = %v, want the user", e.ActorID)
	}

	// A second click is fine and changes nothing.
	again, err := s.VerifyEmail(ctx, token)
	if err != nil {
		t.Fatalf("second VerifyEmail: %v", err)
	}
	if !again.EmailVerifiedAt.Equal(*u.EmailVerifiedAt) {
		t.Errorf("verified at moved from %s to %s", u.EmailVerifiedAt, again.EmailVerifiedAt)
	}
	onlyEvent(t, s, models.EventUserEmailVerified)

	// Verified: no new request, and the pending verify mail is not sent.
	_, err = s.RequestEmailVerification(ctx, u.ID)
	modeltest.WantError(t, err, models.KindConflict, "already_verified")
	sent, err := s.MailAccountToken(ctx, pending, func(*models.AccountMailRequest, *models.User, string) error {
		t.Error("mailed a verification link to a verified address")
		return nil
	})
	if err != nil || sent {
		t.Errorf("MailAccountToken(pending) = %v, %v; want false, nil", sent, err)
	}
}

func TestVerifyEmailRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)

	id, err := s.RequestEmailVerification(ctx, u.ID)
	if err != nil {
		t.Fatalf("RequestEmailVerification: %v", err)
	}
	wantExpiry(t, mailRequest(t, s, id), models.VerifyEmailTTL)
	onlyEvent(t, s, models.EventUserEmailVerificationRequested)
	token := mailToken(t, s, id)
	expire(t, s, id, time.Second)
	_, err = s.VerifyEmail(ctx, token)
	modeltest.WantError(t, err, models.KindGone, "verification_expired")

	_, err = s.VerifyEmail(ctx, models.VerifyEmailTokenPrefix+"unknown")
	modeltest.WantError(t, err, models.KindNotFound, "verification_invalid")
	_, err = s.VerifyEmail(ctx, "")
	modeltest.WantError(t, err, models.KindNotFound, "verification_invalid")

	// A reset link is not a verification link, even with the prefix swapped.
	resetID, err := s.RequestPasswordReset(ctx, u.Email)
	if err != nil || resetID == nil {
		t.Fatalf("RequestPasswordReset = %v, %v", resetID, err)
	}
	reset := mailToken(t, s, *resetID)
	_, err = s.VerifyEmail(ctx, reset)
	modeltest.WantError(t, err, models.KindNotFound, "verification_invalid")
	_, err = s.VerifyEmail(ctx, models.VerifyEmailTokenPrefix+strings.TrimPrefix(reset, models.PasswordResetTokenPrefix))
	modeltest.WantError(t, err, models.KindNotFound, "verification_invalid")

	if after, _ := s.GetUser(ctx, u.ID); after.EmailVerifiedAt != nil {
		t.Error("a refused verification verified the user")
	}
	_, err = s.RequestEmailVerification(ctx, uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "user_not_found")
}

// BenchmarkSignUp compares a sign-up with a new address and one with an
// address that has an account: both hash the password, so their times
// should be close (go test -run '^$' -bench SignUp ./models/).
func BenchmarkSignUp(b *testing.B) {
	ctx := context.Background()
	s := postgres.NewStore(pgtest.New(b))
	if _, err := s.SignUp(ctx, "taken@example.test", "Owner", "violet-otter-lamp"); err != nil {
		b.Fatal(err)
	}
	b.Run("new", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := s.SignUp(ctx, fmt.Sprintf("new%d@example.test", i), "New", "violet-otter-lamp"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("existing", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.SignUp(ctx, "taken@example.test", "Someone", "violet-otter-lamp"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
