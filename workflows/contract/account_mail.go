package contract

import "github.com/google/uuid"

// AccountMailWorkflow is the workflow type of the run that sends one
// account mail request's mail. Its input is the request's id.
const AccountMailWorkflow = "AccountMail"

// AccountMailWorkflowID is the workflow ID of account mail request id:
// "account-mail-<id>".
func AccountMailWorkflowID(requestID uuid.UUID) string { return "account-mail-" + requestID.String() }
