package pages

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

type webhooksPageData struct {
	Account    *models.DeveloperAccount
	IsAdmin    bool
	DevMode    bool
	Endpoints  []any                   // the JSON API's views of the endpoints
	Selected   *models.WebhookEndpoint // the endpoint whose deliveries are listed; nil: all
	Deliveries []deliveryView
	NextCursor string
	Pending    bool // a delivery is under way: the page follows it
	EventTypes []models.EventType
}

// deliveryView is a delivery as the page lists it.
type deliveryView struct {
	*models.WebhookDelivery
	Target     string // the endpoint's URL, or the app's webhook
	LastStatus string
	Attempts   []attemptView
}

type attemptView struct {
	Attempt   int
	Status    string // the status code, or "no response"
	OK        bool
	LatencyMS int
	Error     string
	At        time.Time
}

func statusText(code *int) string {
	if code == nil {
		return "no response"
	}
	return strconv.Itoa(*code)
}

// webhooksPage shows a developer account's webhook endpoints and their
// deliveries with every attempt (?endpoint= narrows to one endpoint);
// admins also get the controls: add, enable/disable, delete, test,
// rotate the secret, redeliver.
func (s *Server) webhooksPage(c *gin.Context) {
	state, acct, role, ok := s.accountPage(c)
	if !ok {
		return
	}
	id, ctx := acct.ID, c.Request.Context()
	eps, err := s.webhooks.ListWebhookEndpoints(ctx, id)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	d := webhooksPageData{Account: acct, IsAdmin: role == models.DevRoleAdmin, DevMode: s.cfg.DevMode,
		EventTypes: models.DeploymentWebhookEvents}
	urls := map[uuid.UUID]string{}
	for i := range eps {
		d.Endpoints = append(d.Endpoints, s.api.WebhookEndpointView(&eps[i]))
		urls[eps[i].ID] = eps[i].URL
		if c.Query("endpoint") == eps[i].ID.String() {
			d.Selected = &eps[i]
		}
	}
	if c.Query("endpoint") != "" && d.Selected == nil {
		s.pageError(c, state, models.ErrWebhookEndpointNotFound)
		return
	}
	f := models.WebhookDeliveryFilter{DeveloperAccountID: id, Cursor: c.Query("cursor"), WithAttempts: true}
	if d.Selected != nil {
		f.EndpointID = &d.Selected.ID
	}
	page, err := s.webhooks.ListWebhookDeliveries(ctx, f)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	d.NextCursor = page.NextCursor
	for i := range page.Items {
		del := &page.Items[i]
		v := deliveryView{WebhookDelivery: del, Target: "the app's webhook URL", LastStatus: "—"}
		if del.EndpointID != nil {
			v.Target = urls[*del.EndpointID]
		}
		if del.AttemptCount > 0 {
			v.LastStatus = statusText(del.LastStatusCode)
		}
		for _, a := range del.Attempts {
			v.Attempts = append(v.Attempts, attemptView{Attempt: a.Attempt, Status: statusText(a.StatusCode),
				OK: a.StatusCode != nil && *a.StatusCode < 300 && *a.StatusCode >= 200, LatencyMS: a.LatencyMS, Error: a.Error, At: a.CreatedAt})
		}
		d.Pending = d.Pending || del.Status == models.WebhookPending
		d.Deliveries = append(d.Deliveries, v)
	}
	s.renderPage(c, http.StatusOK, "webhooks", userPage("Webhooks of "+acct.Title, state, d))
}

// registerWebhookPageRoutes mounts the routes served from this file.
func (s *Server) registerWebhookPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/developer-accounts/:id/webhooks", s.webhooksPage)
}
