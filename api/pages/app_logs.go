package pages

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"appstore/api/httpx"
	"appstore/models"
)

// logTimeLayouts are the time formats the logs filter accepts: what
// <input type="datetime-local"> sends (read as UTC), a date, or RFC 3339.
var logTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02", time.RFC3339Nano}

// parseLogTime reads a from/to filter value; "" is no bound.
func parseLogTime(field, v string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	for _, layout := range logTimeLayouts {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return &t, nil
		}
	}
	return nil, models.Invalid("invalid_query", fmt.Sprintf("%q is not a time: use a date and time such as 2026-01-02T15:04 (UTC).", v),
		models.FieldError{Field: field, Message: "must be a date and time"})
}

// logEvent is one row of the logs table.
type logEvent struct {
	models.Event
	Details string // the event's data as key=value pairs
}

func newLogEvent(e models.Event) logEvent {
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, e.Data[k])
	}
	return logEvent{Event: e, Details: strings.Join(parts, " ")}
}

type appLogsPageData struct {
	appPageBase
	Query, Type, From, To string
	Types                 []models.EventType
	Events                []logEvent
	NextURL               string // "" on the last page
	FirstURL              string // "" on the first page
	Error                 string
}

// appLogsPage is the app's event log: the events of this app the viewer
// may see (the store applies the viewer's visibility), filtered by text,
// type and time, newest first, one keyset page at a time.
func (s *Server) appLogsPage(c *gin.Context) {
	state, base, ok := s.appPage(c, "logs")
	if !ok {
		return
	}
	d := appLogsPageData{appPageBase: base, Query: c.Query("q"), Type: c.Query("type"),
		From: c.Query("from"), To: c.Query("to"), Types: models.EventTypes}
	appID := base.App.ID
	f := models.EventFilter{AppID: &appID, Query: d.Query, Cursor: c.Query("cursor"), Limit: models.DefaultEventLimit}
	if d.Type != "" {
		f.Types = []models.EventType{models.EventType(d.Type)}
	}
	var err error
	if f.From, err = parseLogTime("from", d.From); err == nil {
		f.To, err = parseLogTime("to", d.To)
	}
	var page *models.EventPage
	if err == nil {
		p := httpx.PrincipalOf(c)
		page, err = s.events.ListEvents(c.Request.Context(), models.EventViewer{UserID: p.UserID, Role: p.Role}, f)
	}
	status := http.StatusOK
	if err != nil {
		prob := httpx.ProblemFor(err)
		if prob.Status >= 500 {
			s.pageError(c, state, err)
			return
		}
		status, d.Error = prob.Status, prob.Detail
	} else {
		for _, e := range page.Events {
			d.Events = append(d.Events, newLogEvent(e))
		}
		q := url.Values{}
		for k, v := range map[string]string{"q": d.Query, "type": d.Type, "from": d.From, "to": d.To} {
			if v != "" {
				q.Set(k, v)
			}
		}
		path := "/apps/" + appID.String() + "/logs"
		if f.Cursor != "" {
			d.FirstURL = strings.TrimSuffix(path+"?"+q.Encode(), "?")
		}
		if page.NextCursor != "" {
			q.Set("cursor", page.NextCursor)
			d.NextURL = path + "?" + q.Encode()
		}
	}
	s.renderPage(c, status, "app_logs", userPage(base.App.Title+" · Logs", state, d))
}

// registerAppLogsPageRoutes mounts the routes served from this file.
func (s *Server) registerAppLogsPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/apps/:app/logs", s.appLogsPage)
}
