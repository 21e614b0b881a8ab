package models_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

func TestOptionalIDDecoding(t *testing.T) {
	id := uuid.New()
	cases := []struct {
		body string
		want models.OptionalID
	}{
		{`{}`, models.OptionalID{}},
		{`{"contact_id": null}`, models.OptionalID{Set: true}},
		{`{"contact_id": ""}`, models.OptionalID{Set: true}},
		{`{"contact_id": "` + id.String() + `"}`, models.SomeID(id)},
		{`{"contact_id": 7}`, models.OptionalID{Set: true, Value: "7"}},
	}
	for _, tc := range cases {
		var in models.TicketInput
		if err := json.Unmarshal([]byte(tc.body), &in); err != nil || in.ContactID != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.body, in.ContactID, err, tc.want)
		}
	}
}

func TestTicketInputApply(t *testing.T) {
	s := func(v string) *string { return &v }
	contact := uuid.New()
	cases := []struct {
		name    string
		start   models.Ticket
		in      models.TicketInput
		changed []string
		code    string
	}{
		{"create with defaults", models.Ticket{}, models.TicketInput{Subject: s(" Help ")}, []string{"subject"}, ""},
		{"no subject", models.Ticket{}, models.TicketInput{Description: s("x")}, []string{"description"}, "invalid_ticket"},
		{"subject too long", models.Ticket{}, models.TicketInput{Subject: s(strings.Repeat("é", models.MaxTicketSubjectLen+1))}, nil, "invalid_ticket"},
		{"NUL", models.Ticket{Subject: "a"}, models.TicketInput{Description: s("a\x00")}, nil, "invalid_ticket"},
		{"status", models.Ticket{Subject: "a"}, models.TicketInput{Status: ptr(models.TicketStatus("done"))}, nil, "invalid_status"},
		{"priority beats ticket", models.Ticket{}, models.TicketInput{Priority: ptr(models.TicketPriority("asap"))}, nil, "invalid_priority"},
		{"same values change nothing", models.Ticket{Subject: "a", Status: models.TicketOpen, Priority: models.TicketLow},
			models.TicketInput{Subject: s("a"), Status: ptr(models.TicketOpen), Priority: ptr(models.TicketLow)}, nil, ""},
		{"set contact", models.Ticket{Subject: "a"}, models.TicketInput{ContactID: models.SomeID(contact)}, []string{"contact_id"}, ""},
		{"clear contact", models.Ticket{Subject: "a", ContactID: &contact}, models.TicketInput{ContactID: models.OptionalID{Set: true}}, []string{"contact_id"}, ""},
		{"same contact", models.Ticket{Subject: "a", ContactID: &contact}, models.TicketInput{ContactID: models.SomeID(contact)}, nil, ""},
		{"bad contact", models.Ticket{Subject: "a"}, models.TicketInput{ContactID: models.OptionalID{Set: true, Value: "x"}}, nil, "invalid_contact_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tk := tc.start
			changed, err := tc.in.Apply(&tk)
			if tc.code != "" {
				if e, ok := models.AsError(err); !ok || e.Code != tc.code {
					t.Fatalf("error %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil || !slices.Equal(changed, tc.changed) {
				t.Fatalf("changed %v, %v; want %v", changed, err, tc.changed)
			}
			if tk.Status == "" || tk.Priority == "" || strings.TrimSpace(tk.Subject) != tk.Subject {
				t.Fatalf("ticket %+v", tk)
			}
		})
	}
}

func TestRecordFilterNormalize(t *testing.T) {
	f, err := models.RecordFilter{Query: "  ada  ", Limit: 500}.Normalize()
	if err != nil || f.Query != "ada" || f.Limit != models.MaxRecordLimit {
		t.Fatalf("%+v, %v", f, err)
	}
	if f, _ := (models.RecordFilter{}).Normalize(); f.Limit != models.DefaultRecordLimit {
		t.Fatalf("default limit %d", f.Limit)
	}
	for q, code := range map[string]string{strings.Repeat("a", models.MaxRecordQueryLen+1): "query_too_long", "a\x00": models.TextNUL} {
		_, err := (models.RecordFilter{Query: q}).Normalize()
		if e, ok := models.AsError(err); !ok || e.Code != code {
			t.Errorf("query %.10q: %v, want %s", q, err, code)
		}
	}
}
func ptr[T any](v T) *T { return &v }
