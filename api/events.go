package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// listEvents searches the event log the caller may see:
// GET /events?type=&q=&app=&organization=&developer_account=&from=&to=&cursor=&limit=
func (s *Server) listEvents(c *gin.Context) error {
	f := models.EventFilter{Query: c.Query("q"), Cursor: c.Query("cursor")}
	for _, t := range c.QueryArray("type") {
		for _, part := range strings.Split(t, ",") {
			if part = strings.TrimSpace(part); part != "" {
				f.Types = append(f.Types, models.EventType(part))
			}
		}
	}
	var err error
	if f.AppID, err = queryUUID(c, "app"); err != nil {
		return err
	}
	if f.OrganizationID, err = queryUUID(c, "organization"); err != nil {
		return err
	}
	if f.DeveloperAccountID, err = queryUUID(c, "developer_account"); err != nil {
		return err
	}
	if f.From, err = queryTime(c, "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(c, models.DefaultEventLimit); err != nil {
		return err
	}
	p := principal(c)
	page, err := s.events.ListEvents(c.Request.Context(), models.EventViewer{UserID: p.UserID, Role: p.Role}, f)
	if err != nil {
		return err
	}
	if page.Events == nil {
		page.Events = []models.Event{}
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// eventTypes serves the fixed list of event types, for filters.
func (s *Server) eventTypes(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"event_types": models.EventTypes})
}

// registerEventRoutes mounts the routes served from this file.
func (s *Server) registerEventRoutes(me *gin.RouterGroup) {
	me.GET("/events", handler(s.listEvents))
	me.GET("/event-types", s.eventTypes)
}
