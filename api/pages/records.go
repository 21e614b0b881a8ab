package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// RecordStore is what the records area's pages read; they change records
// through the JSON API (portal.js forms).
type RecordStore interface {
	GetContact(ctx context.Context, orgID, id uuid.UUID) (*models.Contact, error)
	ListContacts(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.Contact], error)
	GetTicket(ctx context.Context, orgID, id uuid.UUID) (*models.Ticket, error)
	ListTickets(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.Ticket], error)
	GetCallRecording(ctx context.Context, orgID, id uuid.UUID) (*models.CallRecording, error)
	ListCallRecordings(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.CallRecording], error)
}

// recordArea is what every records page shows around its records: the
// organization, the section tabs, and (on lists) the search and the next
// page's URL.
type recordArea struct {
	Organization *models.Organization
	Section      string            // contacts, tickets or call-recordings: the path segment
	Type         models.RecordType // the data-record-type of the page's records
	Query        string
	NextURL      string
	// Contacts are the newest contacts, for the forms that link a ticket
	// or a call to one (at most models.MaxRecordLimit).
	Contacts   []models.Contact
	Statuses   []models.TicketStatus
	Priorities []models.TicketPriority
}

// Base is the API path of the section's records.
func (a recordArea) Base() string {
	return "/api/v1/organizations/" + a.Organization.ID.String() + "/" + a.Section
}

// ContactName names contact id for a page, or "" when it is not one of
// Contacts.
func (a recordArea) ContactName(id *uuid.UUID) string {
	for _, c := range a.Contacts {
		if id != nil && c.ID == *id {
			return c.Name
		}
	}
	return ""
}

// contactOptions feeds the contact_options partial.
type contactOptions struct {
	Contacts []models.Contact
	Current  string // the chosen contact's id, or ""
}

// ContactOptions are the options of a form's contact select, current
// chosen.
func (a recordArea) ContactOptions(current *uuid.UUID) contactOptions {
	o := contactOptions{Contacts: a.Contacts}
	if current != nil {
		o.Current = current.String()
	}
	return o
}

// recordListPage is a list page's data: the area and one page of records.
type recordListPage[T any] struct {
	recordArea
	Items []T
}

// recordPage is a detail page's data: the area and the record.
type recordPage[T any] struct {
	recordArea
	Record *T
	// Contact is the ticket's or call's contact, when it has one.
	Contact *models.Contact
}

// recordSection describes one record type's pages to the handlers below.
type recordSection[T any] struct {
	section, title, list, detail string // path segment, heading, template names
	typ                          models.RecordType
	listFn                       func(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[T], error)
	getFn                        func(ctx context.Context, orgID, id uuid.UUID) (*T, error)
	notFound                     error
	contactOf                    func(*T) *uuid.UUID // nil for contacts
}

// area starts a records page of organization :org for a member; on
// failure it has already answered.
func (r recordSection[T]) area(s *Server, c *gin.Context) (*models.PortalState, *recordArea, bool) {
	state, org, _, ok := s.orgPage(c)
	if !ok {
		return nil, nil, false
	}
	a := &recordArea{Organization: org, Section: r.section, Type: r.typ,
		Statuses: models.TicketStatuses, Priorities: models.TicketPriorities}
	if r.contactOf != nil {
		contacts, err := s.records.ListContacts(c.Request.Context(), org.ID, models.RecordFilter{Limit: models.MaxRecordLimit})
		if err != nil {
			s.pageError(c, state, err)
			return nil, nil, false
		}
		a.Contacts = contacts.Items
	}
	return state, a, true
}

// listPage is /organizations/:org/<section>?q=&cursor=: one page of
// records, a search box, a checkbox per record for bulk actions, and the
// form that creates one.
func (r recordSection[T]) listPage(s *Server, c *gin.Context) {
	state, a, ok := r.area(s, c)
	if !ok {
		return
	}
	fail := func(err error) { s.pageError(c, state, err) }
	f, err := s.api.RecordFilter(c)
	if err != nil {
		fail(err)
		return
	}
	page, err := r.listFn(c.Request.Context(), a.Organization.ID, f)
	if err != nil {
		fail(err)
		return
	}
	a.Query = f.Query
	if page.NextCursor != "" {
		q := url.Values{"cursor": {page.NextCursor}}
		if f.Query != "" {
			q.Set("q", f.Query)
		}
		a.NextURL = "/organizations/" + a.Organization.ID.String() + "/" + r.section + "?" + q.Encode()
	}
	s.renderPage(c, http.StatusOK, r.list, userPage(r.title+" of "+a.Organization.Name, state, recordListPage[T]{recordArea: *a, Items: page.Items}))
}

// detailPage is /organizations/:org/<section>/:id: the record, the forms
// that change and delete it, and the region where app surfaces appear.
func (r recordSection[T]) detailPage(s *Server, c *gin.Context) {
	state, a, ok := r.area(s, c)
	if !ok {
		return
	}
	fail := func(err error) { s.pageError(c, state, err) }
	ctx := c.Request.Context()
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		fail(r.notFound)
		return
	}
	rec, err := r.getFn(ctx, a.Organization.ID, id)
	if err != nil {
		fail(err)
		return
	}
	d := recordPage[T]{recordArea: *a, Record: rec}
	if r.contactOf != nil {
		if cid := r.contactOf(rec); cid != nil {
			d.Contact, err = s.records.GetContact(ctx, a.Organization.ID, *cid)
			if err != nil && !errors.Is(err, models.ErrNotFound) {
				fail(err)
				return
			}
			if d.Contact != nil && !slices.ContainsFunc(d.Contacts, func(c models.Contact) bool { return c.ID == *cid }) {
				// Older than the form's newest contacts: still the one chosen,
				// so saving the form keeps it.
				d.Contacts = append(d.Contacts, *d.Contact)
			}
		}
	}
	s.renderPage(c, http.StatusOK, r.detail, userPage(r.title+" · "+a.Organization.Name, state, d))
}

func (r recordSection[T]) register(s *Server, pages *gin.RouterGroup) {
	base := "/organizations/:org/" + r.section
	pages.GET(base, func(c *gin.Context) { r.listPage(s, c) })
	pages.GET(base+"/:id", func(c *gin.Context) { r.detailPage(s, c) })
}

// registerRecordPageRoutes mounts the routes served from this file.
func (s *Server) registerRecordPageRoutes(pages *gin.RouterGroup) {
	if s.records == nil {
		return // a server wired without a records store has no records area
	}
	recordSection[models.Contact]{section: "contacts", title: "Contacts", list: "contacts", detail: "contact",
		typ: models.RecordContact, listFn: s.records.ListContacts, getFn: s.records.GetContact, notFound: models.ErrContactNotFound,
	}.register(s, pages)
	recordSection[models.Ticket]{section: "tickets", title: "Tickets", list: "tickets", detail: "ticket",
		typ: models.RecordTicket, listFn: s.records.ListTickets, getFn: s.records.GetTicket, notFound: models.ErrTicketNotFound,
		contactOf: func(t *models.Ticket) *uuid.UUID { return t.ContactID },
	}.register(s, pages)
	recordSection[models.CallRecording]{section: "call-recordings", title: "Call recordings", list: "call_recordings", detail: "call_recording",
		typ: models.RecordCallRecording, listFn: s.records.ListCallRecordings, getFn: s.records.GetCallRecording, notFound: models.ErrCallRecordingNotFound,
		contactOf: func(r *models.CallRecording) *uuid.UUID { return r.ContactID },
	}.register(s, pages)
}
