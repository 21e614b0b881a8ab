package postgres_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)

	u, err := s.CreateUser(ctx, models.NewUser{Email: "  Alice.Smith@Example.TEST ", Name: "Alice", Password: "pw-alice", Verified: true})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.Email != "alice.smith@example.test" {
		t.Errorf("email = %q, want it trimmed and lowercased", u.Email)
	}
	if u.PlatformRole != models.PlatformRoleNone {
		t.Errorf("platform role = %q, want none by default", u.PlatformRole)
	}
	if u.EmailVerifiedAt == nil {
		t.Error("Verified user has no email_verified_at")
	}
	stored, err := s.GetUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Email != u.Email || stored.PasswordHash == "pw-alice" || !models.CheckPassword(stored.PasswordHash, "pw-alice") {
		t.Errorf("stored user %+v does not match", stored)
	}
	var events []models.Event
	if err := s.Gorm().Where("type = ?", models.EventUserCreated).Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].ActorID == nil || *events[0].ActorID != u.ID || events[0].Data["email"] != u.Email {
		t.Errorf("user.created events = %+v, want one naming the user", events)
	}

	tests := []struct {
		name  string
		email string
		kind  models.Kind
		code  string
	}{
		{"same email", "alice.smith@example.test", models.KindConflict, "email_taken"},
		{"differs only in case", "ALICE.SMITH@example.test", models.KindConflict, "email_taken"},
		{"differs in case and spaces", " Alice.Smith@EXAMPLE.test", models.KindConflict, "email_taken"},
		{"not an address", "alice", models.KindInvalid, "invalid_email"},
		{"display name form", "Alice <alice@example.test>", models.KindInvalid, "invalid_email"},
		{"empty", "", models.KindInvalid, "invalid_email"},
		{"too long", strings.Repeat("a", 250) + "@example.test", models.KindInvalid, "invalid_email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, models.NewUser{Email: tt.email, Password: "pw"})
			modeltest.WantError(t, err, tt.kind, tt.code)
		})
	}
	if !errors.Is(func() error {
		_, err := s.CreateUser(ctx, models.NewUser{Email: "ALICE.smith@example.test", Password: "pw"})
		return err
	}(), models.ErrConflict) {
		t.Error("email_taken is not errors.Is ErrConflict")
	}
	if n := countRows(t, s, "users"); n != 1 {
		t.Fatalf("%d users after rejected creates, want 1", n)
	}
	if n := countRows(t, s, "event_logs"); n != 1 {
		t.Fatalf("%d events after rejected creates, want 1 (rolled back with the user)", n)
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, err := s.CreateUser(ctx, models.NewUser{Email: "bob@example.test", Password: "right password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, models.NewUser{Email: "carol@example.test", Password: "carol's password"}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, email, password string
		ok                    bool
	}{
		{"right password", "bob@example.test", "right password", true},
		{"email in another case", "BOB@Example.test", "right password", true},
		{"email with spaces", "  bob@example.test ", "right password", true},
		{"wrong password", "bob@example.test", "wrong password", false},
		{"password in another case", "bob@example.test", "Right Password", false},
		{"another user's password", "bob@example.test", "carol's password", false},
		{"empty password", "bob@example.test", "", false},
		{"unknown email", "nobody@example.test", "right password", false},
		{"empty email", "", "right password", false},
	}
	var failures []*models.Error
	for _, tt := range tests {
		got, err := s.Authenticate(ctx, tt.email, tt.password)
		if tt.ok {
			if err != nil || got == nil || got.ID != u.ID {
				t.Errorf("%s: Authenticate = %v, %v; want bob", tt.name, got, err)
			}
			continue
		}
		if got != nil {
			t.Errorf("%s: got a user with a failed sign-in", tt.name)
		}
		failures = append(failures, modeltest.WantError(t, err, models.KindUnauthorized, "invalid_credentials"))
	}
	// A wrong password and an unknown email must be indistinguishable.
	for _, f := range failures[1:] {
		if f.Error() != failures[0].Error() || f.Message != failures[0].Message || len(f.Fields) != len(failures[0].Fields) {
			t.Errorf("failure %q differs from %q", f.Error(), failures[0].Error())
		}
	}
}

func TestLoginToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)

	before := time.Now()
	token, expires, err := s.IssueLoginToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, models.LoginTokenPrefix) || len(token) < 40 {
		t.Errorf("token %q lacks the %s prefix or entropy", token, models.LoginTokenPrefix)
	}
	if d := expires.Sub(before); d < models.LoginTokenTTL-time.Second || d > models.LoginTokenTTL+time.Second {
		t.Errorf("token expires in %v, want %v", d, models.LoginTokenTTL)
	}

	// Only a hash is stored: the token is nowhere in the table.
	var rows []string
	if err := s.Gorm().Raw(`SELECT row_to_json(l)::text FROM login_tokens l`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d login_tokens rows, want 1", len(rows))
	}
	secret := strings.TrimPrefix(token, models.LoginTokenPrefix)
	if strings.Contains(rows[0], secret) {
		t.Fatalf("login_tokens row %s holds the plaintext token", rows[0])
	}
	var stored struct{ TokenHash []byte }
	if err := s.Gorm().Raw(`SELECT token_hash FROM login_tokens`).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte(token)); !bytes.Equal(stored.TokenHash, sum[:]) {
		t.Fatalf("stored hash %x is not SHA-256 of the token", stored.TokenHash)
	}

	got, err := s.ExchangeLoginToken(ctx, token)
	if err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	if got.ID != u.ID || got.Email != u.Email {
		t.Fatalf("exchange returned %+v, want %+v", got, u)
	}
	var logins []models.Event
	if err := s.Gorm().Where("type = ?", models.EventLogin).Find(&logins).Error; err != nil {
		t.Fatal(err)
	}
	if len(logins) != 1 || logins[0].ActorID == nil || *logins[0].ActorID != u.ID {
		t.Fatalf("auth.login events = %+v, want one by the user", logins)
	}

	_, err = s.ExchangeLoginToken(ctx, token)
	modeltest.WantError(t, err, models.KindUnauthorized, "invalid_login_token")

	for _, bad := range []string{"", models.LoginTokenPrefix, models.NewToken(models.LoginTokenPrefix), strings.ToUpper(token), token + "x"} {
		_, err := s.ExchangeLoginToken(ctx, bad)
		modeltest.WantError(t, err, models.KindUnauthorized, "invalid_login_token")
	}
	if n := countEvents(t, s, models.EventLogin); n != 1 {
		t.Fatalf("%d auth.login events after failed exchanges, want 1", n)
	}
}

func TestLoginTokenExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	token, _, err := s.IssueLoginToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Gorm().Exec(`UPDATE login_tokens SET expires_at = now() - interval '1 second'`).Error; err != nil {
		t.Fatal(err)
	}
	_, err = s.ExchangeLoginToken(ctx, token)
	modeltest.WantError(t, err, models.KindUnauthorized, "invalid_login_token")

	n, err := s.DeleteExpiredLoginTokens(ctx, time.Now())
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredLoginTokens = %d, %v; want 1", n, err)
	}
}

func TestLoginTokenConcurrentExchange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	token, _, err := s.IssueLoginToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}

	const racers = 10
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, racers)
		users = make([]*models.User, racers)
	)
	for i := range racers {
		wg.Go(func() {
			<-start
			users[i], errs[i] = s.ExchangeLoginToken(ctx, token)
		})
	}
	close(start)
	wg.Wait()

	won := 0
	for i, err := range errs {
		if err == nil {
			won++
			if users[i].ID != u.ID {
				t.Errorf("winner got user %s, want %s", users[i].ID, u.ID)
			}
			continue
		}
		modeltest.WantError(t, err, models.KindUnauthorized, "invalid_login_token")
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent exchanges succeeded, want exactly 1", won, racers)
	}
	if n := countEvents(t, s, models.EventLogin); n != 1 {
		t.Fatalf("%d auth.login events, want 1", n)
	}
}

func TestPAT(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	other := createUser(t, s, models.PlatformRoleNone)

	token, pat, err := s.CreatePAT(ctx, owner.ID, "  laptop  ", nil)
	if err != nil {
		t.Fatalf("CreatePAT: %v", err)
	}
	if !strings.HasPrefix(token, models.PATPrefix) || len(token) != len(models.PATPrefix)+52 {
		t.Errorf("token %q is not asp_ + 256 bits of base32", token)
	}
	if pat.Name != "laptop" || pat.UserID != owner.ID || pat.ExpiresAt != nil || !strings.HasPrefix(token, pat.TokenPrefix) || len(pat.TokenPrefix) >= len(token) {
		t.Errorf("token row = %+v", pat)
	}
	var row struct {
		TokenHash   []byte
		TokenPrefix string
	}
	if err := s.Gorm().Raw(`SELECT token_hash, token_prefix FROM personal_access_tokens WHERE id = ?`, pat.ID).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(token))
	if bytes.Equal(row.TokenHash, []byte(token)) || !bytes.Equal(row.TokenHash, sum[:]) {
		t.Errorf("stored hash %x is not SHA-256 of the token", row.TokenHash)
	}
	var created int64
	s.Gorm().Table("event_logs").Where("type = ? AND data->>'token_id' = ?", models.EventTokenCreated, pat.ID.String()).Count(&created)
	if created != 1 {
		t.Errorf("%d token.created events, want 1", created)
	}

	got, err := s.AuthenticatePAT(ctx, token)
	if err != nil || got.ID != owner.ID {
		t.Fatalf("AuthenticatePAT = %v, %v; want the owner", got, err)
	}
	var lastUsed *time.Time
	s.Gorm().Raw(`SELECT last_used_at FROM personal_access_tokens WHERE id = ?`, pat.ID).Scan(&lastUsed)
	if lastUsed == nil {
		t.Error("last_used_at not set by AuthenticatePAT")
	}

	for _, bad := range []string{"", "asp_", models.NewToken(models.PATPrefix), strings.TrimPrefix(token, models.PATPrefix), "asl_" + strings.TrimPrefix(token, models.PATPrefix), token[:len(token)-1]} {
		_, err := s.AuthenticatePAT(ctx, bad)
		modeltest.WantError(t, err, models.KindUnauthorized, "invalid_token")
	}

	err = s.RevokePAT(ctx, other.ID, pat.ID)
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("revoking another user's token: %v, want not found", err)
	}
	if _, err := s.AuthenticatePAT(ctx, token); err != nil {
		t.Fatalf("token stopped working after someone else's revoke attempt: %v", err)
	}
	if err := s.RevokePAT(ctx, owner.ID, uuid.New()); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("revoking an unknown token: %v, want not found", err)
	}
	if err := s.RevokePAT(ctx, owner.ID, pat.ID); err != nil {
		t.Fatalf("RevokePAT: %v", err)
	}
	_, err = s.AuthenticatePAT(ctx, token)
	modeltest.WantError(t, err, models.KindUnauthorized, "invalid_token")
	if err := s.RevokePAT(ctx, owner.ID, pat.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("revoking twice: %v, want not found", err)
	}
	var revoked int64
	s.Gorm().Table("event_logs").Where("type = ?", models.EventTokenRevoked).Count(&revoked)
	if revoked != 1 {
		t.Errorf("%d token.revoked events, want 1", revoked)
	}
}

func TestPATExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	exp := time.Now().Add(time.Hour)
	token, pat, err := s.CreatePAT(ctx, u.ID, "ci", &exp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticatePAT(ctx, token); err != nil {
		t.Fatalf("unexpired token: %v", err)
	}
	if err := s.Gorm().Exec(`UPDATE personal_access_tokens SET expires_at = now() - interval '1 second' WHERE id = ?`, pat.ID).Error; err != nil {
		t.Fatal(err)
	}
	_, err = s.AuthenticatePAT(ctx, token)
	modeltest.WantError(t, err, models.KindUnauthorized, "invalid_token")
}

func TestCreatePATValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	in := func(d time.Duration) *time.Time { v := time.Now().Add(d); return &v }

	tests := []struct {
		name    string
		tokName string
		expires *time.Time
		code    string // empty: accepted
	}{
		{"plain", "deploy", nil, ""},
		{"100 characters", strings.Repeat("n", 100), nil, ""},
		{"expires tomorrow", "deploy", in(24 * time.Hour), ""},
		{"expires in 365 days", "deploy", in(365 * 24 * time.Hour), ""},
		{"empty name", "", nil, "invalid_token_name"},
		{"blank name", "   \t", nil, "invalid_token_name"},
		{"101 characters", strings.Repeat("n", 101), nil, "invalid_token_name"},
		{"expired", "deploy", in(-time.Minute), "invalid_token_expiry"},
		{"expires in 367 days", "deploy", in(367 * 24 * time.Hour), "invalid_token_expiry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, pat, err := s.CreatePAT(ctx, u.ID, tt.tokName, tt.expires)
			if tt.code == "" {
				if err != nil || token == "" || pat == nil {
					t.Fatalf("CreatePAT = %q, %v, %v; want a token", token, pat, err)
				}
				return
			}
			de := modeltest.WantError(t, err, models.KindInvalid, tt.code)
			if len(de.Fields) == 0 {
				t.Errorf("error %v names no field", err)
			}
			if token != "" || pat != nil {
				t.Errorf("got a token with the error")
			}
		})
	}
}

func TestListPATs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	other := createUser(t, s, models.PlatformRoleNone)
	var created []uuid.UUID
	for i := range 7 {
		_, pat, err := s.CreatePAT(ctx, u.ID, "token "+string(rune('a'+i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, pat.ID)
		if _, _, err := s.CreatePAT(ctx, other.ID, "other", nil); err != nil {
			t.Fatal(err)
		}
	}

	var got []uuid.UUID
	var sizes []int
	cursor := ""
	for range 10 {
		page, err := s.ListPATs(ctx, u.ID, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Tokens))
		for _, p := range page.Tokens {
			if p.UserID != u.ID {
				t.Fatalf("listed another user's token %+v", p)
			}
			got = append(got, p.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	want := make([]uuid.UUID, len(created))
	for i, id := range created {
		want[len(created)-1-i] = id
	}
	if len(got) != len(want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("listed %v, want newest first %v", got, want)
		}
	}
	if len(sizes) != 3 || sizes[0] != 3 || sizes[1] != 3 || sizes[2] != 1 {
		t.Fatalf("page sizes %v, want [3 3 1]", sizes)
	}

	empty, err := s.ListPATs(ctx, uuid.New(), "", 10)
	if err != nil || empty.Tokens == nil || len(empty.Tokens) != 0 || empty.NextCursor != "" {
		t.Fatalf("ListPATs of a user without tokens = %+v, %v; want an empty list", empty, err)
	}
	for _, limit := range []int{0, -1, 101} {
		_, err := s.ListPATs(ctx, u.ID, "", limit)
		modeltest.WantError(t, err, models.KindInvalid, "invalid_limit")
	}
	_, err = s.ListPATs(ctx, u.ID, "garbage", 10)
	modeltest.WantError(t, err, models.KindInvalid, "invalid_cursor")
}
