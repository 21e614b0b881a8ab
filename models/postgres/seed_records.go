package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

// The demo records area: the same believable customer base in Acme and in
// Acme Sandbox, so app surfaces have something to show in both.

type demoContact struct{ Name, Email, Phone, Company, Title, Notes string }

var demoContacts = []demoContact{
	{"Priya Raman", "priya.raman@northwind.example", "+1 415 555 0142", "Northwind Traders", "Head of Operations",
		"Champion for the rollout. Prefers email; weekly sync on Tuesdays."},
	{"Marcus Chen", "marcus@bluefin.example", "+1 206 555 0199", "Bluefin Logistics", "IT Director",
		"Evaluating SSO for 400 seats. Security review pending."},
	{"Sofia Alvarez", "s.alvarez@lumen.example", "+34 91 555 0123", "Lumen Studio", "Founder", ""},
	{"Tom Becker", "tom.becker@kraftwerk.example", "+49 30 555 0177", "Kraftwerk GmbH", "Procurement Lead",
		"Asked for an annual invoice instead of monthly."},
	{"Aisha Okafor", "aisha@greenleaf.example", "+234 1 555 0110", "Greenleaf Farms", "Customer Success Manager", ""},
	{"Jonas Lindqvist", "jonas.l@fjord.example", "+46 8 555 0134", "Fjord Analytics", "Data Engineer",
		"Integrates through the API; reported the export timeout."},
	{"Emily Carter", "emily.carter@harbor.example", "+44 20 7946 0958", "Harbor Health", "Practice Manager",
		"Needs HIPAA wording in the contract addendum."},
	{"Kenji Watanabe", "kenji@sakura.example", "+81 3 5555 0101", "Sakura Retail", "E-commerce Manager", ""},
}

type demoTicket struct {
	Subject, Description, Contact string
	Status                        models.TicketStatus
	Priority                      models.TicketPriority
}

var demoTickets = []demoTicket{
	{"Export to CSV times out", "Exports of more than 50,000 rows stop after 30 seconds with a gateway error.", "Jonas Lindqvist",
		models.TicketOpen, models.TicketHigh},
	{"SSO login loops back to the sign-in page", "After the identity provider redirects back, users land on the sign-in page again. Happens in Safari only.",
		"Marcus Chen", models.TicketPending, models.TicketUrgent},
	{"Annual invoice instead of monthly", "Finance would like one invoice per year, paid upfront.", "Tom Becker",
		models.TicketOpen, models.TicketNormal},
	{"Add a second admin", "Please make Aisha an admin of the workspace as well.", "Aisha Okafor",
		models.TicketSolved, models.TicketLow},
	{"Contract addendum for HIPAA", "Legal needs the data processing addendum with HIPAA language before signing.", "Emily Carter",
		models.TicketPending, models.TicketHigh},
	{"Dashboard shows yesterday's numbers", "The sales dashboard refreshes at midnight UTC, which is mid-morning in Tokyo.", "Kenji Watanabe",
		models.TicketClosed, models.TicketNormal},
}

type demoCall struct {
	Title, Contact               string
	Minutes                      int
	DaysAgo                      int
	Transcript, Summary, Insight string
}

var demoCalls = []demoCall{
	{"Quarterly review with Northwind", "Priya Raman", 32, 3,
		`Priya: Thanks for making time. Adoption is up since the last review, about 80 percent of the team uses it daily.
Olivia: That's great to hear. What's holding back the other 20 percent?
Priya: Mostly the warehouse staff. They're on shared tablets and signing in every shift is painful.
Olivia: We can look at badge sign-in for shared devices. Would a pilot in one warehouse work?
Priya: Yes, the Oakland site. And we'd like the monthly report to include per-site numbers.
Olivia: Noted. I'll send a proposal for the pilot by Friday.`,
		"Adoption at 80%. Shared-tablet sign-in blocks warehouse staff. Agreed a badge sign-in pilot at the Oakland site; Priya wants per-site numbers in the monthly report.",
		"Expansion opportunity: warehouse staff are the remaining 20% of seats. Follow up with the pilot proposal by Friday."},
	{"SSO troubleshooting with Bluefin", "Marcus Chen", 18, 1,
		`Marcus: Our users keep landing on the sign-in page after the SAML redirect.
Max: Does it happen in every browser?
Marcus: Only Safari, as far as we can tell.
Max: That points at third-party cookies being blocked. Can you try with the latest build of the login page?
Marcus: Same result. We need this fixed before the security review next week.
Max: Understood. I'm escalating it to engineering today and will update the ticket.`,
		"Safari-only SSO redirect loop, likely cookie related. Escalated to engineering; Marcus needs a fix before next week's security review.",
		"Risk: the 400-seat deal depends on the security review. Keep Marcus updated daily until the fix ships."},
	{"Onboarding call with Lumen Studio", "Sofia Alvarez", 25, 7,
		`Sofia: We're a team of twelve designers, so we want something simple.
Olivia: Let's start with the shared inbox and the calendar integration.
Sofia: Can clients see the status of their requests?
Olivia: Yes, through the customer portal. I'll turn it on for you.
Sofia: Perfect. And billing is per seat?
Olivia: Per seat, monthly, and you can switch to annual any time.`,
		"Twelve-person design studio. Set up the shared inbox and calendar integration; enabled the customer portal for client status updates.",
		"Good fit for the starter plan; mention the annual discount at the first renewal."},
}

// seedRecords gives organization orgID the demo contacts, tickets and call
// recordings it lacks, each found by its natural key (contact name, ticket
// subject, call title) so a second run creates nothing. It reports whether
// it created anything.
func (s *Store) seedRecords(ctx context.Context, orgID uuid.UUID) (bool, error) {
	created := false
	contacts := map[string]uuid.UUID{}
	var have []models.Contact
	if err := s.db.WithContext(ctx).Select("id, name").Where("organization_id = ?", orgID).Find(&have).Error; err != nil {
		return false, fmt.Errorf("seed records: %w", err)
	}
	for _, c := range have {
		contacts[c.Name] = c.ID
	}
	for _, d := range demoContacts {
		if _, ok := contacts[d.Name]; ok {
			continue
		}
		c, err := s.CreateContact(ctx, orgID, models.ContactInput{Name: &d.Name, Email: &d.Email, Phone: &d.Phone,
			Company: &d.Company, Title: &d.Title, Notes: &d.Notes})
		if err != nil {
			return false, fmt.Errorf("seed contact %s: %w", d.Name, err)
		}
		contacts[d.Name], created = c.ID, true
	}
	contactOf := func(name string) models.OptionalID {
		if id, ok := contacts[name]; ok {
			return models.SomeID(id)
		}
		return models.OptionalID{}
	}

	var subjects []string
	if err := s.db.WithContext(ctx).Raw(`SELECT subject FROM tickets WHERE organization_id = ?`, orgID).Scan(&subjects).Error; err != nil {
		return false, fmt.Errorf("seed records: %w", err)
	}
	for _, d := range demoTickets {
		if slices.Contains(subjects, d.Subject) {
			continue
		}
		if _, err := s.CreateTicket(ctx, orgID, models.TicketInput{Subject: &d.Subject, Description: &d.Description,
			Status: &d.Status, Priority: &d.Priority, ContactID: contactOf(d.Contact)}); err != nil {
			return false, fmt.Errorf("seed ticket %q: %w", d.Subject, err)
		}
		created = true
	}

	var titles []string
	if err := s.db.WithContext(ctx).Raw(`SELECT title FROM call_recordings WHERE organization_id = ?`, orgID).Scan(&titles).Error; err != nil {
		return false, fmt.Errorf("seed records: %w", err)
	}
	for _, d := range demoCalls {
		if slices.Contains(titles, d.Title) {
			continue
		}
		seconds := d.Minutes * 60
		at := s.now().Add(-time.Duration(d.DaysAgo) * 24 * time.Hour)
		if _, err := s.CreateCallRecording(ctx, orgID, models.CallRecordingInput{Title: &d.Title, ContactID: contactOf(d.Contact),
			DurationSeconds: &seconds, RecordedAt: &at, Transcript: &d.Transcript, Summary: &d.Summary, Insight: &d.Insight}); err != nil {
			return false, fmt.Errorf("seed call recording %q: %w", d.Title, err)
		}
		created = true
	}
	return created, nil
}
