package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/models"
)

// A member searches Acme's seeded contacts, opens one (its page has the
// region app surfaces will fill), creates a ticket for them from there,
// and moves the ticket to pending.
func TestBrowserRecordsSearchContactCreateTicket(t *testing.T) {
	ctx := newBrowser(t)
	h, origin := serveOnLoopback(t)
	acme := orgID(t, h, "member@acme.test", "Acme")
	contacts := "/organizations/" + acme.String() + "/contacts"
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	list := `[data-testid=record-list][data-record-type=contact]`
	err := chromedp.Do(ctx, steps(
		browserSignIn(origin, "member@acme.test", contacts),
		chromedp.WaitVisible(list+` [data-record-id]`),
		waitJS("the bulk-actions region", `document.querySelector("section[data-app-bulk-actions][data-record-type=contact]") !== null`),
		chromedp.SendKeys(`[data-testid=record-search] input[name=q]`, "bluefin"),
		navigates(chromedp.Click(`[data-testid=record-search] button[type=submit]`)),
		waitJS("one search result", `location.search.includes("q=bluefin") &&
			document.querySelectorAll(`+jsString(list+` [data-record-id]`)+`).length === 1`),
		navigates(chromedp.Click(list+` [data-testid=record-link]`)),
		waitJS("the contact's page", `location.pathname.startsWith(`+jsString(contacts+"/")+`) &&
			document.querySelector("[data-testid=record-title]").textContent.trim() === "Marcus Chen"`),
	)...)
	if err != nil {
		failShot(t, ctx, "records-search", err)
	}
	evaluate(t, ctx, `(function () {
		var s = document.querySelector("section[data-app-surfaces][data-record-type=contact]");
		return s !== null && /^[0-9a-f-]{36}$/.test(s.dataset.recordId) && s.querySelector("h2").textContent === "Apps";
	})()`)

	tickets := "/organizations/" + acme.String() + "/tickets/"
	err = chromedp.Do(ctx, steps(
		chromedp.SendKeys(`[data-testid=create-ticket] input[name=subject]`, "Security review questionnaire"),
		chromedp.SetValue(`[data-testid=create-ticket] select[name=priority]`, "high"),
		chromedp.SendKeys(`[data-testid=create-ticket] textarea[name=description]`, "Marcus sent 40 questions; due Friday."),
		navigates(chromedp.Click(`[data-testid=create-ticket] button[type=submit]`)),
		waitJS("the new ticket's page", `location.pathname.startsWith(`+jsString(tickets)+`) &&
			document.querySelector("[data-testid=record-title]").textContent.trim() === "Security review questionnaire" &&
			document.querySelector("[data-field=contact]").textContent.trim() === "Marcus Chen"`),
		chromedp.Click(`details summary`),
		chromedp.SetValue(`[data-testid=edit-record] select[name=status]`, "pending"),
		navigates(chromedp.Click(`[data-testid=edit-record] button[type=submit]`)),
		waitJS("the ticket pending", `document.querySelector("[data-field=status]").textContent.trim() === "pending"`),
	)...)
	if err != nil {
		failShot(t, ctx, "records-ticket", err)
	}

	var tk models.Ticket
	if err := h.store.Gorm().Where("subject = ? AND organization_id = ?", "Security review questionnaire", acme).First(&tk).Error; err != nil {
		t.Fatal(err)
	}
	marcus, err := h.store.ListContacts(context.Background(), acme, models.RecordFilter{Query: "Marcus Chen"})
	if err != nil || len(marcus.Items) != 1 {
		t.Fatalf("Marcus: %+v, %v", marcus, err)
	}
	if tk.ContactID == nil || *tk.ContactID != marcus.Items[0].ID || tk.Priority != models.TicketHigh ||
		tk.Status != models.TicketPending || tk.CreatedBy == nil || *tk.CreatedBy != userID(t, h, "member@acme.test") {
		t.Fatalf("ticket %+v", tk)
	}
}
