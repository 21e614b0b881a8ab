package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"appstore/workflows"
)

// AccountMails sends the mail of an account mail request (verification,
// password reset, sign-up with an existing address) in the background.
type AccountMails interface {
	Send(ctx context.Context, requestID uuid.UUID) error
}

// TemporalAccountMails implements AccountMails by starting an AccountMail
// workflow per request.
type TemporalAccountMails struct {
	Client    client.Client
	TaskQueue string
}

// Send starts account-mail-<id>; a request whose workflow was already
// started is not mailed twice, and that is not an error. It returns the
// Temporal client's error otherwise.
func (t *TemporalAccountMails) Send(ctx context.Context, requestID uuid.UUID) error {
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    workflows.AccountMailWorkflowID(requestID),
		TaskQueue:             t.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.AccountMail, requestID)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("start account mail workflow: %w", err)
	}
	return nil
}
