package client

import (
	"context"

	"github.com/google/uuid"
	sdkclient "go.temporal.io/sdk/client"

	"appstore/workflows/contract"
)

// AccountMails sends the mail of an account mail request (verification,
// password reset, sign-up with an existing address) in the background, by
// starting an AccountMail run per request.
type AccountMails struct {
	Client    sdkclient.Client
	TaskQueue string
}

// Send starts account-mail-<id>; a request whose workflow was already
// started is not mailed twice, and that is not an error. It returns the
// Temporal client's error otherwise.
func (m *AccountMails) Send(ctx context.Context, requestID uuid.UUID) error {
	return New(m.Client).Start(ctx, Start{
		Workflow:  contract.AccountMailWorkflow,
		ID:        contract.AccountMailWorkflowID(requestID),
		TaskQueue: m.TaskQueue,
		Input:     requestID,
	})
}
