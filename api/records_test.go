package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

// recordsFixture is Acme with a contact, a ticket and a call recording,
// and sessions: member (of Acme), outsider (dev@acme.test, who is in Acme
// Sandbox but not Acme).
type recordsFixture struct {
	h                 *harness
	acme              uuid.UUID
	contact, ticket   uuid.UUID
	call              uuid.UUID
	member, outsider  string
	contacts, tickets string // API paths
	calls             string
}

func newRecordsFixture(t *testing.T) *recordsFixture {
	t.Helper()
	h := newHarness(t)
	f := &recordsFixture{h: h, acme: orgID(t, h, "member@acme.test", "Acme"),
		member: h.login("member@acme.test"), outsider: h.login("dev@acme.test")}
	base := "/api/v1/organizations/" + f.acme.String()
	f.contacts, f.tickets, f.calls = base+"/contacts", base+"/tickets", base+"/call-recordings"
	f.contact = f.create(t, f.contacts, map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"})
	f.ticket = f.create(t, f.tickets, map[string]any{"subject": "Engine jams", "contact_id": f.contact.String()})
	f.call = f.create(t, f.calls, map[string]any{"title": "Kickoff", "duration_seconds": 60, "transcript": "Hello."})
	return f
}

// create posts body to path as the member and returns the new record's id.
func (f *recordsFixture) create(t *testing.T, path string, body any) uuid.UUID {
	t.Helper()
	rec := f.h.do(req{method: "POST", path: path, body: body, cookie: f.member})
	wantStatus(t, rec, http.StatusCreated)
	var out struct {
		ID uuid.UUID `json:"id"`
	}
	decode(t, rec, &out)
	return out.ID
}

func TestRecordsAuthorization(t *testing.T) {
	f := newRecordsFixture(t)
	fresh := func(path string, body any) func(*testing.T) string {
		return func(t *testing.T) string { return path + "/" + f.create(t, path, body).String() }
	}
	one := func(path string, id uuid.UUID) func(*testing.T) string { return fixed(path + "/" + id.String()) }
	type want struct{ anonymous, member, outsider int }
	cases := []struct {
		name, method string
		path         func(t *testing.T) string
		body         any
		want         want
	}{
		{"list contacts", "GET", fixed(f.contacts + "?q=ada"), nil, want{401, 200, 404}},
		{"create contact", "POST", fixed(f.contacts), map[string]any{"name": "Grace"}, want{401, 201, 404}},
		{"view contact", "GET", one(f.contacts, f.contact), nil, want{401, 200, 404}},
		{"update contact", "PATCH", one(f.contacts, f.contact), map[string]any{"phone": "+44 20 7946 0000"}, want{401, 200, 404}},
		{"delete contact", "DELETE", fresh(f.contacts, map[string]any{"name": "Temp"}), nil, want{401, 204, 404}},
		{"list tickets", "GET", fixed(f.tickets), nil, want{401, 200, 404}},
		{"create ticket", "POST", fixed(f.tickets), map[string]any{"subject": "Help"}, want{401, 201, 404}},
		{"view ticket", "GET", one(f.tickets, f.ticket), nil, want{401, 200, 404}},
		{"update ticket", "PATCH", one(f.tickets, f.ticket), map[string]any{"status": "pending"}, want{401, 200, 404}},
		{"delete ticket", "DELETE", fresh(f.tickets, map[string]any{"subject": "Temp"}), nil, want{401, 204, 404}},
		{"list call recordings", "GET", fixed(f.calls), nil, want{401, 200, 404}},
		{"create call recording", "POST", fixed(f.calls), map[string]any{"title": "Call"}, want{401, 201, 404}},
		{"view call recording", "GET", one(f.calls, f.call), nil, want{401, 200, 404}},
		{"update call recording", "PATCH", one(f.calls, f.call), map[string]any{"summary": "Short."}, want{401, 200, 404}},
		{"delete call recording", "DELETE", fresh(f.calls, map[string]any{"title": "Temp"}), nil, want{401, 204, 404}},
		{"unknown contact", "GET", one(f.contacts, uuid.New()), nil, want{401, 404, 404}},
		{"malformed ticket id", "PATCH", fixed(f.tickets + "/nope"), map[string]any{}, want{401, 404, 404}},
		{"record types", "GET", fixed("/api/v1/record-types"), nil, want{401, 200, 200}},
	}
	callers := []struct {
		name, session string
		pick          func(want) int
	}{
		{"anonymous", "", func(w want) int { return w.anonymous }},
		{"member", f.member, func(w want) int { return w.member }},
		{"member of another organization", f.outsider, func(w want) int { return w.outsider }},
	}
	for _, tc := range cases {
		for _, who := range callers {
			t.Run(tc.name+"/"+who.name, func(t *testing.T) {
				r := req{method: tc.method, path: tc.path(t), body: tc.body, cookie: who.session}
				if who.session == "" && tc.method != "GET" {
					r.headers = map[string]string{"Origin": testOrigin}
				}
				rec := f.h.do(r)
				if rec.Code != who.pick(tc.want) {
					t.Fatalf("%s %s as %s: %d, want %d; %s", tc.method, r.path, who.name, rec.Code, who.pick(tc.want), rec.Body.String())
				}
			})
		}
	}

	// A record is reached only through its own organization.
	sandbox := orgID(t, f.h, "dev@acme.test", "Acme Sandbox")
	rec := f.h.do(req{method: "GET", path: "/api/v1/organizations/" + sandbox.String() + "/contacts/" + f.contact.String(), cookie: f.outsider})
	wantProblem(t, rec, http.StatusNotFound, "contact_not_found")
}

func TestRecordsValidationChangesNothing(t *testing.T) {
	f := newRecordsFixture(t)
	sandbox := orgID(t, f.h, "dev@acme.test", "Acme Sandbox")
	sandboxName := "Sandbox person"
	theirs, err := f.h.store.CreateContact(context.Background(), sandbox, models.ContactInput{Name: &sandboxName})
	if err != nil {
		t.Fatal(err)
	}
	contact, ticket, call := f.contacts+"/"+f.contact.String(), f.tickets+"/"+f.ticket.String(), f.calls+"/"+f.call.String()
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"contact without a name", "POST", f.contacts, map[string]any{"email": "x@example.com"}, 422, "invalid_contact"},
		{"contact with a bad email", "POST", f.contacts, map[string]any{"name": "X", "email": "not an email"}, 422, "invalid_email"},
		{"contact name emptied", "PATCH", contact, map[string]any{"name": "  "}, 422, "invalid_contact"},
		{"contact with a NUL", "PATCH", contact, `{"notes": "a\u0000b"}`, 422, models.TextNUL},
		{"contact name too long", "PATCH", contact, map[string]any{"name": strings.Repeat("x", models.MaxContactNameLen+1)}, 422, "invalid_contact"},
		{"ticket subject too long", "PATCH", ticket, map[string]any{"subject": strings.Repeat("x", models.MaxTicketSubjectLen+1)}, 422, "invalid_ticket"},
		{"unknown field", "POST", f.contacts, map[string]any{"name": "X", "organization_id": uuid.NewString()}, 422, "unknown_field"},
		{"ticket status", "PATCH", ticket, map[string]any{"status": "done"}, 422, "invalid_status"},
		{"ticket priority", "POST", f.tickets, map[string]any{"subject": "X", "priority": "asap"}, 422, "invalid_priority"},
		{"ticket contact of another organization", "PATCH", ticket, map[string]any{"contact_id": theirs.ID.String()}, 422, "invalid_contact_id"},
		{"ticket contact not an id", "POST", f.tickets, map[string]any{"subject": "X", "contact_id": 7}, 422, "invalid_contact_id"},
		{"ticket without a subject", "POST", f.tickets, map[string]any{"description": "?"}, 422, "invalid_ticket"},
		{"call duration negative", "PATCH", call, map[string]any{"duration_seconds": -1}, 422, "invalid_call_recording"},
		{"call duration a string", "PATCH", call, map[string]any{"duration_seconds": "60"}, 422, "invalid_field_type"},
		{"call contact of another organization", "POST", f.calls, map[string]any{"title": "X", "contact_id": theirs.ID.String()}, 422, "invalid_contact_id"},
		{"bad cursor", "GET", f.contacts + "?cursor=nope", nil, 422, "invalid_cursor"},
		{"bad limit", "GET", f.tickets + "?limit=0", nil, 422, "invalid_limit"},
		{"query too long", "GET", f.calls + "?q=" + strings.Repeat("a", models.MaxRecordQueryLen+1), nil, 422, "query_too_long"},
	}
	before := recordsState(t, f)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.h.do(req{method: tc.method, path: tc.path, body: tc.body, cookie: f.member})
			wantProblem(t, rec, tc.status, tc.code)
		})
	}
	if after := recordsState(t, f); after != before {
		t.Fatalf("refused requests changed the records:\n%s\nthen\n%s", before, after)
	}

	// null clears a ticket's contact; absent leaves it.
	rec := f.h.do(req{method: "PATCH", path: ticket, body: map[string]any{"priority": "high"}, cookie: f.member})
	wantStatus(t, rec, http.StatusOK)
	var tk models.Ticket
	decode(t, rec, &tk)
	if tk.ContactID == nil || *tk.ContactID != f.contact || tk.Priority != models.TicketHigh {
		t.Fatalf("after priority change: %+v", tk)
	}
	rec = f.h.do(req{method: "PATCH", path: ticket, body: `{"contact_id": null}`, cookie: f.member})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &tk)
	if tk.ContactID != nil {
		t.Fatalf("contact not cleared: %+v", tk)
	}
}

// recordsState is every record row of the fixture's tables and the record
// events, as text, to compare before and after refused requests.
func recordsState(t *testing.T, f *recordsFixture) string {
	t.Helper()
	var rows []string
	err := f.h.store.Gorm().Raw(`SELECT t::text FROM (
		SELECT row_to_json(c)::text AS t FROM (SELECT id, name, email, phone, company, title, notes, updated_at FROM contacts) c
		UNION ALL SELECT row_to_json(k)::text FROM (SELECT id, subject, status, priority, contact_id, updated_at FROM tickets) k
		UNION ALL SELECT row_to_json(r)::text FROM (SELECT id, title, duration_seconds, contact_id, updated_at FROM call_recordings) r
		UNION ALL SELECT count(*)::text FROM event_logs WHERE type LIKE 'record.%') x ORDER BY 1`).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}

func TestRecordsListPagesAndSearch(t *testing.T) {
	h := newHarness(t)
	member := h.login("member@acme.test")
	// An organization of its own, so seeded records do not count.
	org, err := h.store.CreateOrganization(context.Background(), "Paging", userID(t, h, "member@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/organizations/" + org.ID.String() + "/tickets"
	var created []uuid.UUID
	for i := range 7 {
		subject := fmt.Sprintf("Routine request %d", i)
		if i == 2 || i == 5 {
			subject = fmt.Sprintf("Invoice missing %d", i)
		}
		rec := h.do(req{method: "POST", path: base, body: map[string]any{"subject": subject, "description": "See the attached invoice."}, cookie: member})
		wantStatus(t, rec, http.StatusCreated)
		var tk models.Ticket
		decode(t, rec, &tk)
		created = append(created, tk.ID)
	}
	type page struct {
		Items      []models.Ticket `json:"items"`
		NextCursor string          `json:"next_cursor"`
	}
	walk := func(t *testing.T, query string) []uuid.UUID {
		t.Helper()
		var ids []uuid.UUID
		path := base + "?limit=3" + query
		for range 10 {
			rec := h.do(req{method: "GET", path: path, cookie: member})
			wantStatus(t, rec, http.StatusOK)
			var p page
			decode(t, rec, &p)
			for _, it := range p.Items {
				ids = append(ids, it.ID)
			}
			if p.NextCursor == "" {
				return ids
			}
			path = base + "?limit=3" + query + "&cursor=" + urlEscape(p.NextCursor)
		}
		t.Fatal("the pages do not end")
		return nil
	}

	// Newest first, every ticket once.
	want := slices.Clone(created)
	slices.Reverse(want)
	if got := walk(t, ""); !slices.Equal(got, want) {
		t.Fatalf("pages %v, want %v", got, want)
	}
	// A subject match outranks a description match; all seven match.
	got := walk(t, "&q="+urlEscape("invoice"))
	if len(got) != 7 || !slices.Contains(got[:2], created[2]) || !slices.Contains(got[:2], created[5]) {
		t.Fatalf("search order %v; subject matches %v, %v", got, created[2], created[5])
	}
	if got := walk(t, "&q="+urlEscape(`"invoice missing" -routine`)); len(got) != 2 {
		t.Fatalf("phrase search found %v", got)
	}
	if got := walk(t, "&q=nothinglikethis"); len(got) != 0 {
		t.Fatalf("no match found %v", got)
	}
}

// The pages: members see lists and details with the regions the app
// runtime fills; outsiders get the not-found page.
func TestRecordsPages(t *testing.T) {
	f := newRecordsFixture(t)
	org := "/organizations/" + f.acme.String()
	cases := []struct {
		path string
		want []string
	}{
		{org + "/contacts", []string{`data-testid="record-list" data-record-type="contact"`, `data-record-id="` + f.contact.String() + `"`,
			`<section data-app-bulk-actions data-record-type="contact">`, `data-testid="record-search"`}},
		{org + "/contacts?q=lovelace", []string{`data-record-id="` + f.contact.String() + `"`, `value="lovelace"`}},
		{org + "/contacts/" + f.contact.String(), []string{`data-app-surfaces data-record-type="contact" data-record-id="` + f.contact.String() + `"`,
			`<h2>Apps</h2>`, `data-testid="create-ticket"`}},
		{org + "/tickets", []string{`data-record-type="ticket"`, `data-record-id="` + f.ticket.String() + `"`, `data-app-bulk-actions data-record-type="ticket"`}},
		{org + "/tickets/" + f.ticket.String(), []string{`data-app-surfaces data-record-type="ticket" data-record-id="` + f.ticket.String() + `"`, "Ada Lovelace"}},
		{org + "/call-recordings", []string{`data-record-type="call_recording"`, `data-app-bulk-actions data-record-type="call_recording"`}},
		{org + "/call-recordings/" + f.call.String(), []string{`data-app-surfaces data-record-type="call_recording"`,
			`data-call-field="transcript">Hello.</div>`, `data-call-field="summary">`, `data-call-field="insight">`}},
		{org, []string{`href="` + org + `/contacts"`, `href="` + org + `/call-recordings"`}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			rec := f.h.do(req{method: "GET", path: tc.path, cookie: f.member})
			wantStatus(t, rec, http.StatusOK)
			for _, w := range tc.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("page lacks %s", w)
				}
			}
			if strings.HasSuffix(tc.path, f.acme.String()) {
				return
			}
			wantStatus(t, f.h.do(req{method: "GET", path: tc.path, cookie: f.outsider}), http.StatusNotFound)
		})
	}
	wantStatus(t, f.h.do(req{method: "GET", path: org + "/tickets/" + uuid.NewString(), cookie: f.member}), http.StatusNotFound)
	wantStatus(t, f.h.do(req{method: "GET", path: org + "/contacts?cursor=nope", cookie: f.member}), http.StatusUnprocessableEntity)

	// The next link carries the search and the cursor.
	rec := f.h.do(req{method: "GET", path: org + "/contacts?limit=2", cookie: f.member})
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `data-testid="next-page"`) || !strings.Contains(rec.Body.String(), "cursor=") {
		t.Fatalf("no next page link on a full page")
	}
}
