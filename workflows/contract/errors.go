package contract

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"appstore/models"
)

// Errors workflows/client returns when a run cannot take a request; the
// API and the activities match them with errors.Is, and the callers answer
// from the database instead.
var (
	// ErrNotFound means no workflow (or Schedule) has the id.
	ErrNotFound = errors.New("workflow not found")
	// ErrAlreadyCompleted means the workflow's run has ended: it takes no
	// Update, and its id, started once ever, is not started again.
	ErrAlreadyCompleted = errors.New("workflow already completed")
)

// ApplicationError encodes e for the far side of Temporal: a non-retryable
// ApplicationError whose Type is e.Code, whose Message is e.Message, and
// whose details are e.Kind and e.Fields, so ModelError can rebuild it. It
// is benign: a refusal is the user's mistake, not an alert, and the worker
// logs it at debug level instead of as an activity error. Activities
// return it (through DomainError) and Update validators refuse with it.
func ApplicationError(e *models.Error) error {
	return temporal.NewApplicationErrorWithOptions(e.Message, e.Code, temporal.ApplicationErrorOptions{
		NonRetryable: true,
		Details:      []any{e.Kind, e.Fields},
		Category:     temporal.ApplicationErrorCategoryBenign,
	})
}

// DomainError turns an error carrying a *models.Error of a client-facing
// Kind (invalid, forbidden, not found, conflict, ...) into its
// ApplicationError. Other errors (a database outage) are returned
// unchanged, and Temporal retries them. nil stays nil.
func DomainError(err error) error {
	e, ok := models.AsError(err)
	if !ok || e.Kind == models.KindInternal || e.Kind == models.KindUnavailable {
		return err
	}
	return ApplicationError(e)
}

// ModelError finds an ApplicationError made by ApplicationError in err's
// chain, as the Temporal client returns it for an activity, workflow or
// Update, and rebuilds the *models.Error, with err as its internal cause.
// Histories recorded before field errors rode along carry the Kind alone;
// they decode too.
func ModelError(err error) (*models.Error, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.HasDetails() {
		return nil, false
	}
	var kind models.Kind
	var fields []models.FieldError
	if appErr.Details(&kind, &fields) != nil {
		fields = nil
		if appErr.Details(&kind) != nil {
			return nil, false
		}
	}
	if kind == "" {
		return nil, false
	}
	return &models.Error{Kind: kind, Code: appErr.Type(), Message: appErr.Message(), Fields: fields, Err: err}, true
}
