package models

import (
	"time"

	"github.com/google/uuid"
)

// Contact is a person an organization deals with.
type Contact struct {
	ID             uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	OrganizationID uuid.UUID  `gorm:"type:uuid" json:"organization_id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	Phone          string     `json:"phone"`
	Company        string     `json:"company"`
	Title          string     `json:"title"`
	Notes          string     `json:"notes"`
	CreatedBy      *uuid.UUID `gorm:"type:uuid" json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Contact field limits, in characters.
const (
	MaxContactNameLen  = 200
	MaxContactEmailLen = 254
	MaxContactPhoneLen = 50
	MaxContactTextLen  = 200 // company and title
	MaxContactNotesLen = 10_000
)

// ContactInput is a contact's editable fields; nil leaves a field as it is
// (on create: empty).
type ContactInput struct {
	Name    *string `json:"name"`
	Email   *string `json:"email"`
	Phone   *string `json:"phone"`
	Company *string `json:"company"`
	Title   *string `json:"title"`
	Notes   *string `json:"notes"`
}

// ErrContactNotFound is the answer for a contact that does not exist in
// the organization asked about.
var ErrContactNotFound = &Error{Kind: KindNotFound, Code: "contact_not_found", Message: "No such contact."}

// Apply writes in's fields (trimmed) into c and returns the names of those
// that changed. It returns an invalid error listing every bad field
// ("invalid_email" when the email is one, else "invalid_contact"),
// leaving c in an unspecified state: callers apply to a copy.
func (in ContactInput) Apply(c *Contact) ([]string, error) {
	var errs []FieldError
	var changed []string
	for _, f := range []struct {
		v   *string
		r   textRule
		dst *string
	}{
		{in.Name, textRule{"name", MaxContactNameLen, true}, &c.Name},
		{in.Email, textRule{"email", MaxContactEmailLen, false}, &c.Email},
		{in.Phone, textRule{"phone", MaxContactPhoneLen, false}, &c.Phone},
		{in.Company, textRule{"company", MaxContactTextLen, false}, &c.Company},
		{in.Title, textRule{"title", MaxContactTextLen, false}, &c.Title},
		{in.Notes, textRule{"notes", MaxContactNotesLen, false}, &c.Notes},
	} {
		var ch bool
		if errs, ch = applyText(f.v, f.r, f.dst, errs); ch {
			changed = append(changed, f.r.Field)
		}
	}
	// The same address rule as users' (NormalizeEmail), though the contact
	// keeps the address as it was typed.
	if _, err := NormalizeEmail(c.Email); in.Email != nil && c.Email != "" && err != nil {
		errs = append(errs, FieldError{Field: "email", Message: "must be an email address like name@example.com"})
	}
	return changed, recordInvalid("invalid_contact", "Some fields of the contact need fixing; nothing was saved.",
		map[string]string{"email": "invalid_email"}, errs)
}
