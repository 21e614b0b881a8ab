package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// mailed records what one send callback received.
type mailed struct {
	calls  int
	inv    *models.Invitation
	target *models.InvitationTarget
	token  string
}

func (m *mailed) send(inv *models.Invitation, target *models.InvitationTarget, token string) error {
	m.calls++
	m.inv, m.target, m.token = inv, target, token
	return nil
}

// storedInvitation reads invitation id back, failing the test on error.
func storedInvitation(t *testing.T, s *postgres.Store, id uuid.UUID) *models.Invitation {
	t.Helper()
	inv, err := s.GetInvitation(context.Background(), id)
	if err != nil {
		t.Fatalf("GetInvitation: %v", err)
	}
	return inv
}

func TestMailInvitationToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	inv := invite(t, s, acct, admin, "mail@example.test")

	// Generation 1: a token whose hash is stored, and the link finds it.
	var m mailed
	sent, err := s.MailInvitationToken(ctx, inv.ID, 1, m.send)
	if err != nil || !sent || m.calls != 1 {
		t.Fatalf("MailInvitationToken = %v, %v after %d sends; want sent once", sent, err, m.calls)
	}
	if !strings.HasPrefix(m.token, models.InvitationTokenPrefix) || len(m.token) < 50 {
		t.Fatalf("token %q", m.token)
	}
	if m.inv.ID != inv.ID || m.inv.Email != "mail@example.test" ||
		*m.target != (models.InvitationTarget{Kind: models.InviteToDeveloperAccount, ID: acct.ID, Name: acct.Title, Slug: acct.Slug}) {
		t.Fatalf("send got invitation %+v target %+v", m.inv, m.target)
	}
	first := m.token
	got := storedInvitation(t, s, inv.ID)
	if !bytes.Equal(got.TokenHash, models.HashToken(first)) || got.MailedGeneration != 1 {
		t.Fatalf("stored hash %x mailed generation %d, want the token's hash and 1", got.TokenHash, got.MailedGeneration)
	}
	if found, err := s.FindInvitationByToken(ctx, first); err != nil || found.ID != inv.ID {
		t.Fatalf("FindInvitationByToken = %v, %v", found, err)
	}

	// The same generation again (an activity retry): nothing is sent.
	sent, err = s.MailInvitationToken(ctx, inv.ID, 1, m.send)
	if err != nil || sent || m.calls != 1 {
		t.Fatalf("second mail of generation 1 = %v, %v, %d sends; want nothing sent", sent, err, m.calls)
	}
	if got := storedInvitation(t, s, inv.ID); !bytes.Equal(got.TokenHash, models.HashToken(first)) {
		t.Fatal("a repeated mail changed the token")
	}

	// A failing send leaves the generation unmailed; the link it tried to
	// send was committed first and replaced the old one, and the retry
	// replaces it in turn.
	if _, err := s.MarkInvitationResent(ctx, inv.ID, 2, time.Now().Add(models.InvitationTTL)); err != nil {
		t.Fatal(err)
	}
	errSMTP := errors.New("smtp: connection refused")
	var failedToken string
	sent, err = s.MailInvitationToken(ctx, inv.ID, 2, func(_ *models.Invitation, _ *models.InvitationTarget, token string) error {
		failedToken = token
		return errSMTP
	})
	if sent || !errors.Is(err, errSMTP) {
		t.Fatalf("failing send = %v, %v; want not sent and the send error", sent, err)
	}
	got = storedInvitation(t, s, inv.ID)
	if !bytes.Equal(got.TokenHash, models.HashToken(failedToken)) || got.MailedGeneration != 1 {
		t.Fatalf("after a failed send: hash %x mailed generation %d, want the attempted token and generation 1", got.TokenHash, got.MailedGeneration)
	}

	// Generation 2 goes out and replaces the link of generation 1.
	sent, err = s.MailInvitationToken(ctx, inv.ID, 2, m.send)
	if err != nil || !sent || m.calls != 2 || m.token == first {
		t.Fatalf("mail of generation 2 = %v, %v, %d sends", sent, err, m.calls)
	}
	_, err = s.FindInvitationByToken(ctx, first)
	modeltest.WantError(t, err, models.KindNotFound, "invitation_not_found")
	_, err = s.FindInvitationByToken(ctx, failedToken)
	modeltest.WantError(t, err, models.KindNotFound, "invitation_not_found")
	if found, err := s.FindInvitationByToken(ctx, m.token); err != nil || found.ID != inv.ID || found.MailedGeneration != 2 {
		t.Fatalf("new token: %+v, %v", found, err)
	}
	// An older generation arriving late sends nothing.
	if sent, err := s.MailInvitationToken(ctx, inv.ID, 1, m.send); err != nil || sent || m.calls != 2 {
		t.Fatalf("late generation 1 = %v, %v", sent, err)
	}

	// A closed invitation is not mailed.
	if _, err := s.CancelInvitation(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	if sent, err := s.MailInvitationToken(ctx, inv.ID, 3, m.send); err != nil || sent || m.calls != 2 {
		t.Fatalf("mail of a cancelled invitation = %v, %v", sent, err)
	}
	_, err = s.MailInvitationToken(ctx, uuid.New(), 1, m.send)
	modeltest.WantError(t, err, models.KindNotFound, "invitation_not_found")

	for _, bad := range []string{"", "asi_", "asi_nonsense", "asp_" + first[4:], first + "x"} {
		if _, err := s.FindInvitationByToken(ctx, bad); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindInvitationByToken(%q): %v, want not found", bad, err)
		}
	}
}

func TestMarkInvitationResent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	inv := invite(t, s, acct, admin, "resend@example.test")

	expires := time.Now().Add(9 * 24 * time.Hour).UTC().Truncate(time.Microsecond)
	got, err := s.MarkInvitationResent(models.WithActor(ctx, admin.ID), inv.ID, 2, expires)
	if err != nil {
		t.Fatal(err)
	}
	if got.Generation != 2 || got.ResendCount != 1 || !got.ExpiresAt.Equal(expires) || got.Status != models.InvitationPending {
		t.Fatalf("after resend: %+v", got)
	}
	if stored := storedInvitation(t, s, inv.ID); stored.Generation != 2 || !stored.ExpiresAt.Equal(expires) {
		t.Fatalf("stored after resend: %+v", stored)
	}
	wantEvent(t, onlyEvent(t, s, models.EventInvitationResent), acct.ID, &admin.ID,
		map[string]any{"invitation_id": inv.ID, "email": "resend@example.test", "resend_count": 1})

	// The same generation again: the row as it is, no event.
	got, err = s.MarkInvitationResent(ctx, inv.ID, 2, expires.Add(time.Hour))
	if err != nil || got.Generation != 2 || !got.ExpiresAt.Equal(expires) {
		t.Fatalf("repeat = %+v, %v", got, err)
	}
	if got, err := s.MarkInvitationResent(ctx, inv.ID, 1, expires.Add(time.Hour)); err != nil || got.Generation != 2 {
		t.Fatalf("older generation = %+v, %v", got, err)
	}
	if n := countEvents(t, s, models.EventInvitationResent); n != 1 {
		t.Fatalf("%d resent events, want 1", n)
	}
	if got, err := s.MarkInvitationResent(ctx, inv.ID, 3, expires.Add(time.Hour)); err != nil || got.ResendCount != 2 {
		t.Fatalf("third generation = %+v, %v", got, err)
	}

	if _, err := s.ExpireInvitation(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.MarkInvitationResent(ctx, inv.ID, 4, expires)
	modeltest.WantError(t, err, models.KindConflict, "invitation_not_pending")
	_, err = s.MarkInvitationResent(ctx, uuid.New(), 2, expires)
	modeltest.WantError(t, err, models.KindNotFound, "invitation_not_found")
}

func TestCancelAndExpireInvitation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	invitee := createUser(t, s, models.PlatformRoleNone)

	cancelled := invite(t, s, acct, admin, "cancel@example.test")
	var m mailed
	if _, err := s.MailInvitationToken(ctx, cancelled.ID, 1, m.send); err != nil {
		t.Fatal(err)
	}
	got, err := s.CancelInvitation(models.WithActor(ctx, admin.ID), cancelled.ID)
	if err != nil || got.Status != models.InvitationCancelled {
		t.Fatalf("cancel = %+v, %v", got, err)
	}
	wantEvent(t, onlyEvent(t, s, models.EventInvitationCancelled), acct.ID, &admin.ID,
		map[string]any{"invitation_id": cancelled.ID, "email": "cancel@example.test"})
	if got, err := s.CancelInvitation(ctx, cancelled.ID); err != nil || got.Status != models.InvitationCancelled {
		t.Fatalf("second cancel = %+v, %v", got, err)
	}
	if got, err := s.ExpireInvitation(ctx, cancelled.ID); err != nil || got.Status != models.InvitationCancelled {
		t.Fatalf("expire after cancel = %+v, %v", got, err)
	}
	// The link still finds it, and says it was cancelled.
	if found, err := s.FindInvitationByToken(ctx, m.token); err != nil || found.Status != models.InvitationCancelled {
		t.Fatalf("link of a cancelled invitation: %+v, %v", found, err)
	}

	expired := invite(t, s, acct, admin, "expire@example.test")
	got, err = s.ExpireInvitation(ctx, expired.ID)
	if err != nil || got.Status != models.InvitationExpired {
		t.Fatalf("expire = %+v, %v", got, err)
	}
	wantEvent(t, onlyEvent(t, s, models.EventInvitationExpired), acct.ID, nil,
		map[string]any{"invitation_id": expired.ID})
	if got, err := s.ExpireInvitation(ctx, expired.ID); err != nil || got.Status != models.InvitationExpired {
		t.Fatalf("second expire = %+v, %v", got, err)
	}
	_, err = s.CancelInvitation(ctx, expired.ID)
	modeltest.WantError(t, err, models.KindConflict, "invitation_not_pending")

	accepted := invite(t, s, acct, admin, invitee.Email)
	if _, err := s.AcceptInvitation(ctx, accepted.ID, invitee.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.CancelInvitation(ctx, accepted.ID)
	modeltest.WantError(t, err, models.KindConflict, "invitation_not_pending")
	if got, err := s.ExpireInvitation(ctx, accepted.ID); err != nil || got.Status != models.InvitationAccepted {
		t.Fatalf("expire after accept = %+v, %v", got, err)
	}

	if n := countEvents(t, s, models.EventInvitationCancelled) + countEvents(t, s, models.EventInvitationExpired); n != 2 {
		t.Fatalf("%d cancel/expire events, want 2", n)
	}
	_, err = s.CancelInvitation(ctx, uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "invitation_not_found")
	_, err = s.ExpireInvitation(ctx, uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "invitation_not_found")
}

func TestAcceptInvitation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	invitee := createUser(t, s, models.PlatformRoleNone)
	stranger := createUser(t, s, models.PlatformRoleNone)

	out, err := s.CreateInvitations(ctx, acct.ID, admin.ID, []string{strings.ToUpper(invitee.Email)}, models.DevRoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	inv := out[0].Invitation

	// Someone else cannot use it, and trying changes nothing.
	_, err = s.AcceptInvitation(models.WithActor(ctx, stranger.ID), inv.ID, stranger.ID)
	modeltest.WantError(t, err, models.KindForbidden, "invitation_email_mismatch")
	if got := storedInvitation(t, s, inv.ID); got.Status != models.InvitationPending {
		t.Fatalf("after a refused accept: %+v", got)
	}

	before := time.Now()
	got, err := s.AcceptInvitation(ctx, inv.ID, invitee.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.InvitationAccepted || got.AcceptedBy == nil || *got.AcceptedBy != invitee.ID ||
		got.AcceptedAt == nil || got.AcceptedAt.Before(before.Add(-time.Second)) {
		t.Fatalf("accepted invitation %+v", got)
	}
	if role, err := s.DeveloperAccountRole(ctx, acct.ID, invitee.ID); err != nil || role != models.DevRoleAdmin {
		t.Fatalf("invitee's role = %q, %v; want admin", role, err)
	}
	wantEvent(t, onlyEvent(t, s, models.EventInvitationAccepted), acct.ID, &invitee.ID,
		map[string]any{"invitation_id": inv.ID, "email": invitee.Email, "role": "admin"})
	wantEvent(t, eventsOf(t, s, models.EventDeveloperAccountMemberAdd)[0], acct.ID, &invitee.ID,
		map[string]any{"user_id": invitee.ID, "role": "admin", "invitation_id": inv.ID})

	// Again: the same answer, nothing new.
	again, err := s.AcceptInvitation(ctx, inv.ID, invitee.ID)
	if err != nil || again.Status != models.InvitationAccepted || !again.AcceptedAt.Equal(*got.AcceptedAt) {
		t.Fatalf("second accept = %+v, %v", again, err)
	}
	if n := countEvents(t, s, models.EventInvitationAccepted) + countEvents(t, s, models.EventDeveloperAccountMemberAdd); n != 2 {
		t.Fatalf("%d accept events after a second accept, want 2", n)
	}
	_, err = s.AcceptInvitation(ctx, inv.ID, stranger.ID)
	modeltest.WantError(t, err, models.KindConflict, "invitation_already_accepted")

	_, err = s.AcceptInvitation(ctx, uuid.New(), invitee.ID)
	modeltest.WantError(t, err, models.KindNotFound, "invitation_not_found")
}

func TestAcceptInvitationRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)

	tests := []struct {
		name  string
		close func(t *testing.T, inv *models.Invitation)
		kind  models.Kind
		code  string
	}{
		{"cancelled", func(t *testing.T, inv *models.Invitation) {
			if _, err := s.CancelInvitation(ctx, inv.ID); err != nil {
				t.Fatal(err)
			}
		}, models.KindConflict, "invitation_cancelled"},
		{"expired", func(t *testing.T, inv *models.Invitation) {
			if _, err := s.ExpireInvitation(ctx, inv.ID); err != nil {
				t.Fatal(err)
			}
		}, models.KindConflict, "invitation_expired"},
		{"past its expiry, not yet marked", func(t *testing.T, inv *models.Invitation) {
			if err := s.Gorm().Exec(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = ?`, inv.ID).Error; err != nil {
				t.Fatal(err)
			}
		}, models.KindConflict, "invitation_expired"},
		{"unknown user", func(t *testing.T, inv *models.Invitation) {}, models.KindNotFound, "user_not_found"},
	}
	for _, tt := range tests {
		u := createUser(t, s, models.PlatformRoleNone)
		inv := invite(t, s, acct, admin, u.Email)
		tt.close(t, inv)
		userID := u.ID
		if tt.name == "unknown user" {
			userID = uuid.New()
		}
		before := rowCounts(t, s)
		_, err := s.AcceptInvitation(ctx, inv.ID, userID)
		modeltest.WantError(t, err, tt.kind, tt.code)
		if after := rowCounts(t, s); after["developer_account_members"] != before["developer_account_members"] ||
			after["event_logs"] != before["event_logs"] {
			t.Errorf("%s: a refused accept changed members or events", tt.name)
		}
	}
}

// TestAcceptInvitationExistingMember: someone who joined another way keeps
// their role; the invitation is closed without a member_added event.
func TestAcceptInvitationExistingMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	u := createUser(t, s, models.PlatformRoleNone)
	out, err := s.CreateInvitations(ctx, acct.ID, admin.ID, []string{u.Email}, models.DevRoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	addMember(t, s, acct, u, models.DevRoleMember)
	added := countEvents(t, s, models.EventDeveloperAccountMemberAdd)
	got, err := s.AcceptInvitation(ctx, out[0].Invitation.ID, u.ID)
	if err != nil || got.Status != models.InvitationAccepted {
		t.Fatalf("accept = %+v, %v", got, err)
	}
	if role, _ := s.DeveloperAccountRole(ctx, acct.ID, u.ID); role != models.DevRoleMember {
		t.Fatalf("role = %q, want the existing member role", role)
	}
	if n := countEvents(t, s, models.EventDeveloperAccountMemberAdd); n != added {
		t.Fatalf("member_added written for an existing member")
	}
	onlyEvent(t, s, models.EventInvitationAccepted)
}

// TestAcceptInvitationConcurrent: many clicks at once make one membership
// and one set of events, and every click succeeds.
func TestAcceptInvitationConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	u := createUser(t, s, models.PlatformRoleNone)
	inv := invite(t, s, acct, admin, u.Email)

	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = s.AcceptInvitation(ctx, inv.ID, u.ID)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("accept %d: %v", i, err)
		}
	}
	if got := countRows(t, s, "developer_account_members"); got != 2 {
		t.Fatalf("%d members, want 2", got)
	}
	onlyEvent(t, s, models.EventInvitationAccepted)
	onlyEvent(t, s, models.EventDeveloperAccountMemberAdd)
}
