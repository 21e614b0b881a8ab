package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// The organization flavour of invitations: the same store methods, rules
// and events as the developer-account one, with organization membership.

var inviteOrgSeq atomic.Int64

// newInviteOrg creates an organization owned by owner. (Named apart from the
// organization store's own test helpers.)
func newInviteOrg(t *testing.T, s *postgres.Store, owner *models.User) *models.Organization {
	t.Helper()
	org, err := s.CreateOrganization(context.Background(), fmt.Sprintf("Org %d", inviteOrgSeq.Add(1)), owner.ID)
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	return org
}

// inviteToOrg invites email to org with role and returns the invitation.
func inviteToOrg(t *testing.T, s *postgres.Store, org *models.Organization, by *models.User, email string, role models.OrganizationRole) *models.Invitation {
	t.Helper()
	out, err := s.CreateOrganizationInvitations(models.WithActor(context.Background(), by.ID), org.ID, by.ID, []string{email}, role)
	if err != nil {
		t.Fatalf("CreateOrganizationInvitations(%s): %v", email, err)
	}
	if len(out) != 1 || out[0].Result != models.InviteInvited || out[0].Invitation == nil {
		t.Fatalf("CreateOrganizationInvitations(%s) = %+v, want invited", email, out)
	}
	return out[0].Invitation
}

// orgRoleOf reads userID's role in org straight from the table ("" when not a member).
func orgRoleOf(t *testing.T, s *postgres.Store, orgID, userID uuid.UUID) models.OrganizationRole {
	t.Helper()
	var roles []models.OrganizationRole
	if err := s.Gorm().Raw(`SELECT role FROM organization_members WHERE organization_id = ? AND user_id = ?`, orgID, userID).
		Scan(&roles).Error; err != nil {
		t.Fatal(err)
	}
	if len(roles) == 0 {
		return ""
	}
	return roles[0]
}

// wantOrgEvents fails unless every event of typ names org and no developer account.
func wantOrgEvents(t *testing.T, s *postgres.Store, typ models.EventType, org uuid.UUID, n int) []models.Event {
	t.Helper()
	events := eventsOf(t, s, typ)
	if len(events) != n {
		t.Fatalf("%d %s events, want %d", len(events), typ, n)
	}
	for _, e := range events {
		if e.OrganizationID == nil || *e.OrganizationID != org || e.DeveloperAccountID != nil {
			t.Errorf("%s event names organization %v, account %v; want organization %s only", typ, e.OrganizationID, e.DeveloperAccountID, org)
		}
	}
	return events
}

func TestCreateOrganizationInvitations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	member := createUser(t, s, models.PlatformRoleNone)
	org := newInviteOrg(t, s, owner)
	if err := s.AddOrganizationMember(ctx, org.ID, member.ID, models.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	inviteToOrg(t, s, org, owner, "pending@example.test", models.OrgRoleMember)
	// Pending invitations elsewhere, to another organization and to a
	// developer account, do not count for this organization.
	inviteToOrg(t, s, newInviteOrg(t, s, owner), owner, "new@example.test", models.OrgRoleMember)
	invite(t, s, createAccount(t, s, owner), owner, "new@example.test")

	before := countEvents(t, s, models.EventInvitationCreated)
	start := time.Now()
	out, err := s.CreateOrganizationInvitations(models.WithActor(ctx, owner.ID), org.ID, owner.ID, []string{
		" New@Example.test", strings.ToUpper(member.Email), strings.ToUpper(owner.Email), "pending@example.test", "nope", "new@example.test",
	}, models.OrgRoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ email, result string }{
		{"new@example.test", models.InviteInvited},
		{member.Email, models.InviteAlreadyMember},
		{owner.Email, models.InviteAlreadyMember},
		{"pending@example.test", models.InviteAlreadyInvited},
		{"nope", models.InviteInvalidEmail},
	}
	if len(out) != len(want) {
		t.Fatalf("outcomes = %+v, want %d", out, len(want))
	}
	for i, w := range want {
		if out[i].Email != w.email || out[i].Result != w.result {
			t.Errorf("outcome %d = %s %s, want %s %s", i, out[i].Email, out[i].Result, w.email, w.result)
		}
	}
	if !strings.Contains(out[1].Message, "organization") {
		t.Errorf("already-member message %q does not name the organization", out[1].Message)
	}
	inv := out[0].Invitation
	if inv.Kind() != models.InviteToOrganization || inv.TargetID() != org.ID || inv.DeveloperAccountID != nil ||
		inv.Role != models.InvitationRoleAdmin || inv.Status != models.InvitationPending || inv.Generation != 1 ||
		inv.ExpiresAt.Before(start.Add(models.InvitationTTL-time.Minute)) || inv.TokenHash != nil {
		t.Errorf("invitation = %+v", inv)
	}
	if stored := storedInvitation(t, s, inv.ID); stored.OrganizationID == nil || *stored.OrganizationID != org.ID || stored.DeveloperAccountID != nil {
		t.Errorf("stored %+v", stored)
	}
	if d := countEvents(t, s, models.EventInvitationCreated) - before; d != 1 {
		t.Errorf("%d invitation.created events, want 1", d)
	}
	created := eventsOf(t, s, models.EventInvitationCreated)
	if e := created[len(created)-1]; e.OrganizationID == nil || *e.OrganizationID != org.ID || e.DeveloperAccountID != nil ||
		e.ActorID == nil || *e.ActorID != owner.ID || e.Data["invitation_id"] != inv.ID.String() || e.Data["role"] != "admin" {
		t.Errorf("invitation.created event = %+v", e)
	}

	// Organizations grant admin or member by invitation, never owner.
	_, err = s.CreateOrganizationInvitations(ctx, org.ID, owner.ID, []string{"boss@example.test"}, models.OrgRoleOwner)
	modeltest.WantError(t, err, models.KindInvalid, "invalid_role")
	_, err = s.CreateOrganizationInvitations(ctx, uuid.New(), owner.ID, []string{"a@example.test"}, models.OrgRoleMember)
	modeltest.WantError(t, err, models.KindNotFound, "organization_not_found")
	_, err = s.CreateOrganizationInvitations(ctx, org.ID, owner.ID, nil, models.OrgRoleMember)
	modeltest.WantError(t, err, models.KindInvalid, "invalid_emails")

	// The lists keep the two flavours apart.
	pending, err := s.ListPendingOrganizationInvitations(ctx, org.ID)
	if err != nil || len(pending) != 2 || pending[0].ID != inv.ID || pending[1].Email != "pending@example.test" {
		t.Fatalf("ListPendingOrganizationInvitations = %+v, %v; want the two, newest first", pending, err)
	}
	if none, err := s.ListPendingOrganizationInvitations(ctx, uuid.New()); err != nil || none == nil || len(none) != 0 {
		t.Errorf("unknown organization: %#v, %v; want empty", none, err)
	}
	if none, err := s.ListPendingInvitations(ctx, org.ID); err != nil || len(none) != 0 {
		t.Errorf("ListPendingInvitations(org id) = %+v, %v; want none", none, err)
	}
}

// The database holds an invitation to exactly one target.
func TestInvitationHasOneTarget(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	org := newInviteOrg(t, s, owner)
	acct := createAccount(t, s, owner)
	for name, ids := range map[string][2]any{"both": {acct.ID, org.ID}, "neither": {nil, nil}} {
		err := s.Gorm().Exec(`INSERT INTO invitations (id, developer_account_id, organization_id, email, role, expires_at)
			VALUES (?, ?, ?, 'x@example.test', 'member', now())`, uuid.New(), ids[0], ids[1]).Error
		if err == nil || !strings.Contains(err.Error(), "invitations_one_target") {
			t.Errorf("%s: insert error %v, want the one-target check", name, err)
		}
	}
}

func TestOrganizationInvitationLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	invitee := createUser(t, s, models.PlatformRoleNone)
	other := createUser(t, s, models.PlatformRoleNone)
	org := newInviteOrg(t, s, owner)
	inv := inviteToOrg(t, s, org, owner, invitee.Email, models.OrgRoleAdmin)

	var m mailed
	if sent, err := s.MailInvitationToken(ctx, inv.ID, 1, m.send); err != nil || !sent {
		t.Fatalf("MailInvitationToken = %v, %v", sent, err)
	}
	if *m.target != (models.InvitationTarget{Kind: models.InviteToOrganization, ID: org.ID, Name: org.Name}) || m.target.Noun() != "organization" {
		t.Fatalf("mail target = %+v", m.target)
	}
	if target, err := s.GetInvitationTarget(ctx, inv); err != nil || *target != *m.target {
		t.Errorf("GetInvitationTarget = %+v, %v; want %+v", target, err, m.target)
	}
	if found, err := s.FindInvitationByToken(ctx, m.token); err != nil || found.ID != inv.ID {
		t.Fatalf("FindInvitationByToken = %+v, %v", found, err)
	}
	resent, err := s.MarkInvitationResent(models.WithActor(ctx, owner.ID), inv.ID, 2, time.Now().Add(models.InvitationTTL))
	if err != nil || resent.ResendCount != 1 {
		t.Fatalf("MarkInvitationResent = %+v, %v", resent, err)
	}
	wantOrgEvents(t, s, models.EventInvitationResent, org.ID, 1)

	// Another user cannot accept it; the invitee can, once.
	_, err = s.AcceptInvitation(ctx, inv.ID, other.ID)
	modeltest.WantError(t, err, models.KindForbidden, "invitation_email_mismatch")
	for range 2 {
		got, err := s.AcceptInvitation(ctx, inv.ID, invitee.ID)
		if err != nil || got.Status != models.InvitationAccepted || got.AcceptedBy == nil || *got.AcceptedBy != invitee.ID {
			t.Fatalf("AcceptInvitation = %+v, %v", got, err)
		}
	}
	if role := orgRoleOf(t, s, org.ID, invitee.ID); role != models.OrgRoleAdmin {
		t.Errorf("invitee's role = %q, want admin", role)
	}
	accepted := wantOrgEvents(t, s, models.EventInvitationAccepted, org.ID, 1)
	if accepted[0].ActorID == nil || *accepted[0].ActorID != invitee.ID {
		t.Errorf("invitation.accepted actor = %v, want the invitee", accepted[0].ActorID)
	}
	added := eventsOf(t, s, models.EventOrganizationMemberAdded)
	var byInvitation []models.Event
	for _, e := range added {
		if e.Data["invitation_id"] == inv.ID.String() {
			byInvitation = append(byInvitation, e)
		}
	}
	if len(byInvitation) != 1 || byInvitation[0].Data["user_id"] != invitee.ID.String() || byInvitation[0].Data["role"] != "admin" ||
		byInvitation[0].OrganizationID == nil || *byInvitation[0].OrganizationID != org.ID {
		t.Errorf("organization.member_added by the invitation = %+v, want one for the invitee", byInvitation)
	}
	_, err = s.CancelInvitation(ctx, inv.ID)
	modeltest.WantError(t, err, models.KindConflict, "invitation_not_pending")

	// Cancel and expire carry the organization too, and refuse an accept.
	cancelled := inviteToOrg(t, s, org, owner, "c@example.test", models.OrgRoleMember)
	if _, err := s.CancelInvitation(models.WithActor(ctx, owner.ID), cancelled.ID); err != nil {
		t.Fatal(err)
	}
	wantOrgEvents(t, s, models.EventInvitationCancelled, org.ID, 1)
	expired := inviteToOrg(t, s, org, owner, other.Email, models.OrgRoleMember)
	if got, err := s.ExpireInvitation(ctx, expired.ID); err != nil || got.Status != models.InvitationExpired {
		t.Fatalf("ExpireInvitation = %+v, %v", got, err)
	}
	wantOrgEvents(t, s, models.EventInvitationExpired, org.ID, 1)
	_, err = s.AcceptInvitation(ctx, expired.ID, other.ID)
	modeltest.WantError(t, err, models.KindConflict, "invitation_expired")
	if role := orgRoleOf(t, s, org.ID, other.ID); role != "" {
		t.Errorf("role after a refused accept = %q, want none", role)
	}
	// Past its time but not yet marked expired: refused as well.
	late := inviteToOrg(t, s, org, owner, other.Email, models.OrgRoleMember)
	if err := s.Gorm().Exec(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = ?`, late.ID).Error; err != nil {
		t.Fatal(err)
	}
	_, err = s.AcceptInvitation(ctx, late.ID, other.ID)
	modeltest.WantError(t, err, models.KindConflict, "invitation_expired")
}

// An owner who accepts an admin invitation (sent before they became owner)
// stays owner: accepting never demotes.
func TestOrganizationInvitationKeepsExistingRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	u := createUser(t, s, models.PlatformRoleNone)
	org := newInviteOrg(t, s, owner)
	inv := inviteToOrg(t, s, org, owner, u.Email, models.OrgRoleMember)
	if err := s.AddOrganizationMember(ctx, org.ID, u.ID, models.OrgRoleOwner); err != nil {
		t.Fatal(err)
	}
	before := countEvents(t, s, models.EventOrganizationMemberAdded)
	if _, err := s.AcceptInvitation(ctx, inv.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if role := orgRoleOf(t, s, org.ID, u.ID); role != models.OrgRoleOwner {
		t.Errorf("role = %q, want owner still", role)
	}
	if d := countEvents(t, s, models.EventOrganizationMemberAdded) - before; d != 0 {
		t.Errorf("%d member_added events for an existing member, want 0", d)
	}
}

// Accepting an organization invitation announces the change to the
// organization's members, the new one included, and to nobody else.
func TestOrganizationInvitationNotifies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := postgres.NewStore(db)
	owner := createUser(t, s, models.PlatformRoleNone)
	invitee := createUser(t, s, models.PlatformRoleNone)
	org := newInviteOrg(t, s, owner)
	inv := inviteToOrg(t, s, org, owner, invitee.Email, models.OrgRoleMember)
	l := listenPortal(t, url)

	var m mailed
	if _, err := s.MailInvitationToken(ctx, inv.ID, 1, m.send); err != nil {
		t.Fatal(err)
	}
	l.expect("mail (no membership change)")
	if _, err := s.AcceptInvitation(ctx, inv.ID, invitee.ID); err != nil {
		t.Fatal(err)
	}
	l.expect("accept", owner.ID, invitee.ID)
	if _, err := s.AcceptInvitation(ctx, inv.ID, invitee.ID); err != nil {
		t.Fatal(err)
	}
	l.expect("accept again (no change)")
}

// A deleted organization takes its invitations with it, and the target of
// an invitation read before that is reported gone.
func TestOrganizationInvitationTargetGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	owner := createUser(t, s, models.PlatformRoleNone)
	org := newInviteOrg(t, s, owner)
	inv := inviteToOrg(t, s, org, owner, "gone@example.test", models.OrgRoleMember)
	if err := s.Gorm().Exec(`DELETE FROM organizations WHERE id = ?`, org.ID).Error; err != nil {
		t.Fatal(err)
	}
	_, err := s.GetInvitation(ctx, inv.ID)
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("invitation of a deleted organization: %v, want not found", err)
	}
	_, err = s.GetInvitationTarget(ctx, inv)
	modeltest.WantError(t, err, models.KindNotFound, "organization_not_found")
}
