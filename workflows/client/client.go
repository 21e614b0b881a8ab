// Package client is how Appstore talks to Temporal from outside a
// workflow: it starts workflows, sends Updates (also with start), asks
// Queries and keeps Schedules. It names workflows by their contract names,
// so it never imports package workflows, and it turns the SDK's errors into
// contract's: a refusal into its *models.Error, a missing or finished run
// into contract.ErrNotFound or contract.ErrAlreadyCompleted.
//
// It is the only package outside cmd (and test helpers) that imports the
// SDK's client. The API's Temporal dependencies (Promotions, Installations,
// Invitations, WebhookDeliveries, Rotations, AccountMails) and the
// activities' (Client) are implemented here; cmd wires them.
package client

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"appstore/workflows/contract"
)

// Client is a Temporal client seen through the contract.
type Client struct {
	Temporal sdkclient.Client
}

// New returns the Client of c.
func New(c sdkclient.Client) *Client { return &Client{Temporal: c} }

// Start is a workflow to start. Every workflow ID here is a business key
// with one run, ever (id reuse policy REJECT_DUPLICATE): a finished
// invitation, delivery or rotation is not run again.
type Start struct {
	Workflow   string // the workflow type, a contract name
	ID         string
	TaskQueue  string
	Input      any // the workflow's one argument
	Attributes temporal.SearchAttributes
}

func (s Start) options() sdkclient.StartWorkflowOptions {
	return sdkclient.StartWorkflowOptions{
		ID:                    s.ID,
		TaskQueue:             s.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: s.Attributes,
	}
}

// Update is an Update to a run, answered once it has completed.
type Update struct {
	WorkflowID string // empty with UpdateWithStart: the started workflow's
	// ID keys the Update: a retry with the same id is answered from the
	// first one's result. Empty: a fresh id.
	ID   string
	Name string // a contract name
	Arg  any    // the Update's one argument
}

func (u Update) options() sdkclient.UpdateWorkflowOptions {
	return sdkclient.UpdateWorkflowOptions{
		WorkflowID:   u.WorkflowID,
		UpdateID:     u.ID,
		UpdateName:   u.Name,
		Args:         []any{u.Arg},
		WaitForStage: sdkclient.WorkflowUpdateStageCompleted,
	}
}

// Start starts s. Starting an id that runs or ran already is not an
// error: the reuse policy keeps to one run, which the first start made.
// It returns Temporal's error otherwise.
func (c *Client) Start(ctx context.Context, s Start) error {
	_, err := c.Temporal.ExecuteWorkflow(ctx, s.options(), s.Workflow, s.Input)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start %s %s: %w", s.Workflow, s.ID, err)
	}
	return nil
}

// UpdateWithStart starts s unless its run is running, and sends u to the
// run in the same call (a double click attaches to the same run), reading
// the Update's result into out. A run that has finished is not started
// again: that is contract.ErrAlreadyCompleted. A refusal by a validator or
// an activity is its *models.Error; other errors are Temporal's.
func (c *Client) UpdateWithStart(ctx context.Context, s Start, u Update, out any) error {
	opts := s.options()
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	u.WorkflowID = ""
	handle, err := c.Temporal.UpdateWithStartWorkflow(ctx, sdkclient.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: c.Temporal.NewWithStartWorkflowOperation(opts, s.Workflow, s.Input),
		UpdateOptions:          u.options(),
	})
	return c.outcome(ctx, s.ID, handle, err, out)
}

// Update sends u to its workflow's run and reads the result into out. A
// workflow with no run is contract.ErrNotFound, one whose run has ended
// contract.ErrAlreadyCompleted; a refusal by a validator or an activity is
// its *models.Error; other errors are Temporal's.
func (c *Client) Update(ctx context.Context, u Update, out any) error {
	handle, err := c.Temporal.UpdateWorkflow(ctx, u.options())
	return c.outcome(ctx, u.WorkflowID, handle, err, out)
}

// outcome reads the result of an Update sent with WaitForStage completed
// (or the error of sending it) into out.
func (c *Client) outcome(ctx context.Context, workflowID string, handle sdkclient.WorkflowUpdateHandle, err error, out any) error {
	if err == nil {
		if err = handle.Get(ctx, out); err == nil {
			return nil
		}
	}
	if me, ok := contract.ModelError(err); ok {
		return me
	}
	var notFound *serviceerror.NotFound
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		// Update-With-Start found a finished run it may not start again.
		return fmt.Errorf("%w: %w", contract.ErrAlreadyCompleted, err)
	case errors.As(err, &notFound):
		return c.missing(ctx, workflowID, err)
	}
	return err
}

// missing tells a finished run from a workflow that never ran: the server
// answers an Update to either with NotFound.
func (c *Client) missing(ctx context.Context, workflowID string, err error) error {
	d, derr := c.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
	if derr == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return fmt.Errorf("%w: %w", contract.ErrAlreadyCompleted, err)
	}
	return fmt.Errorf("%w: %w", contract.ErrNotFound, err)
}

// Query asks workflowID's run the Query name and reads the answer into
// out. A workflow with no run is contract.ErrNotFound; other errors are
// Temporal's.
func (c *Client) Query(ctx context.Context, workflowID, name string, out any) error {
	v, err := c.Temporal.QueryWorkflow(ctx, workflowID, "", name)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("%w: %w", contract.ErrNotFound, err)
	}
	if err != nil {
		return err
	}
	return v.Get(out)
}
