package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// invite invites email to acct as a member and returns the invitation.
func invite(t *testing.T, s *postgres.Store, acct *models.DeveloperAccount, by *models.User, email string) *models.Invitation {
	t.Helper()
	out, err := s.CreateInvitations(models.WithActor(context.Background(), by.ID), acct.ID, by.ID, []string{email}, models.DevRoleMember)
	if err != nil {
		t.Fatalf("CreateInvitations(%s): %v", email, err)
	}
	if len(out) != 1 || out[0].Result != models.InviteInvited || out[0].Invitation == nil {
		t.Fatalf("CreateInvitations(%s) = %+v, want invited", email, out)
	}
	return out[0].Invitation
}

func TestCreateInvitationsOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	member := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	addMember(t, s, acct, member, models.DevRoleMember)
	pending := invite(t, s, acct, admin, "pending@example.test")
	// An invitation to another account does not count for this one.
	otherAcct := createAccount(t, s, admin)
	invite(t, s, otherAcct, admin, "new@example.test")

	before := rowCounts(t, s)
	start := time.Now()
	out, err := s.CreateInvitations(models.WithActor(ctx, admin.ID), acct.ID, admin.ID, []string{
		"  New@Example.test ",
		strings.ToUpper(member.Email),
		"pending@EXAMPLE.test",
		"not an email",
		"new@example.test",
		"second@example.test",
		"not an email",
		"Someone <x@example.test>",
	}, models.DevRoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ email, result string }{
		{"new@example.test", models.InviteInvited},
		{member.Email, models.InviteAlreadyMember},
		{"pending@example.test", models.InviteAlreadyInvited},
		{"not an email", models.InviteInvalidEmail},
		{"second@example.test", models.InviteInvited},
		{"Someone <x@example.test>", models.InviteInvalidEmail},
	}
	if len(out) != len(want) {
		t.Fatalf("outcomes = %+v, want %d", out, len(want))
	}
	for i, w := range want {
		o := out[i]
		if o.Email != w.email || o.Result != w.result {
			t.Errorf("outcome %d = %s %s, want %s %s", i, o.Email, o.Result, w.email, w.result)
		}
		if (o.Result == models.InviteInvited) != (o.Invitation != nil) {
			t.Errorf("outcome %d (%s) invitation = %v", i, o.Result, o.Invitation)
		}
		if o.Result != models.InviteInvited && o.Message == "" {
			t.Errorf("outcome %d (%s) has no message", i, o.Result)
		}
		if inv := o.Invitation; inv != nil {
			if inv.Email != w.email || inv.Role != models.InvitationRoleAdmin || inv.Status != models.InvitationPending ||
				inv.DeveloperAccountID == nil || *inv.DeveloperAccountID != acct.ID || inv.OrganizationID != nil || inv.Generation != 1 || inv.MailedGeneration != 0 ||
				inv.ResendCount != 0 || inv.TokenHash != nil || inv.InvitedBy == nil || *inv.InvitedBy != admin.ID {
				t.Errorf("invitation %+v", inv)
			}
			if d := inv.ExpiresAt.Sub(start); d < models.InvitationTTL-time.Minute || d > models.InvitationTTL+time.Minute {
				t.Errorf("invitation expires in %v, want %v", d, models.InvitationTTL)
			}
			stored, err := s.GetInvitation(ctx, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Email != inv.Email || stored.Status != inv.Status || !stored.ExpiresAt.Equal(inv.ExpiresAt) || stored.TokenHash != nil {
				t.Errorf("stored %+v, returned %+v", stored, inv)
			}
		}
	}
	// Only the two invited addresses changed anything: two rows, two events.
	after := rowCounts(t, s)
	if d := after["invitations"] - before["invitations"]; d != 2 {
		t.Errorf("%d invitations created, want 2", d)
	}
	if d := after["event_logs"] - before["event_logs"]; d != 2 {
		t.Errorf("%d events written, want 2", d)
	}
	for _, e := range eventsOf(t, s, models.EventInvitationCreated)[2:] {
		wantEvent(t, e, acct.ID, &admin.ID, map[string]any{"role": "admin"})
		if e.Data["email"] != "new@example.test" && e.Data["email"] != "second@example.test" {
			t.Errorf("invitation.created for %v", e.Data["email"])
		}
	}
	// The earlier pending invitation is untouched.
	if got, _ := s.GetInvitation(ctx, pending.ID); got.Role != models.InvitationRoleMember || got.Status != models.InvitationPending {
		t.Errorf("the pending invitation changed: %+v", got)
	}
}

func TestCreateInvitationsRejects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	many := make([]string, models.MaxInvitationEmails+1)
	for i := range many {
		many[i] = fmt.Sprintf("p%d@example.test", i)
	}
	tests := []struct {
		name    string
		acct    uuid.UUID
		emails  []string
		role    models.DeveloperRole
		kind    models.Kind
		code    string
		created int64
	}{
		{"no emails", acct.ID, nil, models.DevRoleMember, models.KindInvalid, "invalid_emails", 0},
		{"too many", acct.ID, many, models.DevRoleMember, models.KindInvalid, "invalid_emails", 0},
		{"bad role", acct.ID, []string{"a@example.test"}, "owner", models.KindInvalid, "invalid_role", 0},
		{"unknown account", uuid.New(), []string{"a@example.test"}, models.DevRoleMember, models.KindNotFound, "developer_account_not_found", 0},
		{"fifty", acct.ID, many[:models.MaxInvitationEmails], models.DevRoleMember, "", "", models.MaxInvitationEmails},
	}
	for _, tt := range tests {
		before := countRows(t, s, "invitations")
		out, err := s.CreateInvitations(ctx, tt.acct, admin.ID, tt.emails, tt.role)
		if tt.code != "" {
			modeltest.WantError(t, err, tt.kind, tt.code)
		} else if err != nil || len(out) != len(tt.emails) {
			t.Fatalf("%s: %d outcomes, %v", tt.name, len(out), err)
		}
		if d := countRows(t, s, "invitations") - before; d != tt.created {
			t.Errorf("%s: %d invitations created, want %d", tt.name, d, tt.created)
		}
	}
	// Only invalid addresses: nothing to do, no error.
	out, err := s.CreateInvitations(ctx, acct.ID, admin.ID, []string{"x", "x", " y "}, models.DevRoleMember)
	if err != nil || len(out) != 2 || out[0].Result != models.InviteInvalidEmail || out[1].Email != "y" {
		t.Fatalf("invalid only = %+v, %v", out, err)
	}
}

// TestCreateInvitationsRace: concurrent invites of the same people (in
// different orders) create one pending invitation each, neither deadlocks,
// and the losers hear already_invited.
func TestCreateInvitationsRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	emails := []string{"a@example.test", "b@example.test", "c@example.test"}
	reversed := []string{emails[2], emails[1], emails[0]}

	const n = 6
	outs := make([][]models.InviteOutcome, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		list := emails
		if i%2 == 1 {
			list = reversed
		}
		wg.Go(func() {
			<-start
			outs[i], errs[i] = s.CreateInvitations(ctx, acct.ID, admin.ID, list, models.DevRoleMember)
		})
	}
	close(start)
	wg.Wait()
	invited := map[string]int{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		for _, o := range outs[i] {
			switch o.Result {
			case models.InviteInvited:
				invited[o.Email]++
			case models.InviteAlreadyInvited:
			default:
				t.Errorf("call %d: %s -> %s", i, o.Email, o.Result)
			}
		}
	}
	for _, e := range emails {
		if invited[e] != 1 {
			t.Errorf("%s invited %d times, want 1", e, invited[e])
		}
	}
	if got := countRows(t, s, "invitations"); got != 3 {
		t.Errorf("%d invitations, want 3", got)
	}
	if got := countEvents(t, s, models.EventInvitationCreated); got != 3 {
		t.Errorf("%d invitation.created events, want 3", got)
	}
}

// TestReinviteAfterClose: only a pending invitation blocks a new one.
func TestReinviteAfterClose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	first := invite(t, s, acct, admin, "again@example.test")
	if _, err := s.CancelInvitation(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	second := invite(t, s, acct, admin, "again@example.test")
	if _, err := s.ExpireInvitation(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	third := invite(t, s, acct, admin, "again@example.test")
	pending, err := s.ListPendingInvitations(ctx, acct.ID)
	if err != nil || len(pending) != 1 || pending[0].ID != third.ID {
		t.Fatalf("pending = %+v, %v; want only the third", pending, err)
	}
}

func TestListPendingInvitations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	other := createAccount(t, s, admin)
	var ids []uuid.UUID
	for i := range 4 {
		ids = append(ids, invite(t, s, acct, admin, fmt.Sprintf("l%d@example.test", i)).ID)
	}
	invite(t, s, other, admin, "l0@example.test")
	if _, err := s.CancelInvitation(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListPendingInvitations(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []uuid.UUID{ids[3], ids[2], ids[0]} // newest first
	if len(got) != len(want) {
		t.Fatalf("%d pending, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i] {
			t.Fatalf("pending[%d] = %s, want %s", i, got[i].ID, want[i])
		}
	}
	if empty, err := s.ListPendingInvitations(ctx, uuid.New()); err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("unknown account: %#v, %v", empty, err)
	}
	_, err = s.GetInvitation(ctx, uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "invitation_not_found")
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("%v is not ErrNotFound", err)
	}
}
