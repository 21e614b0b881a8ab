package postgres_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

var staff = models.EventViewer{UserID: uuid.New(), Role: models.PlatformRoleStaffAdmin}

func recordEvent(t *testing.T, s *postgres.Store, e models.Event) models.Event {
	t.Helper()
	if e.ID == uuid.Nil {
		e.ID = uuid.New() // random, so id order is not insertion order
	}
	if e.Type == "" {
		e.Type = "test.event"
	}
	if err := s.RecordEvent(context.Background(), e); err != nil {
		t.Fatalf("RecordEvent: %v", err)
	}
	return e
}

// pageAll follows NextCursor from the first page until there is none and
// returns every event served, checking page sizes and cursors on the way.
func pageAll(t *testing.T, s *postgres.Store, viewer models.EventViewer, f models.EventFilter) []models.Event {
	t.Helper()
	var all []models.Event
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			t.Fatal("pagination does not terminate")
		}
		page, err := s.ListEvents(context.Background(), viewer, f)
		if err != nil {
			t.Fatalf("ListEvents page %d: %v", pages, err)
		}
		all = append(all, page.Events...)
		if page.NextCursor == "" {
			if len(page.Events) > f.Limit {
				t.Fatalf("last page has %d events, limit %d", len(page.Events), f.Limit)
			}
			return all
		}
		if len(page.Events) != f.Limit {
			t.Fatalf("page %d has %d events and a next cursor, want exactly %d", pages, len(page.Events), f.Limit)
		}
		c, err := models.DecodeCursor(page.NextCursor)
		if err != nil {
			t.Fatalf("NextCursor %q does not decode: %v", page.NextCursor, err)
		}
		last := page.Events[len(page.Events)-1]
		if !c.CreatedAt.Equal(last.CreatedAt) || c.ID != last.ID {
			t.Fatalf("NextCursor = %v/%v, want the last event %v/%v", c.CreatedAt, c.ID, last.CreatedAt, last.ID)
		}
		f.Cursor = page.NextCursor
	}
}

// assertNewestFirst fails unless events are strictly ordered by
// (created_at desc, id desc), which also means no event repeats.
func assertNewestFirst(t *testing.T, events []models.Event) {
	t.Helper()
	for i := 1; i < len(events); i++ {
		a, b := events[i-1], events[i]
		if a.CreatedAt.Before(b.CreatedAt) ||
			(a.CreatedAt.Equal(b.CreatedAt) && bytes.Compare(a.ID[:], b.ID[:]) <= 0) {
			t.Fatalf("events %d and %d out of order: %v/%v then %v/%v", i-1, i, a.CreatedAt, a.ID, b.CreatedAt, b.ID)
		}
	}
}

// assertExactlyOnce fails unless events hold each id of want exactly once
// and nothing else.
func assertExactlyOnce(t *testing.T, events []models.Event, want []uuid.UUID) {
	t.Helper()
	seen := map[uuid.UUID]int{}
	for _, e := range events {
		seen[e.ID]++
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("event %s seen %d times, want once", id, seen[id])
		}
		delete(seen, id)
	}
	for id, n := range seen {
		t.Errorf("unexpected event %s seen %d times", id, n)
	}
	if len(events) != len(want) {
		t.Fatalf("served %d events, want %d", len(events), len(want))
	}
}

func without(ids, drop []uuid.UUID) []uuid.UUID {
	return slices.DeleteFunc(slices.Clone(ids), func(id uuid.UUID) bool { return slices.Contains(drop, id) })
}

func allEventIDs(t *testing.T, s *postgres.Store) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	if err := s.Gorm().Table("event_logs").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestListEventsEqualTimestamps is the keyset pagination guarantee: with 1,000
// events at the very same instant, pages of 7 serve each event exactly once.
func TestListEventsEqualTimestamps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	member := createUser(t, s, models.PlatformRoleNone)
	outsider := createUser(t, s, models.PlatformRoleNone)
	org, err := s.CreateOrganization(ctx, "Equal Times", member.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Eight writers, so the 1,000 single-row commits do not take seconds.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 125 {
				e := models.Event{ID: uuid.New(), Type: "test.event", CreatedAt: modeltest.BaseTime, OrganizationID: &org.ID, ActorID: &member.ID}
				if err := s.RecordEvent(ctx, e); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("RecordEvent: %v", err)
	}
	all := allEventIDs(t, s) // the 1,000 plus the setup's own events
	if len(all) < 1000 {
		t.Fatalf("only %d events stored", len(all))
	}
	var outsiders []uuid.UUID
	if err := s.Gorm().Table("event_logs").Where("actor_id = ? AND organization_id IS NULL", outsider.ID).Pluck("id", &outsiders).Error; err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		viewer models.EventViewer
		want   []uuid.UUID
	}{
		{"staff admin", staff, all},
		{"organization member", models.EventViewer{UserID: member.ID, Role: models.PlatformRoleNone}, without(all, outsiders)},
		{"outsider", models.EventViewer{UserID: outsider.ID, Role: models.PlatformRoleReviewer}, outsiders},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pageAll(t, s, tt.viewer, models.EventFilter{Limit: 7})
			assertExactlyOnce(t, got, tt.want)
			assertNewestFirst(t, got)
		})
	}

	t.Run("with type filter", func(t *testing.T) {
		got := pageAll(t, s, models.EventViewer{UserID: member.ID}, models.EventFilter{Types: []models.EventType{"test.event"}, Limit: 7})
		if len(got) != 1000 {
			t.Fatalf("served %d test events, want 1000", len(got))
		}
		assertNewestFirst(t, got)
		for _, e := range got {
			if !e.CreatedAt.Equal(modeltest.BaseTime) {
				t.Fatalf("event %s created at %v, want %v", e.ID, e.CreatedAt, modeltest.BaseTime)
			}
		}
	})
}

func TestListEventsMixedTimestamps(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	var want []uuid.UUID
	for i := range 300 {
		// Runs of equal instants between distinct ones, inserted out of order.
		at := modeltest.BaseTime.Add(time.Duration((i*37)%23) * time.Second).Add(time.Duration(i%3) * time.Microsecond)
		want = append(want, recordEvent(t, s, models.Event{CreatedAt: at}).ID)
	}
	for _, limit := range []int{1, 7, 23, 200} {
		got := pageAll(t, s, staff, models.EventFilter{Limit: limit})
		assertExactlyOnce(t, got, want)
		assertNewestFirst(t, got)
	}
}

func TestListEventsVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	viewer := createUser(t, s, models.PlatformRoleNone)
	other := createUser(t, s, models.PlatformRoleNone)
	ownOrg, err := s.CreateOrganization(ctx, "Viewer Org", viewer.ID)
	if err != nil {
		t.Fatal(err)
	}
	otherOrg, err := s.CreateOrganization(ctx, "Other Org", other.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The viewer is a plain member (not admin) of this account.
	ownAcct, err := s.CreateDeveloperAccount(ctx, "viewer-labs", "Viewer Labs", other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddDeveloperAccountMember(ctx, ownAcct.ID, viewer.ID, models.DevRoleMember); err != nil {
		t.Fatal(err)
	}
	otherAcct, err := s.CreateDeveloperAccount(ctx, "other-labs", "Other Labs", other.ID)
	if err != nil {
		t.Fatal(err)
	}

	type labelled struct {
		label   string
		event   models.Event
		visible bool // to viewer
	}
	events := []labelled{
		{"viewer's organization", models.Event{OrganizationID: &ownOrg.ID, ActorID: &other.ID}, true},
		{"other organization", models.Event{OrganizationID: &otherOrg.ID}, false},
		{"viewer's developer account", models.Event{DeveloperAccountID: &ownAcct.ID}, true},
		{"other developer account", models.Event{DeveloperAccountID: &otherAcct.ID}, false},
		{"viewer's personal", models.Event{ActorID: &viewer.ID}, true},
		{"other's personal", models.Event{ActorID: &other.ID}, false},
		{"viewer acting in other organization", models.Event{ActorID: &viewer.ID, OrganizationID: &otherOrg.ID}, false},
		{"viewer acting in other account", models.Event{ActorID: &viewer.ID, DeveloperAccountID: &otherAcct.ID}, false},
		{"system", models.Event{}, false},
	}
	labelOf := map[uuid.UUID]string{}
	for i := range events {
		events[i].event.Type = "test.visibility"
		events[i].event.CreatedAt = modeltest.BaseTime.Add(time.Duration(i) * time.Second)
		events[i].event = recordEvent(t, s, events[i].event)
		labelOf[events[i].event.ID] = events[i].label
	}

	list := func(t *testing.T, v models.EventViewer) map[string]bool {
		t.Helper()
		got := map[string]bool{}
		for _, e := range pageAll(t, s, v, models.EventFilter{Types: []models.EventType{"test.visibility"}, Limit: 3}) {
			got[labelOf[e.ID]] = true
		}
		return got
	}
	t.Run("member", func(t *testing.T) {
		got := list(t, models.EventViewer{UserID: viewer.ID, Role: models.PlatformRoleNone})
		for _, e := range events {
			if got[e.label] != e.visible {
				t.Errorf("%s: visible = %v, want %v", e.label, got[e.label], e.visible)
			}
		}
	})
	t.Run("reviewer sees no more than a member", func(t *testing.T) {
		got := list(t, models.EventViewer{UserID: viewer.ID, Role: models.PlatformRoleReviewer})
		for _, e := range events {
			if got[e.label] != e.visible {
				t.Errorf("%s: visible = %v, want %v", e.label, got[e.label], e.visible)
			}
		}
	})
	t.Run("staff admin", func(t *testing.T) {
		got := list(t, staff)
		for _, e := range events {
			if !got[e.label] {
				t.Errorf("%s: not visible to staff admin", e.label)
			}
		}
	})
	t.Run("unfiltered", func(t *testing.T) {
		// Without a type filter the viewer also sees the setup events of
		// their organization and account, but still none of the others.
		page, err := s.ListEvents(ctx, models.EventViewer{UserID: viewer.ID}, models.EventFilter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			visible := (e.OrganizationID != nil && *e.OrganizationID == ownOrg.ID) ||
				(e.DeveloperAccountID != nil && *e.DeveloperAccountID == ownAcct.ID) ||
				(e.ActorID != nil && *e.ActorID == viewer.ID && e.OrganizationID == nil && e.DeveloperAccountID == nil)
			if !visible {
				t.Errorf("viewer was served event %s (%s, %s)", e.ID, e.Type, labelOf[e.ID])
			}
		}
	})
}

func TestListEventsFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	app1, app2, org := uuid.New(), uuid.New(), uuid.New()
	e := func(i int, typ models.EventType, data models.JSONMap, app *uuid.UUID) models.Event {
		return recordEvent(t, s, models.Event{Type: typ, Data: data, AppID: app,
			CreatedAt: modeltest.BaseTime.Add(time.Duration(i) * time.Hour)})
	}
	login := e(0, models.EventLogin, models.JSONMap{"note": "blue whale"}, nil)
	token := e(1, models.EventTokenCreated, models.JSONMap{"name": "deploy key", "prefix": "asp_abc"}, &app1)
	logout := e(2, models.EventLogout, models.JSONMap{"note": "grey whale"}, &app1)
	created := e(3, models.EventUserCreated, models.JSONMap{"count": 42}, &app2)
	orgEvent := recordEvent(t, s, models.Event{Type: models.EventOrganizationCreated, OrganizationID: &org,
		CreatedAt: modeltest.BaseTime.Add(4 * time.Hour), Data: models.JSONMap{"name": "Whale Watchers"}})
	at := func(h int) *time.Time { v := modeltest.BaseTime.Add(time.Duration(h) * time.Hour); return &v }
	ids := func(es ...models.Event) []uuid.UUID {
		out := make([]uuid.UUID, len(es))
		for i, e := range es {
			out[i] = e.ID
		}
		return out
	}

	tests := []struct {
		name   string
		filter models.EventFilter
		want   []uuid.UUID // newest first
	}{
		{"no filter", models.EventFilter{}, ids(orgEvent, created, logout, token, login)},
		{"one type", models.EventFilter{Types: []models.EventType{models.EventLogin}}, ids(login)},
		{"two types", models.EventFilter{Types: []models.EventType{models.EventLogin, models.EventLogout}}, ids(logout, login)},
		{"unknown type", models.EventFilter{Types: []models.EventType{"nope.never"}}, nil},
		{"q word in data", models.EventFilter{Query: "whale"}, ids(orgEvent, logout, login)},
		{"q word in data is case-insensitive", models.EventFilter{Query: "WHALE"}, ids(orgEvent, logout, login)},
		{"q part of type", models.EventFilter{Query: "login"}, ids(login)},
		{"q other part of type", models.EventFilter{Query: "token"}, ids(token)},
		{"q words are ANDed", models.EventFilter{Query: "blue whale"}, ids(login)},
		{"q quoted phrase", models.EventFilter{Query: `"deploy key"`}, ids(token)},
		{"q number in data", models.EventFilter{Query: "42"}, ids(created)},
		{"q negation", models.EventFilter{Query: "whale -blue"}, ids(orgEvent, logout)},
		{"q blank is no filter", models.EventFilter{Query: "   "}, ids(orgEvent, created, logout, token, login)},
		{"q no match", models.EventFilter{Query: "dolphin"}, nil},
		{"q with type", models.EventFilter{Query: "whale", Types: []models.EventType{models.EventLogout}}, ids(logout)},
		{"app", models.EventFilter{AppID: &app1}, ids(logout, token)},
		{"other app", models.EventFilter{AppID: &app2}, ids(created)},
		{"organization", models.EventFilter{OrganizationID: &org}, ids(orgEvent)},
		{"from is inclusive", models.EventFilter{From: at(2)}, ids(orgEvent, created, logout)},
		{"to is exclusive", models.EventFilter{To: at(2)}, ids(token, login)},
		{"from and to", models.EventFilter{From: at(1), To: at(3)}, ids(logout, token)},
		{"empty window", models.EventFilter{From: at(1), To: at(1)}, nil},
		{"app and from", models.EventFilter{AppID: &app1, From: at(2)}, ids(logout)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page, err := s.ListEvents(ctx, staff, tt.filter)
			if err != nil {
				t.Fatalf("ListEvents: %v", err)
			}
			got := ids(page.Events...)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if page.NextCursor != "" {
				t.Fatalf("unexpected NextCursor on a short page")
			}
		})
	}
}

func TestListEventsInvalidInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	for i := range 250 {
		recordEvent(t, s, models.Event{CreatedAt: modeltest.BaseTime.Add(time.Duration(i) * time.Millisecond)})
	}
	b64 := base64.RawURLEncoding.EncodeToString

	t.Run("limits", func(t *testing.T) {
		tests := []struct {
			limit    int
			wantLen  int
			wantCode string
		}{
			{0, models.DefaultEventLimit, ""},
			{1, 1, ""},
			{models.MaxEventLimit, models.MaxEventLimit, ""},
			{models.MaxEventLimit + 1, 0, "invalid_limit"},
			{-1, 0, "invalid_limit"},
		}
		for _, tt := range tests {
			page, err := s.ListEvents(ctx, staff, models.EventFilter{Limit: tt.limit})
			if tt.wantCode != "" {
				de := modeltest.WantError(t, err, models.KindInvalid, tt.wantCode)
				if len(de.Fields) != 1 || de.Fields[0].Field != "limit" {
					t.Errorf("limit %d: fields = %+v, want one on limit", tt.limit, de.Fields)
				}
				if page != nil {
					t.Errorf("limit %d: got a page with the error", tt.limit)
				}
				continue
			}
			if err != nil {
				t.Fatalf("limit %d: %v", tt.limit, err)
			}
			if len(page.Events) != tt.wantLen || page.NextCursor == "" {
				t.Errorf("limit %d: %d events, cursor %q; want %d and a cursor", tt.limit, len(page.Events), page.NextCursor, tt.wantLen)
			}
		}
	})

	t.Run("cursors", func(t *testing.T) {
		for _, cursor := range []string{
			"not a cursor!",
			b64([]byte("no separator")),
			b64([]byte("yesterday|" + uuid.NewString())),
			b64([]byte(modeltest.BaseTime.Format(time.RFC3339Nano) + "|not-a-uuid")),
			models.Cursor{CreatedAt: modeltest.BaseTime, ID: uuid.New()}.Encode() + "=",
		} {
			page, err := s.ListEvents(ctx, staff, models.EventFilter{Cursor: cursor})
			modeltest.WantError(t, err, models.KindInvalid, "invalid_cursor")
			if !errors.Is(err, models.ErrInvalid) {
				t.Errorf("cursor %q: errors.Is(err, ErrInvalid) is false", cursor)
			}
			if page != nil {
				t.Errorf("cursor %q: got a page with the error", cursor)
			}
		}
	})
}

func TestEventLogRefusesUpdate(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	e := recordEvent(t, s, models.Event{Type: models.EventLogin, CreatedAt: modeltest.BaseTime, Data: models.JSONMap{"k": "v"}})

	for name, update := range map[string]func() error{
		"raw": func() error {
			return s.Gorm().Exec(`UPDATE event_logs SET type = 'auth.logout' WHERE id = ?`, e.ID).Error
		},
		"gorm": func() error {
			return s.Gorm().Model(&models.Event{ID: e.ID}).Update("data", models.JSONMap{"k": "changed"}).Error
		},
	} {
		err := update()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			t.Fatalf("%s update: err = %v, want a PostgreSQL error", name, err)
		}
		if pgErr.Code != "23001" || !strings.Contains(pgErr.Message, "never updated") {
			t.Fatalf("%s update: error %s %q, want restrict_violation from the trigger", name, pgErr.Code, pgErr.Message)
		}
	}
	var got models.Event
	if err := s.Gorm().First(&got, "id = ?", e.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got.Type != models.EventLogin || got.Data["k"] != "v" {
		t.Fatalf("row changed despite the trigger: %+v", got)
	}
}

func TestRecordEventDefaults(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	actor := uuid.New()
	ctx := models.WithAudit(context.Background(), models.Audit{ActorID: &actor, RequestID: "req-1", RequestMethod: "POST", RequestPath: "/api/v1/x"})
	before := time.Now()
	if err := s.RecordEvent(ctx, models.Event{Type: models.EventLogout}); err != nil {
		t.Fatal(err)
	}
	var got models.Event
	if err := s.Gorm().First(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got.ID == uuid.Nil || got.ID.Version() != 7 {
		t.Errorf("id = %v, want a UUIDv7", got.ID)
	}
	if got.CreatedAt.Before(before.Add(-time.Second)) || got.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("created_at = %v, want about now", got.CreatedAt)
	}
	if got.ActorID == nil || *got.ActorID != actor || got.RequestID != "req-1" || got.RequestMethod != "POST" || got.RequestPath != "/api/v1/x" {
		t.Errorf("audit not copied: %+v", got)
	}
	if got.Data == nil || len(got.Data) != 0 {
		t.Errorf("data = %v, want {}", got.Data)
	}
}

func TestRecordEventOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	err := s.RecordEventOnce(ctx, models.Event{Type: models.EventRetentionPurged})
	modeltest.WantError(t, err, models.KindInvalid, "event_id_required")

	id := uuid.New()
	for range 3 {
		if err := s.RecordEventOnce(ctx, models.Event{ID: id, Type: models.EventRetentionPurged}); err != nil {
			t.Fatalf("RecordEventOnce: %v", err)
		}
	}
	if n := countRows(t, s, "event_logs"); n != 1 {
		t.Fatalf("%d events after three RecordEventOnce with one id, want 1", n)
	}
}

func TestDeleteEventsBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	cutoff := modeltest.BaseTime
	var old []uuid.UUID // oldest first
	for i := 10; i >= 1; i-- {
		old = append(old, recordEvent(t, s, models.Event{CreatedAt: cutoff.Add(-time.Duration(i) * time.Hour)}).ID)
	}
	var kept []uuid.UUID
	kept = append(kept, recordEvent(t, s, models.Event{CreatedAt: cutoff}).ID) // not before the cutoff
	for i := 1; i <= 5; i++ {
		kept = append(kept, recordEvent(t, s, models.Event{CreatedAt: cutoff.Add(time.Duration(i) * time.Minute)}).ID)
	}

	remaining := func() []uuid.UUID {
		t.Helper()
		var ids []uuid.UUID
		if err := s.Gorm().Table("event_logs").Order("created_at").Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		return ids
	}

	n, err := s.DeleteEventsBefore(ctx, cutoff, 4)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("first batch deleted %d, want 4", n)
	}
	if got, want := remaining(), append(slices.Clone(old[4:]), kept...); !slices.Equal(got, want) {
		t.Fatalf("after one batch: %v, want the 4 oldest gone: %v", got, want)
	}

	var total int64 = n
	for range 10 {
		n, err := s.DeleteEventsBefore(ctx, cutoff, 4)
		if err != nil {
			t.Fatal(err)
		}
		if n > 4 {
			t.Fatalf("batch deleted %d, more than 4", n)
		}
		total += n
		if n == 0 {
			break
		}
	}
	if total != int64(len(old)) {
		t.Fatalf("deleted %d in all, want %d", total, len(old))
	}
	if got := remaining(); !slices.Equal(got, kept) {
		t.Fatalf("remaining = %v, want %v", got, kept)
	}
}
