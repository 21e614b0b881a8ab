package models

import (
	"context"

	"github.com/google/uuid"
)

// Audit describes who is acting and through which request. Handlers put it
// in the context; every event written in a store transaction copies it.
type Audit struct {
	ActorID       *uuid.UUID
	RequestID     string
	RequestMethod string
	RequestPath   string
}

type auditKey struct{}

// WithAudit returns ctx carrying a.
func WithAudit(ctx context.Context, a Audit) context.Context {
	return context.WithValue(ctx, auditKey{}, a)
}

// AuditFrom returns the Audit in ctx, or the zero Audit (a system action).
func AuditFrom(ctx context.Context) Audit {
	a, _ := ctx.Value(auditKey{}).(Audit)
	return a
}

// WithActor returns ctx whose Audit names userID as the actor.
func WithActor(ctx context.Context, userID uuid.UUID) context.Context {
	a := AuditFrom(ctx)
	a.ActorID = &userID
	return WithAudit(ctx, a)
}
