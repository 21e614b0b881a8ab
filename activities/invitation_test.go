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
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

const baseURL = "https://appstore.test"

// tokenLink finds the accept link's token in a mail body.
var tokenLink = regexp.MustCompile(regexp.QuoteMeta(baseURL) + `/invitations/accept\?token=(asi_[a-z0-9]+)`)

// failingMailer fails every send.
type failingMailer struct{}

func (failingMailer) Send(context.Context, activities.Mail) error {
	return errors.New("smtp: 451 try later")
}

// team is a developer account with an admin and one pending invitation.
type team struct {
	store   *postgres.Store
	admin   *models.User
	account *models.DeveloperAccount
	inv     *models.Invitation
}

func newTeam(t *testing.T, invitee string) *team {
	t.Helper()
	ctx := context.Background()
	store := newStore(t)
	admin, err := store.CreateUser(ctx, models.NewUser{Email: "ada@example.com", Name: "Ada <Admin>", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	account, err := store.CreateDeveloperAccount(ctx, "acme-labs", "Acme & <Labs>", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &team{store: store, admin: admin, account: account, inv: invite(t, store, account.ID, admin.ID, invitee)}
}

// invite creates a pending invitation of email to the account.
func invite(t *testing.T, store *postgres.Store, accountID, by uuid.UUID, email string) *models.Invitation {
	t.Helper()
	out, err := store.CreateInvitations(context.Background(), accountID, by, []string{email}, models.DevRoleMember)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Invitation == nil {
		t.Fatalf("invite %s: %+v", email, out)
	}
	return out[0].Invitation
}

func (tm *team) env(t *testing.T, mailer activities.Mailer) *testsuite.TestActivityEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.Activities{Store: tm.store, Mailer: mailer, BaseURL: baseURL + "/"})
	return env
}

// mails returns the outbox, oldest first.
func (tm *team) mails(t *testing.T) []models.DevMail {
	t.Helper()
	mails, err := tm.store.ListDevMails(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(mails)-1; i < j; i, j = i+1, j-1 {
		mails[i], mails[j] = mails[j], mails[i]
	}
	return mails
}

func mailInvitation(t *testing.T, env *testsuite.TestActivityEnvironment, id uuid.UUID, gen int) bool {
	t.Helper()
	val, err := env.ExecuteActivity(a.MailInvitation, activities.MailInvitationInput{InvitationID: id, Generation: gen})
	if err != nil {
		t.Fatalf("mail generation %d: %v", gen, err)
	}
	var sent bool
	if err := val.Get(&sent); err != nil {
		t.Fatal(err)
	}
	return sent
}

// wantDomainError checks err is a non-retryable ApplicationError of type code.
func wantDomainError(t *testing.T, err error, code string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != code || !appErr.NonRetryable() {
		t.Errorf("error = %v, want a non-retryable %s", err, code)
	}
}

func TestMailInvitationAndResend(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t, "New.Dev@Example.com")
	env := tm.env(t, activities.OutboxMailer{Store: tm.store})

	if !mailInvitation(t, env, tm.inv.ID, 1) {
		t.Fatal("first mail not sent")
	}
	// A retried attempt of the same generation sends nothing.
	if mailInvitation(t, env, tm.inv.ID, 1) {
		t.Error("generation 1 mailed twice")
	}
	mails := tm.mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	first := mails[0]
	if first.To != "new.dev@example.com" || first.Subject != "You're invited to join Acme & <Labs> on Appstore" {
		t.Errorf("mail to %q, subject %q", first.To, first.Subject)
	}
	m := tokenLink.FindStringSubmatch(first.Text)
	if m == nil || !strings.Contains(first.HTML, m[0]) {
		t.Fatalf("no accept link in both parts:\n%s\n%s", first.Text, first.HTML)
	}
	oldToken := m[1]
	if got, err := tm.store.FindInvitationByToken(ctx, oldToken); err != nil || got.ID != tm.inv.ID {
		t.Fatalf("FindInvitationByToken(mailed token) = %v, %v", got, err)
	}

	day13 := time.Now().UTC().Add(models.InvitationTTL).Truncate(time.Microsecond)
	for range 2 { // idempotent
		if _, err := env.ExecuteActivity(a.MarkInvitationResent, activities.MarkResentInput{
			InvitationID: tm.inv.ID, Generation: 2, ExpiresAt: day13}); err != nil {
			t.Fatal(err)
		}
	}
	if !mailInvitation(t, env, tm.inv.ID, 2) {
		t.Fatal("resend mail not sent")
	}
	mails = tm.mails(t)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want 2", len(mails))
	}
	m = tokenLink.FindStringSubmatch(mails[1].Text)
	if m == nil || m[1] == oldToken {
		t.Fatalf("resend mail has no new token:\n%s", mails[1].Text)
	}
	if _, err := tm.store.FindInvitationByToken(ctx, oldToken); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("old token: error = %v, want not found", err)
	}
	inv, err := tm.store.GetInvitation(ctx, tm.inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.ResendCount != 1 || !inv.ExpiresAt.Equal(day13) || inv.Status != models.InvitationPending {
		t.Errorf("after resend: %+v, want pending, resent once, expiring %s", inv, day13)
	}
	// A retry of an old generation changes nothing.
	if mailInvitation(t, env, tm.inv.ID, 1) {
		t.Error("generation 1 mailed after generation 2")
	}
}

func TestMailInvitationMailerFailureStaysUnmailed(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t, "new.dev@example.com")
	env := tm.env(t, failingMailer{})

	_, err := env.ExecuteActivity(a.MailInvitation, activities.MailInvitationInput{InvitationID: tm.inv.ID, Generation: 1})
	var appErr *temporal.ApplicationError
	if err == nil || (errors.As(err, &appErr) && appErr.NonRetryable()) {
		t.Fatalf("error = %v, want a retryable one", err)
	}
	inv, err := tm.store.GetInvitation(ctx, tm.inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The attempted link was committed before the send (a delivered link
	// must work); the generation stays unmailed, so the retry sends again.
	if inv.MailedGeneration != 0 {
		t.Errorf("mailed generation %d after a failed send, want 0", inv.MailedGeneration)
	}
	// The retry with a working Mailer sends the mail.
	if !mailInvitation(t, tm.env(t, activities.OutboxMailer{Store: tm.store}), tm.inv.ID, 1) {
		t.Error("retry did not send")
	}
}

func TestAcceptInvitation(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t, "new.dev@example.com")
	env := tm.env(t, activities.OutboxMailer{Store: tm.store})
	invitee, err := tm.store.CreateUser(ctx, models.NewUser{Email: "New.Dev@example.com", Name: "New Dev", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := tm.store.CreateUser(ctx, models.NewUser{Email: "someone@example.com", Name: "Someone", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = env.ExecuteActivity(a.AcceptInvitation, activities.AcceptInvitationInput{InvitationID: tm.inv.ID, UserID: stranger.ID})
	wantDomainError(t, err, "invitation_email_mismatch")
	if e, ok := contract.ModelError(err); !ok || e.Kind != models.KindForbidden {
		t.Errorf("ModelError = %v, %t; want forbidden", e, ok)
	}
	for range 2 { // a second click changes nothing
		if _, err := env.ExecuteActivity(a.AcceptInvitation,
			activities.AcceptInvitationInput{InvitationID: tm.inv.ID, UserID: invitee.ID}); err != nil {
			t.Fatal(err)
		}
	}
	members, err := tm.store.ListDeveloperAccountMembers(ctx, tm.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	var joined int
	for _, m := range members {
		if m.UserID == invitee.ID {
			joined++
			if m.Role != models.DevRoleMember {
				t.Errorf("role = %s, want member", m.Role)
			}
		}
	}
	if joined != 1 {
		t.Errorf("invitee is a member %d times, want once: %+v", joined, members)
	}
	inv, err := tm.store.GetInvitation(ctx, tm.inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status != models.InvitationAccepted || inv.AcceptedBy == nil || *inv.AcceptedBy != invitee.ID {
		t.Errorf("invitation = %+v, want accepted by %s", inv, invitee.ID)
	}
	// Later changes are refused for good; mail is skipped.
	_, err = env.ExecuteActivity(a.MarkInvitationResent, activities.MarkResentInput{
		InvitationID: tm.inv.ID, Generation: 2, ExpiresAt: time.Now().Add(models.InvitationTTL)})
	wantDomainError(t, err, "invitation_not_pending")
	_, err = env.ExecuteActivity(a.CancelInvitation, activities.CancelInvitationInput{InvitationID: tm.inv.ID})
	wantDomainError(t, err, "invitation_not_pending")
	if mailInvitation(t, env, tm.inv.ID, 1) {
		t.Error("accepted invitation mailed")
	}
	if _, err := env.ExecuteActivity(a.ExpireInvitation, tm.inv.ID); err != nil {
		t.Errorf("expire after accept: %v, want a no-op", err)
	}
	if inv, _ := tm.store.GetInvitation(ctx, tm.inv.ID); inv.Status != models.InvitationAccepted {
		t.Errorf("status after expire = %s, want still accepted", inv.Status)
	}
}

func TestCancelAndExpireInvitation(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t, "one@example.com")
	other := invite(t, tm.store, tm.account.ID, tm.admin.ID, "two@example.com")
	env := tm.env(t, activities.OutboxMailer{Store: tm.store})
	user, err := tm.store.CreateUser(ctx, models.NewUser{Email: "two@example.com", Name: "Two", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}

	for range 2 { // idempotent
		if _, err := env.ExecuteActivity(a.CancelInvitation, activities.CancelInvitationInput{InvitationID: tm.inv.ID}); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if _, err := env.ExecuteActivity(a.ExpireInvitation, other.ID); err != nil {
			t.Fatalf("expire: %v", err)
		}
	}
	if mailInvitation(t, env, tm.inv.ID, 1) {
		t.Error("cancelled invitation mailed")
	}
	_, err = env.ExecuteActivity(a.AcceptInvitation, activities.AcceptInvitationInput{InvitationID: other.ID, UserID: user.ID})
	wantDomainError(t, err, "invitation_expired")
	_, err = env.ExecuteActivity(a.CancelInvitation, activities.CancelInvitationInput{InvitationID: other.ID})
	wantDomainError(t, err, "invitation_not_pending")
	for id, want := range map[uuid.UUID]models.InvitationStatus{tm.inv.ID: models.InvitationCancelled, other.ID: models.InvitationExpired} {
		inv, err := tm.store.GetInvitation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status != want {
			t.Errorf("invitation %s status %s, want %s", id, inv.Status, want)
		}
	}
	_, err = env.ExecuteActivity(a.ExpireInvitation, uuid.Must(uuid.NewV7()))
	wantDomainError(t, err, "invitation_not_found")
}

func TestInvitationMail(t *testing.T) {
	inviter := uuid.New()
	inv := &models.Invitation{Email: "new@example.com", Role: models.InvitationRoleAdmin, InvitedBy: &inviter,
		ExpiresAt: time.Date(2031, 3, 11, 5, 6, 7, 0, time.UTC)}
	account := &models.InvitationTarget{Kind: models.InviteToDeveloperAccount, Name: `Acme & <b>Labs</b>`, Slug: "acme-labs"}
	org := &models.InvitationTarget{Kind: models.InviteToOrganization, Name: `Acme & <b>Labs</b>`}
	tests := []struct {
		name     string
		target   *models.InvitationTarget
		inviter  *models.User
		wantText []string
		wantHTML []string
	}{
		{"known inviter", account, &models.User{Name: `Ada "<Admin>"`, Email: "ada@example.com"},
			[]string{`Ada "<Admin>" (ada@example.com) invited you`, "developer account Acme & <b>Labs</b>"},
			[]string{`Ada &#34;&lt;Admin&gt;&#34; (<a href="mailto:ada@example.com">ada@example.com</a>) invited you`, "developer account <strong>"}},
		{"inviter gone", account, nil, []string{"You are invited to join", "developer account Acme & <b>Labs</b>"}, []string{"You are invited"}},
		{"organization", org, &models.User{Email: "ada@example.com"},
			[]string{"ada@example.com invited you to join the organization Acme & <b>Labs</b>"},
			[]string{"to join the organization <strong>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := activities.InvitationMail("https://appstore.test/", inv, tt.target, tt.inviter, "asi_tok+en")
			if err != nil {
				t.Fatal(err)
			}
			if m.To != inv.Email || m.Subject != "You're invited to join Acme & <b>Labs</b> on Appstore" {
				t.Errorf("to %q, subject %q", m.To, m.Subject)
			}
			link := "https://appstore.test/invitations/accept?token=asi_tok%2Ben"
			text := append([]string{link, "as an admin", "Tuesday, 11 March 2031, 05:06 UTC"}, tt.wantText...)
			for _, s := range text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			html := append([]string{`<a href="` + link + `">`, "<strong>Acme &amp; &lt;b&gt;Labs&lt;/b&gt;</strong>",
				"as an admin", "Tuesday, 11 March 2031, 05:06 UTC"}, tt.wantHTML...)
			for _, s := range html {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("html lacks %q:\n%s", s, m.HTML)
				}
			}
			if strings.Contains(m.HTML, "<b>Labs") {
				t.Errorf("html has the title unescaped:\n%s", m.HTML)
			}
		})
	}
}
