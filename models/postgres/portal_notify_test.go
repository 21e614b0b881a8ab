package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// portalListener is a separate connection LISTENing on portal_state, as the
// portal cache of another `appstore serve` process would.
type portalListener struct {
	t    *testing.T
	conn *pgx.Conn
}

func listenPortal(t *testing.T, url string) *portalListener {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("pgx.Connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "LISTEN portal_state"); err != nil {
		t.Fatalf("LISTEN: %v", err)
	}
	return &portalListener{t: t, conn: conn}
}

// expect fails unless the notifications that arrive next name exactly
// users, each once, and nothing else follows them.
func (l *portalListener) expect(what string, users ...uuid.UUID) {
	l.t.Helper()
	var got []string
	wait := 5 * time.Second // for the first of those expected
	if len(users) == 0 {
		wait = 300 * time.Millisecond
	}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		n, err := l.conn.WaitForNotification(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			l.t.Fatalf("%s: WaitForNotification: %v", what, err)
		}
		if n.Channel != "portal_state" {
			l.t.Fatalf("%s: notification on channel %q", what, n.Channel)
		}
		got = append(got, n.Payload)
		if len(got) >= len(users) {
			wait = 300 * time.Millisecond // then make sure nothing more comes
		}
	}
	want := make([]string, len(users))
	for i, u := range users {
		want[i] = u.String()
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		l.t.Fatalf("%s: notified %v, want %v", what, got, want)
	}
}

func TestNotifyPortalChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := postgres.NewStore(db)
	l := listenPortal(t, url)

	a := createUser(t, s, models.PlatformRoleNone)
	b := createUser(t, s, models.PlatformRoleNone)
	c := createUser(t, s, models.PlatformRoleNone)
	outsider := createUser(t, s, models.PlatformRoleNone)
	outsiderAcct := createAccount(t, s, outsider)
	l.expect("create an account", outsider.ID)

	acct := createAccount(t, s, a)
	l.expect("create an account", a.ID)
	addMember(t, s, acct, b, models.DevRoleMember)
	l.expect("add a member", a.ID, b.ID)

	inv := invite(t, s, acct, a, c.Email)
	var m mailed
	if _, err := s.MailInvitationToken(ctx, inv.ID, 1, m.send); err != nil {
		t.Fatal(err)
	}
	l.expect("invite (no membership change)")
	if _, err := s.AcceptInvitation(ctx, inv.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	l.expect("accept", a.ID, b.ID, c.ID)
	if _, err := s.AcceptInvitation(ctx, inv.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	l.expect("accept again (no change)")

	if err := s.ChangeDeveloperAccountRole(ctx, acct.ID, b.ID, models.DevRoleAdmin); err != nil {
		t.Fatal(err)
	}
	l.expect("role change", a.ID, b.ID, c.ID)
	if err := s.RemoveDeveloperAccountMember(models.WithActor(ctx, a.ID), acct.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	l.expect("removal", a.ID, b.ID, c.ID)
	if err := s.RemoveDeveloperAccountMember(models.WithActor(ctx, b.ID), acct.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	l.expect("leave", a.ID, b.ID)

	// Refused changes roll back: nothing is announced.
	modeltest.WantError(t, s.ChangeDeveloperAccountRole(ctx, acct.ID, a.ID, models.DevRoleMember), models.KindConflict, "last_admin")
	modeltest.WantError(t, s.RemoveDeveloperAccountMember(ctx, acct.ID, a.ID), models.KindConflict, "last_admin")
	l.expect("refused changes")

	title := "Renamed"
	if _, err := s.UpdateDeveloperAccount(ctx, acct.ID, models.DeveloperAccountUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	l.expect("rename (the portal shows titles)", a.ID)

	// Directly: a rolled-back transaction announces nothing, a committed
	// one announces each user once, however often they are named.
	errRollback := errors.New("roll back")
	err = s.Gorm().Transaction(func(tx *gorm.DB) error {
		if err := postgres.NotifyPortalChange(ctx, tx, acct.ID, outsider.ID); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	l.expect("rolled back")
	err = s.Gorm().Transaction(func(tx *gorm.DB) error {
		if err := postgres.NotifyPortalChange(ctx, tx, acct.ID, outsider.ID, a.ID, outsider.ID); err != nil {
			return err
		}
		return postgres.NotifyPortalChange(ctx, tx, outsiderAcct.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	l.expect("committed with repeats", a.ID, outsider.ID)
}
