package models

import (
	"time"

	"github.com/google/uuid"
)

// CallRecording is a recorded call with its transcript and what was made
// of it: a summary and an insight (the texts app text-actions work on).
type CallRecording struct {
	ID              uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	OrganizationID  uuid.UUID  `gorm:"type:uuid" json:"organization_id"`
	Title           string     `json:"title"`
	ContactID       *uuid.UUID `gorm:"type:uuid" json:"contact_id"`
	DurationSeconds int        `json:"duration_seconds"`
	RecordedAt      time.Time  `json:"recorded_at"`
	Transcript      string     `json:"transcript"`
	Summary         string     `json:"summary"`
	Insight         string     `json:"insight"`
	CreatedBy       *uuid.UUID `gorm:"type:uuid" json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// CallField names one of a call recording's texts (a text-action's field).
type CallField string

// Call recording texts.
const (
	CallTranscript CallField = "transcript"
	CallSummary    CallField = "summary"
	CallInsight    CallField = "insight"
)

// CallFields lists the texts, in the order pages show them.
var CallFields = []CallField{CallTranscript, CallSummary, CallInsight}

// Call recording field limits: characters, and seconds.
const (
	MaxCallTitleLen      = 300
	MaxCallTranscriptLen = 100_000
	MaxCallTextLen       = 10_000 // summary and insight
	MaxCallDuration      = 24 * 60 * 60
)

// CallRecordingInput is a call recording's editable fields; nil (or an
// unset ContactID) leaves a field as it is. On create RecordedAt defaults
// to now.
type CallRecordingInput struct {
	Title           *string    `json:"title"`
	ContactID       OptionalID `json:"contact_id"`
	DurationSeconds *int       `json:"duration_seconds"`
	RecordedAt      *time.Time `json:"recorded_at"`
	Transcript      *string    `json:"transcript"`
	Summary         *string    `json:"summary"`
	Insight         *string    `json:"insight"`
}

// ErrCallRecordingNotFound is the answer for a call recording that does
// not exist in the organization asked about.
var ErrCallRecordingNotFound = &Error{Kind: KindNotFound, Code: "call_recording_not_found", Message: "No such call recording."}

// Apply writes in's fields into r and returns the names of those that
// changed. It returns an invalid error listing every bad field
// ("invalid_contact_id" when the contact id is one, else
// "invalid_call_recording"); r is then in an unspecified state: callers
// apply to a copy.
func (in CallRecordingInput) Apply(r *CallRecording) ([]string, error) {
	var errs []FieldError
	var changed []string
	for _, f := range []struct {
		v   *string
		r   textRule
		dst *string
	}{
		{in.Title, textRule{"title", MaxCallTitleLen, true}, &r.Title},
		{in.Transcript, textRule{"transcript", MaxCallTranscriptLen, false}, &r.Transcript},
		{in.Summary, textRule{"summary", MaxCallTextLen, false}, &r.Summary},
		{in.Insight, textRule{"insight", MaxCallTextLen, false}, &r.Insight},
	} {
		var ch bool
		if errs, ch = applyText(f.v, f.r, f.dst, errs); ch {
			changed = append(changed, f.r.Field)
		}
	}
	var ch bool
	if errs, ch = applyID(in.ContactID, "contact_id", &r.ContactID, errs); ch {
		changed = append(changed, "contact_id")
	}
	if d := in.DurationSeconds; d != nil && *d != r.DurationSeconds {
		if *d < 0 || *d > MaxCallDuration {
			errs = append(errs, FieldError{Field: "duration_seconds", Message: "must be 0 to 86400 seconds"})
		}
		r.DurationSeconds, changed = *d, append(changed, "duration_seconds")
	}
	if t := in.RecordedAt; t != nil && !t.Equal(r.RecordedAt) {
		if t.Year() < 1900 || t.Year() > 9999 {
			errs = append(errs, FieldError{Field: "recorded_at", Message: "must be a time between the years 1900 and 9999"})
		}
		r.RecordedAt, changed = t.UTC().Truncate(time.Microsecond), append(changed, "recorded_at")
	}
	return changed, recordInvalid("invalid_call_recording", "Some fields of the call recording need fixing; nothing was saved.",
		map[string]string{"contact_id": "invalid_contact_id"}, errs)
}
