package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// recordsFixture is two organizations with their owner.
type recordsFixture struct {
	s          *postgres.Store
	ctx        context.Context
	org, other uuid.UUID
}

func newRecordsFixture(t *testing.T) recordsFixture {
	t.Helper()
	s := newStore(t)
	ctx := context.Background()
	owner := createUser(t, s, models.PlatformRoleNone)
	org, err := s.CreateOrganization(ctx, "Records", owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateOrganization(ctx, "Elsewhere", owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	return recordsFixture{s: s, ctx: ctx, org: org.ID, other: other.ID}
}

func (f recordsFixture) contact(t *testing.T, org uuid.UUID, name, notes string) *models.Contact {
	t.Helper()
	c, err := f.s.CreateContact(f.ctx, org, models.ContactInput{Name: ptr(name), Notes: ptr(notes)})
	if err != nil {
		t.Fatalf("CreateContact(%s): %v", name, err)
	}
	return c
}

func TestRecordsContactLifecycle(t *testing.T) {
	f := newRecordsFixture(t)
	c := f.contact(t, f.org, "  Ada Lovelace ", "")
	if c.Name != "Ada Lovelace" {
		t.Fatalf("name %q, want trimmed", c.Name)
	}
	// Another organization sees nothing of it.
	if _, err := f.s.GetContact(f.ctx, f.other, c.ID); !isCode(err, "contact_not_found") {
		t.Fatalf("other org get: %v", err)
	}
	if _, err := f.s.UpdateContact(f.ctx, f.other, c.ID, models.ContactInput{Name: ptr("X")}); !isCode(err, "contact_not_found") {
		t.Fatalf("other org update: %v", err)
	}
	if err := f.s.DeleteContact(f.ctx, f.other, c.ID); !isCode(err, "contact_not_found") {
		t.Fatalf("other org delete: %v", err)
	}

	// A bad update changes nothing; a good one names its fields in the log.
	_, err := f.s.UpdateContact(f.ctx, f.org, c.ID, models.ContactInput{Name: ptr(""), Email: ptr("nope")})
	e := modeltest.WantError(t, err, models.KindInvalid, "invalid_email")
	if got := errorFields(e.Fields); !slices.Equal(got, []string{"email", "name"}) {
		t.Fatalf("fields %v", got)
	}
	got, err := f.s.UpdateContact(f.ctx, f.org, c.ID, models.ContactInput{Company: ptr("Analytical Engines"), Email: ptr("ada@example.com")})
	if err != nil || got.Company != "Analytical Engines" || got.Name != "Ada Lovelace" {
		t.Fatalf("update: %+v, %v", got, err)
	}
	var fields []string
	if err := f.s.Gorm().Raw(`SELECT jsonb_array_elements_text(data->'fields') FROM event_logs
		WHERE type = 'record.updated' AND organization_id = ? ORDER BY 1`, f.org).Scan(&fields).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fields, []string{"company", "email"}) {
		t.Fatalf("record.updated fields %v", fields)
	}

	if err := f.s.DeleteContact(f.ctx, f.org, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.GetContact(f.ctx, f.org, c.ID); !isCode(err, "contact_not_found") {
		t.Fatalf("after delete: %v", err)
	}
	var types []string
	f.s.Gorm().Raw(`SELECT type FROM event_logs WHERE organization_id = ? AND type LIKE 'record.%' ORDER BY created_at, id`, f.org).Scan(&types)
	if !slices.Equal(types, []string{"record.created", "record.updated", "record.deleted"}) {
		t.Fatalf("events %v", types)
	}
}

// isCode reports whether err is a domain error with code.
func isCode(err error, code string) bool {
	e, ok := models.AsError(err)
	return ok && e.Code == code
}

func TestRecordsTicketContactSameOrganization(t *testing.T) {
	f := newRecordsFixture(t)
	mine := f.contact(t, f.org, "Grace Hopper", "")
	theirs := f.contact(t, f.other, "Someone Else", "")

	tk, err := f.s.CreateTicket(f.ctx, f.org, models.TicketInput{Subject: ptr("Printer on fire"), ContactID: models.SomeID(mine.ID)})
	if err != nil || tk.Status != models.TicketOpen || tk.Priority != models.TicketNormal || tk.ContactID == nil || *tk.ContactID != mine.ID {
		t.Fatalf("create: %+v, %v", tk, err)
	}
	// A contact of another organization is refused, on create and update.
	_, err = f.s.CreateTicket(f.ctx, f.org, models.TicketInput{Subject: ptr("X"), ContactID: models.SomeID(theirs.ID)})
	modeltest.WantError(t, err, models.KindInvalid, "invalid_contact_id")
	_, err = f.s.UpdateTicket(f.ctx, f.org, tk.ID, models.TicketInput{ContactID: models.SomeID(theirs.ID)})
	modeltest.WantError(t, err, models.KindInvalid, "invalid_contact_id")
	_, err = f.s.UpdateTicket(f.ctx, f.org, tk.ID, models.TicketInput{Status: ptr(models.TicketStatus("done"))})
	modeltest.WantError(t, err, models.KindInvalid, "invalid_status")

	// Deleting the contact keeps the ticket, without a contact.
	if err := f.s.DeleteContact(f.ctx, f.org, mine.ID); err != nil {
		t.Fatal(err)
	}
	tk, err = f.s.GetTicket(f.ctx, f.org, tk.ID)
	if err != nil || tk.ContactID != nil || tk.OrganizationID != f.org {
		t.Fatalf("after contact deleted: %+v, %v", tk, err)
	}

	rec, err := f.s.CreateCallRecording(f.ctx, f.org, models.CallRecordingInput{Title: ptr("Kickoff"), DurationSeconds: ptr(90), Transcript: ptr("Hello.")})
	if err != nil || rec.RecordedAt.IsZero() || rec.DurationSeconds != 90 {
		t.Fatalf("call recording: %+v, %v", rec, err)
	}
	_, err = f.s.CreateCallRecording(f.ctx, f.org, models.CallRecordingInput{Title: ptr("Bad"), ContactID: models.OptionalID{Set: true, Value: "nope"}})
	modeltest.WantError(t, err, models.KindInvalid, "invalid_contact_id")
}

// Lists page by keyset without repeats or gaps, newest first, and searches
// rank name matches above notes matches.
func TestRecordsListPagesAndSearch(t *testing.T) {
	f := newRecordsFixture(t)
	var want []uuid.UUID
	for i := range 7 {
		want = append(want, f.contact(t, f.org, fmt.Sprintf("Person %d", i), "").ID)
	}
	f.contact(t, f.other, "Person elsewhere", "")
	slices.Reverse(want)

	var got []uuid.UUID
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := f.s.ListContacts(f.ctx, f.org, models.RecordFilter{Cursor: cursor, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
		if pages > 5 {
			t.Fatal("too many pages")
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged %v, want %v", got, want)
	}

	byName := f.contact(t, f.org, "Zelda Quartz", "")
	byNotes := f.contact(t, f.org, "Someone", "met at the quartz conference")
	for i := range 4 {
		f.contact(t, f.org, fmt.Sprintf("Quartz %d", i), "")
	}
	f.contact(t, f.other, "Quartz Outsider", "")
	var found []uuid.UUID
	cursor = ""
	for {
		p, err := f.s.ListContacts(f.ctx, f.org, models.RecordFilter{Query: "quartz", Cursor: cursor, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Items {
			found = append(found, c.ID)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(found) != 6 || found[len(found)-1] != byNotes.ID || !slices.Contains(found, byName.ID) {
		t.Fatalf("search found %v (name match %v, notes match %v)", found, byName.ID, byNotes.ID)
	}
	seen := map[uuid.UUID]bool{}
	for _, id := range found {
		if seen[id] {
			t.Fatalf("search repeated %v", id)
		}
		seen[id] = true
	}

	// A cursor of a search does not continue a plain list, and vice versa.
	p, _ := f.s.ListContacts(f.ctx, f.org, models.RecordFilter{Query: "quartz", Limit: 1})
	_, err := f.s.ListContacts(f.ctx, f.org, models.RecordFilter{Cursor: p.NextCursor})
	modeltest.WantError(t, err, models.KindInvalid, "invalid_cursor")
}
