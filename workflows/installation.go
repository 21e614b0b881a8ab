package workflows

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows/contract"
)

var installationActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

type installation struct {
	in    contract.InstallationInput
	state contract.InstallationState
	mu    workflow.Mutex
	// failed ends a run whose install was refused (another id won the
	// race, the app lost its published version) before anything happened.
	failed       bool
	uninstalling bool
	// delivery is app.installed's WebhookDelivery child, if any.
	delivery  workflow.ChildWorkflowFuture
	secretGen int
}

// Installation owns one generation of an installation (DESIGN §6). The
// install Update activates the row, creates the OAuth client (or a fresh
// secret generation), grants members access, creates the client's
// rotation Schedule and enqueues app.installed, whose WebhookDelivery
// child carries the credentials; once it is delivered the secret's
// encrypted copy is erased. The run then waits for the uninstall Update
// (refused unless installed): soft delete, client and tokens revoked,
// Schedule deleted, app.uninstalled enqueued and delivered; then it ends.
// Every step is an idempotent activity, so the database and the webhooks
// never diverge.
func Installation(ctx workflow.Context, in contract.InstallationInput) (*contract.InstallationState, error) {
	if in.RotateEvery <= 0 {
		in.RotateEvery = contract.DefaultRotationReminderEvery
	}
	if in.SecretGrace <= 0 {
		in.SecretGrace = contract.DefaultSecretGrace
	}
	w := &installation{in: in, mu: workflow.NewMutex(ctx),
		state: contract.InstallationState{InstallationID: in.InstallationID, Generation: in.Generation}}
	if err := workflow.SetQueryHandler(ctx, contract.InstallationStatusQuery, func() (contract.InstallationState, error) { return w.state, nil }); err != nil {
		return nil, err
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, contract.InstallationInstallUpdate, w.install,
		workflow.UpdateHandlerOptions{Validator: func(contract.InstallationArgs) error {
			if w.uninstalling || w.state.Status == models.InstallationInactive {
				return contract.ApplicationError(&models.Error{Kind: models.KindConflict, Code: contract.ErrTypeInstallationBusy,
					Message: "This app is being uninstalled; try again in a moment."})
			}
			return nil
		}})
	if err != nil {
		return nil, err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, contract.InstallationUninstallUpdate, w.uninstall,
		workflow.UpdateHandlerOptions{Validator: func(contract.InstallationArgs) error {
			if w.state.Status != models.InstallationActive || w.uninstalling {
				return contract.ApplicationError(&models.Error{Kind: models.KindConflict, Code: contract.ErrTypeInstallationInactive,
					Message: "This app is not installed."})
			}
			return nil
		}})
	if err != nil {
		return nil, err
	}

	if err := workflow.Await(ctx, func() bool { return w.state.Status != "" || w.failed }); err != nil {
		return nil, err
	}
	if w.failed {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return nil, err
		}
		// An install Update queued behind the refused one may have
		// succeeded; only a run that installed nothing ends here.
		if w.state.Status == "" {
			return &w.state, nil
		}
	}
	// Erase the secret's copy once app.installed is delivered, while the
	// installation lives (an uninstall erases it anyway). A delivery that
	// failed keeps it, so a redelivery by hand can still carry it.
	if w.delivery != nil {
		workflow.Go(ctx, func(ctx workflow.Context) {
			var res WebhookDeliveryResult
			if err := w.delivery.Get(ctx, &res); err == nil && res.Status == models.WebhookDelivered {
				if err := w.erase(ctx); err != nil {
					workflow.GetLogger(ctx).Error("Installation secret not erased", "error", err)
				}
			}
		})
	}
	if err := workflow.Await(ctx, func() bool {
		return w.state.Status == models.InstallationInactive && workflow.AllHandlersFinished(ctx)
	}); err != nil {
		return nil, err
	}
	return &w.state, nil
}

func (w *installation) install(ctx workflow.Context, args contract.InstallationArgs) (*contract.InstallationState, error) {
	if err := w.mu.Lock(ctx); err != nil {
		return nil, err
	}
	defer w.mu.Unlock()
	if w.state.Status == models.InstallationActive {
		return w.snapshot(), nil
	}
	actx := workflow.WithActivityOptions(ctx, installationActivityOptions)
	err := workflow.ExecuteActivity(actx, a.ActivateInstallation, models.ActivateInstallationInput{
		InstallationID: w.in.InstallationID, AppID: w.in.AppID, OrganizationID: w.in.OrganizationID,
		Generation: w.in.Generation, ActorID: args.ActorID}).Get(ctx, nil)
	if err != nil {
		w.failed = true
		return nil, err
	}
	var client activities.InstallationClientResult
	if err := workflow.ExecuteActivity(actx, a.EnsureInstallationClient, w.in.InstallationID).Get(ctx, &client); err != nil {
		return nil, err
	}
	w.state.ClientID, w.secretGen = client.ClientID, client.SecretGeneration
	err = workflow.ExecuteActivity(actx, a.EnsureInstallationRotationSchedule, activities.RotationScheduleInput{
		ClientID: client.ClientID, InstallationID: w.in.InstallationID, Every: w.in.RotateEvery, Grace: w.in.SecretGrace}).Get(ctx, nil)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	err = workflow.ExecuteActivity(actx, a.EnqueueInstallationEvent, activities.InstallationEventInput{
		InstallationID: w.in.InstallationID, EventType: models.EventAppInstalled,
		DedupeKey: workflow.GetInfo(ctx).WorkflowExecution.ID + ":installed"}).Get(ctx, &ids)
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		w.delivery = startDeliveryChild(ctx, ids[0])
		// The Update answers once the child runs, not once delivered:
		// delivery may retry for a day.
		if err := w.delivery.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			return nil, fmt.Errorf("install: start delivery: %w", err)
		}
	}
	w.state.Status = models.InstallationActive
	return w.snapshot(), nil
}

// startDeliveryChild starts the WebhookDelivery of id as a child the run
// can wait on; it outlives the run if the installation ends first.
func startDeliveryChild(ctx workflow.Context, id uuid.UUID) workflow.ChildWorkflowFuture {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            contract.WebhookDeliveryWorkflowID(id),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	return workflow.ExecuteChildWorkflow(cctx, WebhookDelivery, contract.WebhookDeliveryInput{DeliveryID: id})
}

// erase drops the delivered secret's encrypted copy.
func (w *installation) erase(ctx workflow.Context) error {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, installationActivityOptions), a.EraseInstallationSecret,
		activities.EraseSecretInput{ClientID: w.state.ClientID, Generation: w.secretGen}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("installation: erase secret: %w", err)
	}
	w.state.SecretDelivered = true
	return nil
}

func (w *installation) uninstall(ctx workflow.Context, args contract.InstallationArgs) (*contract.InstallationState, error) {
	if err := w.mu.Lock(ctx); err != nil {
		return nil, err
	}
	defer w.mu.Unlock()
	if w.state.Status != models.InstallationActive {
		return w.snapshot(), nil
	}
	w.uninstalling = true
	actx := workflow.WithActivityOptions(ctx, installationActivityOptions)
	var clientID string
	err := workflow.ExecuteActivity(actx, a.DeactivateInstallation, activities.DeactivateInput{
		InstallationID: w.in.InstallationID, Generation: w.in.Generation, ActorID: args.ActorID}).Get(ctx, &clientID)
	if err != nil {
		w.uninstalling = false
		return nil, err
	}
	if clientID != "" {
		if err := workflow.ExecuteActivity(actx, a.DeleteInstallationRotationSchedule, clientID).Get(ctx, nil); err != nil {
			return nil, err
		}
	}
	var ids []uuid.UUID
	err = workflow.ExecuteActivity(actx, a.EnqueueInstallationEvent, activities.InstallationEventInput{
		InstallationID: w.in.InstallationID, EventType: models.EventAppUninstalled,
		DedupeKey: workflow.GetInfo(ctx).WorkflowExecution.ID + ":uninstalled"}).Get(ctx, &ids)
	if err != nil {
		return nil, err
	}
	if err := StartWebhookDeliveries(ctx, ids); err != nil {
		return nil, err
	}
	w.state.Status = models.InstallationInactive
	return w.snapshot(), nil
}

func (w *installation) snapshot() *contract.InstallationState {
	st := w.state
	return &st
}
