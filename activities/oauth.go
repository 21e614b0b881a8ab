package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"

	"appstore/models"
	"appstore/workflows/contract"
)

// RevokePreviousSecretInput names the client and the secret generation
// whose grace period has ended.
type RevokePreviousSecretInput struct {
	ClientID   string
	Generation int
}

// RevokePreviousSecret revokes the client's previous secret if it is still
// of in.Generation, and reports whether it did. A later rotation or a
// retried attempt finds another generation (or none) and changes nothing.
// It returns the store's error, which Temporal retries.
func (a *Activities) RevokePreviousSecret(ctx context.Context, in RevokePreviousSecretInput) (bool, error) {
	revoked, err := a.Store.RevokePreviousSecret(ctx, in.ClientID, in.Generation)
	if err != nil {
		return false, fmt.Errorf("revoke previous secret of %s: %w", in.ClientID, err)
	}
	return revoked, nil
}

// RemindSecretRotation records oauth.rotation_reminder for the client and
// mails each admin of the app's developer account that it is time to rotate
// the client secret; it returns how many mails it sent. The event is keyed
// by the workflow run, so a retried attempt records it once; mails are
// at least once (a retry after a partial send mails everyone again). A
// disabled client, or one whose app is gone, gets no reminder. It returns
// the store's or Mailer's error, which Temporal retries.
func (a *Activities) RemindSecretRotation(ctx context.Context, in contract.RotationReminderInput) (int, error) {
	info := activity.GetInfo(ctx)
	eventID := uuid.NewSHA1(uuid.NameSpaceURL, []byte("temporal:rotation-reminder:"+info.Namespace+"/"+
		info.WorkflowExecution.ID+"/"+info.WorkflowExecution.RunID))
	r, err := a.Store.RecordRotationReminder(ctx, in.ClientID, eventID)
	if errors.Is(err, models.ErrNotFound) {
		activity.GetLogger(ctx).Info("No rotation reminder: the client is gone", "ClientID", in.ClientID)
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("remind secret rotation of %s: %w", in.ClientID, err)
	}
	if !r.Enabled {
		return 0, nil
	}
	sent := 0
	for _, to := range r.AdminEmails {
		m, err := RotationReminderMail(a.BaseURL, r, to)
		if err != nil {
			return sent, err
		}
		if err := a.Mailer.Send(ctx, m); err != nil {
			return sent, fmt.Errorf("remind secret rotation of %s: %w", in.ClientID, err)
		}
		sent++
	}
	return sent, nil
}

// RotationReminderMail builds the reminder to admin address to that the
// client secret of r's app is due for rotation, linking to the developer
// account's page under baseURL. It returns an error only if a template
// fails to execute.
func RotationReminderMail(baseURL string, r *models.RotationReminder, to string) (Mail, error) {
	data := rotationMailData{
		App:      r.AppTitle,
		ClientID: r.ClientID,
		Link:     strings.TrimSuffix(baseURL, "/") + "/developer-accounts/" + r.DeveloperAccountID.String(),
	}
	return renderMail("secret_rotation_reminder", to, fmt.Sprintf("Time to rotate the client secret of %s", r.AppTitle), data)
}

type rotationMailData struct{ App, ClientID, Link string }
