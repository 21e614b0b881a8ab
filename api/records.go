package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// RecordStore is what the records area's handlers (and pages) use: each
// organization's contacts, tickets and call recordings.
type RecordStore interface {
	CreateContact(ctx context.Context, orgID uuid.UUID, in models.ContactInput) (*models.Contact, error)
	GetContact(ctx context.Context, orgID, id uuid.UUID) (*models.Contact, error)
	UpdateContact(ctx context.Context, orgID, id uuid.UUID, in models.ContactInput) (*models.Contact, error)
	DeleteContact(ctx context.Context, orgID, id uuid.UUID) error
	ListContacts(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.Contact], error)

	CreateTicket(ctx context.Context, orgID uuid.UUID, in models.TicketInput) (*models.Ticket, error)
	GetTicket(ctx context.Context, orgID, id uuid.UUID) (*models.Ticket, error)
	UpdateTicket(ctx context.Context, orgID, id uuid.UUID, in models.TicketInput) (*models.Ticket, error)
	DeleteTicket(ctx context.Context, orgID, id uuid.UUID) error
	ListTickets(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.Ticket], error)

	CreateCallRecording(ctx context.Context, orgID uuid.UUID, in models.CallRecordingInput) (*models.CallRecording, error)
	GetCallRecording(ctx context.Context, orgID, id uuid.UUID) (*models.CallRecording, error)
	UpdateCallRecording(ctx context.Context, orgID, id uuid.UUID, in models.CallRecordingInput) (*models.CallRecording, error)
	DeleteCallRecording(ctx context.Context, orgID, id uuid.UUID) error
	ListCallRecordings(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.CallRecording], error)
}

// recordResource is one record type's routes under
// /organizations/:org/<path>, served by the same five handlers: T is the
// record, In its input.
type recordResource[T, In any] struct {
	path     string
	notFound error
	create   func(ctx context.Context, orgID uuid.UUID, in In) (*T, error)
	get      func(ctx context.Context, orgID, id uuid.UUID) (*T, error)
	update   func(ctx context.Context, orgID, id uuid.UUID, in In) (*T, error)
	remove   func(ctx context.Context, orgID, id uuid.UUID) error
	list     func(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[T], error)
}

// register mounts the resource's routes. Every route is for members of
// the organization (DESIGN §10): outsiders get 404, as for every
// organization route.
func (r recordResource[T, In]) register(s *Server, me *gin.RouterGroup) {
	base := "/organizations/:org/" + r.path
	me.GET(base, handler(func(c *gin.Context) error { return r.listHandler(s, c) }))
	me.POST(base, handler(func(c *gin.Context) error { return r.createHandler(s, c) }))
	me.GET(base+"/:id", handler(func(c *gin.Context) error { return r.getHandler(s, c) }))
	me.PATCH(base+"/:id", handler(func(c *gin.Context) error { return r.updateHandler(s, c) }))
	me.DELETE(base+"/:id", handler(func(c *gin.Context) error { return r.deleteHandler(s, c) }))
}

// listHandler answers GET ?q=&cursor=&limit=: {items, next_cursor}.
func (r recordResource[T, In]) listHandler(s *Server, c *gin.Context) error {
	orgID, _, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return err
	}
	f, err := recordFilter(c)
	if err != nil {
		return err
	}
	page, err := r.list(c.Request.Context(), orgID, f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// createHandler answers POST with the input's JSON: 201 and the record.
func (r recordResource[T, In]) createHandler(s *Server, c *gin.Context) error {
	orgID, _, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return err
	}
	var in In
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	rec, err := r.create(c.Request.Context(), orgID, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, rec)
	return nil
}

// getHandler answers GET /:id with the record.
func (r recordResource[T, In]) getHandler(s *Server, c *gin.Context) error {
	orgID, id, err := r.target(s, c)
	if err != nil {
		return err
	}
	rec, err := r.get(c.Request.Context(), orgID, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, rec)
	return nil
}

// updateHandler answers PATCH /:id: the fields sent change, the others
// stay; 200 and the record.
func (r recordResource[T, In]) updateHandler(s *Server, c *gin.Context) error {
	orgID, id, err := r.target(s, c)
	if err != nil {
		return err
	}
	var in In
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	rec, err := r.update(c.Request.Context(), orgID, id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, rec)
	return nil
}

// deleteHandler answers DELETE /:id: 204.
func (r recordResource[T, In]) deleteHandler(s *Server, c *gin.Context) error {
	orgID, id, err := r.target(s, c)
	if err != nil {
		return err
	}
	if err := r.remove(c.Request.Context(), orgID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// target checks membership of :org and parses :id; an id that is not a
// UUID is the record type's not-found, like an unknown one.
func (r recordResource[T, In]) target(s *Server, c *gin.Context) (uuid.UUID, uuid.UUID, error) {
	orgID, _, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, uuid.Nil, r.notFound
	}
	return orgID, id, nil
}

// recordFilter reads ?q=&cursor=&limit= as the lists (API and pages) do.
func recordFilter(c *gin.Context) (models.RecordFilter, error) {
	limit, err := queryLimit(c, models.DefaultRecordLimit)
	if err != nil {
		return models.RecordFilter{}, err
	}
	return models.RecordFilter{Query: c.Query("q"), Cursor: c.Query("cursor"), Limit: limit}.Normalize()
}

// recordTypes answers GET /record-types: the fixed lists of the records
// area, defined once in models.
func (s *Server) recordTypes(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"record_types": models.RecordTypes, "ticket_statuses": models.TicketStatuses,
		"ticket_priorities": models.TicketPriorities, "call_fields": models.CallFields})
}

// registerRecordRoutes mounts the routes served from this file.
func (s *Server) registerRecordRoutes(me *gin.RouterGroup) {
	me.GET("/record-types", s.recordTypes)
	rs := s.records
	if rs == nil {
		// A server wired without a records store (a tool's or a test's) has
		// no records area; the method values below would panic.
		return
	}
	recordResource[models.Contact, models.ContactInput]{path: "contacts", notFound: models.ErrContactNotFound,
		create: rs.CreateContact, get: rs.GetContact, update: rs.UpdateContact, remove: rs.DeleteContact, list: rs.ListContacts,
	}.register(s, me)
	recordResource[models.Ticket, models.TicketInput]{path: "tickets", notFound: models.ErrTicketNotFound,
		create: rs.CreateTicket, get: rs.GetTicket, update: rs.UpdateTicket, remove: rs.DeleteTicket, list: rs.ListTickets,
	}.register(s, me)
	recordResource[models.CallRecording, models.CallRecordingInput]{path: "call-recordings", notFound: models.ErrCallRecordingNotFound,
		create: rs.CreateCallRecording, get: rs.GetCallRecording, update: rs.UpdateCallRecording, remove: rs.DeleteCallRecording, list: rs.ListCallRecordings,
	}.register(s, me)
}
