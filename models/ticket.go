package models

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// TicketStatus is where a ticket stands.
type TicketStatus string

// Ticket statuses.
const (
	TicketOpen    TicketStatus = "open"
	TicketPending TicketStatus = "pending"
	TicketSolved  TicketStatus = "solved"
	TicketClosed  TicketStatus = "closed"
)

// TicketStatuses lists every status, in the order a ticket usually moves.
var TicketStatuses = []TicketStatus{TicketOpen, TicketPending, TicketSolved, TicketClosed}

// TicketPriority is how urgent a ticket is.
type TicketPriority string

// Ticket priorities.
const (
	TicketLow    TicketPriority = "low"
	TicketNormal TicketPriority = "normal"
	TicketHigh   TicketPriority = "high"
	TicketUrgent TicketPriority = "urgent"
)

// TicketPriorities lists every priority, least urgent first.
var TicketPriorities = []TicketPriority{TicketLow, TicketNormal, TicketHigh, TicketUrgent}

// Ticket is a request or problem an organization tracks, optionally about
// one of its contacts.
type Ticket struct {
	ID             uuid.UUID      `gorm:"type:uuid;primaryKey" json:"id"`
	OrganizationID uuid.UUID      `gorm:"type:uuid" json:"organization_id"`
	Subject        string         `json:"subject"`
	Description    string         `json:"description"`
	Status         TicketStatus   `json:"status"`
	Priority       TicketPriority `json:"priority"`
	ContactID      *uuid.UUID     `gorm:"type:uuid" json:"contact_id"`
	CreatedBy      *uuid.UUID     `gorm:"type:uuid" json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// Ticket field limits, in characters.
const (
	MaxTicketSubjectLen     = 300
	MaxTicketDescriptionLen = 20_000
)

// TicketInput is a ticket's editable fields; nil (or an unset ContactID)
// leaves a field as it is. On create Status defaults to open and Priority
// to normal.
type TicketInput struct {
	Subject     *string         `json:"subject"`
	Description *string         `json:"description"`
	Status      *TicketStatus   `json:"status"`
	Priority    *TicketPriority `json:"priority"`
	ContactID   OptionalID      `json:"contact_id"`
}

// ErrTicketNotFound is the answer for a ticket that does not exist in the
// organization asked about.
var ErrTicketNotFound = &Error{Kind: KindNotFound, Code: "ticket_not_found", Message: "No such ticket."}

// Apply writes in's fields into t and returns the names of those that
// changed. It returns an invalid error listing every bad field, coded by
// the first of them that has a code of its own ("invalid_status",
// "invalid_priority", "invalid_contact_id"), else "invalid_ticket"; t is
// then in an unspecified state: callers apply to a copy. Whether the
// contact belongs to the organization is the store's check.
func (in TicketInput) Apply(t *Ticket) ([]string, error) {
	var errs []FieldError
	var changed []string
	var ch bool
	if errs, ch = applyText(in.Subject, textRule{"subject", MaxTicketSubjectLen, true}, &t.Subject, errs); ch {
		changed = append(changed, "subject")
	}
	if errs, ch = applyText(in.Description, textRule{"description", MaxTicketDescriptionLen, false}, &t.Description, errs); ch {
		changed = append(changed, "description")
	}
	if t.Status == "" {
		t.Status = TicketOpen
	}
	if in.Status != nil && *in.Status != t.Status {
		if !slices.Contains(TicketStatuses, *in.Status) {
			errs = append(errs, FieldError{Field: "status", Message: "must be open, pending, solved or closed"})
		}
		t.Status, changed = *in.Status, append(changed, "status")
	}
	if t.Priority == "" {
		t.Priority = TicketNormal
	}
	if in.Priority != nil && *in.Priority != t.Priority {
		if !slices.Contains(TicketPriorities, *in.Priority) {
			errs = append(errs, FieldError{Field: "priority", Message: "must be low, normal, high or urgent"})
		}
		t.Priority, changed = *in.Priority, append(changed, "priority")
	}
	if errs, ch = applyID(in.ContactID, "contact_id", &t.ContactID, errs); ch {
		changed = append(changed, "contact_id")
	}
	return changed, recordInvalid("invalid_ticket", "Some fields of the ticket need fixing; nothing was saved.",
		map[string]string{"status": "invalid_status", "priority": "invalid_priority", "contact_id": "invalid_contact_id"}, errs)
}
