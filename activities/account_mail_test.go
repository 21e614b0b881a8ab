package activities_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/workflows/temporaltest"
)

// accountMailEnv is an activity environment whose Activities mail through mailer.
func accountMailEnv(t *testing.T, store *postgres.Store, mailer activities.Mailer) *testsuite.TestActivityEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.Activities{Store: store, Mailer: mailer, BaseURL: baseURL + "/"})
	return env
}

func sendAccountMail(t *testing.T, env *testsuite.TestActivityEnvironment, id uuid.UUID) bool {
	t.Helper()
	val, err := env.ExecuteActivity(a.SendAccountMail, id)
	if err != nil {
		t.Fatalf("SendAccountMail(%s): %v", id, err)
	}
	var sent bool
	if err := val.Get(&sent); err != nil {
		t.Fatal(err)
	}
	return sent
}

// onlyMail returns the one mail in the outbox.
func onlyMail(t *testing.T, store *postgres.Store) models.DevMail {
	t.Helper()
	mails, err := store.ListDevMails(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	return mails[0]
}

// linkToken finds the token of the link to path in body, in both parts.
func linkToken(t *testing.T, m models.DevMail, path, prefix string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(baseURL+path) + `\?token=(` + prefix + `[a-z0-9]+)`)
	text, html := re.FindStringSubmatch(m.Text), re.FindStringSubmatch(m.HTML)
	if text == nil || html == nil || text[1] != html[1] {
		t.Fatalf("no %s link in both parts:\n%s\n---\n%s", path, m.Text, m.HTML)
	}
	return text[1]
}

func TestSendAccountMailVerifyEmail(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	// An unverified sign-up chooses its own name: it must not reach the mail.
	res, err := store.SignUp(ctx, "o'neil&co@example.test", "Visit https://spam.example now", "violet-otter-lamp")
	if err != nil {
		t.Fatal(err)
	}
	env := accountMailEnv(t, store, activities.OutboxMailer{Store: store})
	if !sendAccountMail(t, env, res.MailRequestID) {
		t.Fatal("not sent")
	}
	if sendAccountMail(t, env, res.MailRequestID) {
		t.Error("a retried attempt sent again")
	}

	m := onlyMail(t, store)
	if m.To != "o'neil&co@example.test" || !strings.Contains(m.Subject, "Verify your email") {
		t.Errorf("mail to %q, subject %q", m.To, m.Subject)
	}
	token := linkToken(t, m, "/verify-email", models.VerifyEmailTokenPrefix)
	for _, part := range []string{m.Text, m.HTML} {
		if strings.Contains(part, "spam.example") {
			t.Errorf("the unverified name reached the mail:\n%s", part)
		}
		if !strings.Contains(part, "24 hours") {
			t.Errorf("mail does not say how long the link works:\n%s", part)
		}
	}
	if !strings.Contains(m.Text, "o'neil&co@example.test") || !strings.Contains(m.HTML, "o&#39;neil&amp;co@example.test") {
		t.Errorf("address not in the text part raw and the HTML part escaped:\n%s\n---\n%s", m.Text, m.HTML)
	}
	if u, err := store.VerifyEmail(ctx, token); err != nil || u.EmailVerifiedAt == nil {
		t.Errorf("VerifyEmail(mailed token) = %v, %v", u, err)
	}
}

func TestSendAccountMailPasswordReset(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	u, err := store.CreateUser(ctx, models.NewUser{Email: "ada@example.test", Name: "Ada <Admin> & Co",
		Password: "correct horse battery", Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	id, err := store.RequestPasswordReset(ctx, u.Email)
	if err != nil || id == nil {
		t.Fatalf("RequestPasswordReset = %v, %v", id, err)
	}
	env := accountMailEnv(t, store, activities.OutboxMailer{Store: store})
	if !sendAccountMail(t, env, *id) {
		t.Fatal("not sent")
	}

	m := onlyMail(t, store)
	if m.To != u.Email || !strings.Contains(m.Subject, "Reset your Appstore password") {
		t.Errorf("mail to %q, subject %q", m.To, m.Subject)
	}
	token := linkToken(t, m, "/reset-password", models.PasswordResetTokenPrefix)
	if !strings.Contains(m.Text, "Hello Ada <Admin> & Co,") || !strings.Contains(m.HTML, "Hello Ada &lt;Admin&gt; &amp; Co,") {
		t.Errorf("a verified user's name not greeted, raw in text and escaped in HTML:\n%s\n---\n%s", m.Text, m.HTML)
	}
	if strings.Contains(m.HTML, "<Admin>") {
		t.Error("HTML part holds the name unescaped")
	}
	for _, part := range []string{m.Text, m.HTML} {
		if !strings.Contains(part, "30 minutes") {
			t.Errorf("mail does not say how long the link works:\n%s", part)
		}
	}
	if _, err := store.ResetPassword(ctx, token, "brand-new-secret"); err != nil {
		t.Errorf("ResetPassword(mailed token): %v", err)
	}
}

func TestSendAccountMailSignupExisting(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	if _, err := store.CreateUser(ctx, models.NewUser{Email: "owner@example.test", Name: "Owner", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	res, err := store.SignUp(ctx, "owner@example.test", "Mallory", "violet-otter-lamp")
	if err != nil || !res.Existing {
		t.Fatalf("SignUp = %+v, %v", res, err)
	}
	env := accountMailEnv(t, store, activities.OutboxMailer{Store: store})
	if !sendAccountMail(t, env, res.MailRequestID) {
		t.Fatal("not sent")
	}
	m := onlyMail(t, store)
	if m.To != "owner@example.test" || !strings.Contains(m.Subject, "tried to sign up") {
		t.Errorf("mail to %q, subject %q", m.To, m.Subject)
	}
	for _, part := range []string{m.Text, m.HTML} {
		for _, link := range []string{baseURL + "/login", baseURL + "/forgot-password"} {
			if !strings.Contains(part, link) {
				t.Errorf("mail lacks %s:\n%s", link, part)
			}
		}
		if strings.Contains(part, "token=") || strings.Contains(part, "Mallory") {
			t.Errorf("mail carries a token or the sign-up's name:\n%s", part)
		}
	}
}

func TestSendAccountMailFailures(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	res, err := store.SignUp(ctx, "nia@example.test", "Nia", "violet-otter-lamp")
	if err != nil {
		t.Fatal(err)
	}

	// An SMTP failure is retryable and leaves the request unmailed.
	_, err = accountMailEnv(t, store, failingMailer{}).ExecuteActivity(a.SendAccountMail, res.MailRequestID)
	var appErr *temporal.ApplicationError
	if err == nil || (errors.As(err, &appErr) && appErr.NonRetryable()) {
		t.Fatalf("error = %v, want a retryable mailer error", err)
	}
	env := accountMailEnv(t, store, activities.OutboxMailer{Store: store})
	if !sendAccountMail(t, env, res.MailRequestID) {
		t.Error("the retry after a failure did not send")
	}

	_, err = env.ExecuteActivity(a.SendAccountMail, uuid.New())
	wantDomainError(t, err, "account_mail_not_found")
}

func TestAccountMailUnknownPurpose(t *testing.T) {
	_, err := activities.AccountMail(baseURL, &models.AccountMailRequest{Purpose: "nonsense"}, &models.User{Email: "x@example.test"}, "")
	if err == nil {
		t.Fatal("built a mail of an unknown purpose")
	}
}

func TestPurgeAccountMailRequests(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	u, err := store.CreateUser(ctx, models.NewUser{Email: "ada@example.com", Name: "Ada", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for range 2 {
		id, err := store.RequestEmailVerification(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// Expired 25 hours ago: gone. The other, still valid, stays.
	if err := store.Gorm().Exec(`UPDATE account_mail_requests SET expires_at = ? WHERE id = ?`,
		time.Now().Add(-25*time.Hour), ids[0]).Error; err != nil {
		t.Fatal(err)
	}
	env := newActivityEnv(t, store)
	for run, want := range []int64{1, 0} {
		val, err := env.ExecuteActivity(a.PurgeAccountMailRequests, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := val.Get(&n); err != nil || n != want {
			t.Errorf("run %d: deleted %d, %v; want %d", run+1, n, err, want)
		}
	}
}
