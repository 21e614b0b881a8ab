package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestMailAccountToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	id, err := s.RequestEmailVerification(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}

	// A failed send leaves the request unmailed. Its token was committed
	// before the send (so a delivered link always works); the retry below
	// replaces it.
	var failedToken string
	sent, err := s.MailAccountToken(ctx, id, func(_ *models.AccountMailRequest, _ *models.User, token string) error {
		failedToken = token
		return errors.New("smtp: 451 try later")
	})
	if err == nil || sent {
		t.Fatalf("MailAccountToken with a failing send = %v, %v; want the error", sent, err)
	}
	if req := mailRequest(t, s, id); req.MailedAt != nil || !bytes.Equal(req.TokenHash, models.HashToken(failedToken)) {
		t.Fatalf("request after a failed send = %+v, want unmailed with the attempted token's hash", req)
	}

	var calls int
	var gotReq *models.AccountMailRequest
	var gotUser *models.User
	var token string
	send := func(req *models.AccountMailRequest, user *models.User, tok string) error {
		calls++
		gotReq, gotUser, token = req, user, tok
		return nil
	}
	sent, err = s.MailAccountToken(ctx, id, send)
	if err != nil || !sent {
		t.Fatalf("MailAccountToken = %v, %v; want sent", sent, err)
	}
	if gotReq.ID != id || gotReq.Purpose != models.AccountMailVerifyEmail || gotUser.ID != u.ID || gotUser.Email != u.Email {
		t.Errorf("send got request %+v, user %+v", gotReq, gotUser)
	}
	if !strings.HasPrefix(token, models.VerifyEmailTokenPrefix) || len(token) < 40 || token == failedToken {
		t.Errorf("token %q: want a fresh asv_ token", token)
	}
	req := mailRequest(t, s, id)
	if req.MailedAt == nil || !bytes.Equal(req.TokenHash, models.HashToken(token)) {
		t.Errorf("request = %+v, want mailed with the token's hash", req)
	}
	if _, err := s.VerifyEmail(ctx, failedToken); err == nil {
		t.Error("the token of the failed attempt still works after the retry")
	}
	// Only the hash is stored.
	var rows []string
	if err := s.Gorm().Raw(`SELECT row_to_json(r)::text FROM account_mail_requests r`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || strings.Contains(rows[0], strings.TrimPrefix(token, models.VerifyEmailTokenPrefix)) {
		t.Errorf("rows %v hold the plaintext token", rows)
	}

	// Idempotent: a retried attempt sends nothing and keeps the link.
	sent, err = s.MailAccountToken(ctx, id, send)
	if err != nil || sent || calls != 1 {
		t.Errorf("second MailAccountToken = %v, %v with %d sends; want false, nil, 1", sent, err, calls)
	}
	if again := mailRequest(t, s, id); !bytes.Equal(again.TokenHash, req.TokenHash) {
		t.Error("a retried attempt replaced the token")
	}

	_, err = s.MailAccountToken(ctx, uuid.New(), send)
	modeltest.WantError(t, err, models.KindNotFound, "account_mail_not_found")
}

func TestMailAccountTokenSkipsDeadRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	never := func(*models.AccountMailRequest, *models.User, string) error {
		t.Error("send called for a dead request")
		return nil
	}

	expired, err := s.RequestPasswordReset(ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	expire(t, s, *expired, time.Second)
	used, err := s.RequestPasswordReset(ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	// Resetting through a third link uses up the other open ones.
	if _, err := s.ResetPassword(ctx, resetLink(t, s, u.Email), "brand-new-secret"); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]uuid.UUID{"expired": *expired, "used": *used} {
		if sent, err := s.MailAccountToken(ctx, id, never); err != nil || sent {
			t.Errorf("%s: MailAccountToken = %v, %v; want false, nil", name, sent, err)
		}
	}
}

func TestDeleteExpiredAccountMailRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u := createUser(t, s, models.PlatformRoleNone)
	var ids []uuid.UUID
	for range 3 {
		id, err := s.RequestEmailVerification(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	expire(t, s, ids[0], 25*time.Hour)
	expire(t, s, ids[1], 23*time.Hour)

	cutoff := time.Now().Add(-models.AccountMailRetention)
	for run, want := range []int64{1, 0} {
		n, err := s.DeleteExpiredAccountMailRequests(ctx, cutoff)
		if err != nil || n != want {
			t.Errorf("run %d: deleted %d, %v; want %d", run+1, n, err, want)
		}
	}
	var left []uuid.UUID
	if err := s.Gorm().Raw(`SELECT id FROM account_mail_requests ORDER BY id`).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0] != ids[1] || left[1] != ids[2] {
		t.Errorf("left %v, want %v", left, ids[1:])
	}
}
