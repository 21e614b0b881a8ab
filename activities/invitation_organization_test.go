package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"appstore/activities"
	"appstore/models"
)

// The same activities drive organization invitations: the store finds the
// target from the invitation row.
func TestOrganizationInvitationActivities(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	owner, err := store.CreateUser(ctx, models.NewUser{Email: "olivia@example.com", Name: "Olivia", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	invitee, err := store.CreateUser(ctx, models.NewUser{Email: "new.admin@example.com", Name: "New Admin", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := store.CreateOrganization(ctx, "Globex & Co", owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	invite := func(email string) *models.Invitation {
		t.Helper()
		out, err := store.CreateOrganizationInvitations(ctx, org.ID, owner.ID, []string{email}, models.OrgRoleAdmin)
		if err != nil || len(out) != 1 || out[0].Invitation == nil {
			t.Fatalf("invite %s: %+v, %v", email, out, err)
		}
		return out[0].Invitation
	}
	inv := invite(invitee.Email)
	tm := &team{store: store, admin: owner}
	env := tm.env(t, activities.OutboxMailer{Store: store})

	if !mailInvitation(t, env, inv.ID, 1) || mailInvitation(t, env, inv.ID, 1) {
		t.Fatal("generation 1: want mailed exactly once")
	}
	if _, err := env.ExecuteActivity(a.MarkInvitationResent, activities.MarkResentInput{
		InvitationID: inv.ID, Generation: 2, ExpiresAt: time.Now().Add(models.InvitationTTL), ActorID: owner.ID}); err != nil {
		t.Fatal(err)
	}
	if !mailInvitation(t, env, inv.ID, 2) {
		t.Fatal("generation 2 not mailed")
	}
	mails := tm.mails(t)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want 2", len(mails))
	}
	for _, m := range mails {
		if m.To != invitee.Email || m.Subject != "You're invited to join Globex & Co on Appstore" ||
			!strings.Contains(m.Text, "Olivia (olivia@example.com) invited you to join the organization Globex & Co on Appstore as an admin") {
			t.Errorf("mail to %q, subject %q:\n%s", m.To, m.Subject, m.Text)
		}
	}
	token := tokenLink.FindStringSubmatch(mails[1].Text)
	if token == nil {
		t.Fatalf("no accept link:\n%s", mails[1].Text)
	}
	if found, err := store.FindInvitationByToken(ctx, token[1]); err != nil || found.ID != inv.ID {
		t.Fatalf("FindInvitationByToken = %+v, %v", found, err)
	}

	_, err = env.ExecuteActivity(a.AcceptInvitation, activities.AcceptInvitationInput{InvitationID: inv.ID, UserID: owner.ID})
	wantDomainError(t, err, "invitation_email_mismatch")
	for range 2 {
		if _, err := env.ExecuteActivity(a.AcceptInvitation, activities.AcceptInvitationInput{InvitationID: inv.ID, UserID: invitee.ID}); err != nil {
			t.Fatal(err)
		}
	}
	var roles []string
	if err := store.Gorm().Raw(`SELECT role FROM organization_members WHERE organization_id = ? AND user_id = ?`, org.ID, invitee.ID).
		Scan(&roles).Error; err != nil {
		t.Fatal(err)
	}
	if len(roles) != 1 || roles[0] != "admin" {
		t.Errorf("invitee's organization roles = %v, want [admin]", roles)
	}

	cancelled, expired := invite("c@example.com"), invite("e@example.com")
	if _, err := env.ExecuteActivity(a.CancelInvitation, activities.CancelInvitationInput{InvitationID: cancelled.ID, ActorID: owner.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.ExecuteActivity(a.ExpireInvitation, expired.ID); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[*models.Invitation]models.InvitationStatus{cancelled: models.InvitationCancelled, expired: models.InvitationExpired, inv: models.InvitationAccepted} {
		if got, err := store.GetInvitation(ctx, id.ID); err != nil || got.Status != want {
			t.Errorf("invitation %s: %+v, %v; want %s", id.Email, got, err, want)
		}
	}
	if mailInvitation(t, env, cancelled.ID, 1) {
		t.Error("cancelled invitation mailed")
	}
}
