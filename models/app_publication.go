package models

import (
	"fmt"
)

// AppTransitions are the publication moves of DESIGN §4 and the event each
// records. Who may make them is the API's business: publish and unpublish
// are the account admins', suspend and restore (suspended -> published)
// platform staff's.
var AppTransitions = map[[2]PublicationStatus]EventType{
	{AppUnpublished, AppPublished}: EventAppPublished,
	{AppPublished, AppUnpublished}: EventAppUnpublished,
	{AppPublished, AppSuspended}:   EventAppSuspended,
	{AppSuspended, AppPublished}:   EventAppRestored,
}

// CanTransitionApp reports whether an app may move from one publication
// status to another.
func CanTransitionApp(from, to PublicationStatus) bool {
	_, ok := AppTransitions[[2]PublicationStatus{from, to}]
	return ok
}

// PublishChecksFailed is the error of a publication the checks refuse: one
// field error per blocking check.
func PublishChecksFailed(checks []PublishCheck) *Error {
	var fields []FieldError
	for _, c := range checks {
		if c.Severity == CheckError {
			fields = append(fields, FieldError{Field: c.Field, Message: c.Message})
		}
	}
	return Invalid("publish_checks_failed",
		fmt.Sprintf("The app cannot be published yet: %d publication checks fail.", len(fields)), fields...)
}
