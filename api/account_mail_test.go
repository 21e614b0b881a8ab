package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/api"
	"appstore/models"
	"appstore/models/dbtest"
	"appstore/workflows"
	"appstore/workflows/temporaltest"
)

func TestTemporalAccountMailsSendsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the Temporal dev server: skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store := models.NewStore(dbtest.New(t))
	c := temporaltest.DevServer(t).Client()
	queue := "account-mail-test-" + uuid.NewString()
	w := worker.New(c, queue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: store, Mailer: activities.OutboxMailer{Store: store},
		BaseURL: "https://appstore.test"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	res, err := store.SignUp(ctx, "nia@example.test", "Nia", "violet-otter-lamp")
	if err != nil {
		t.Fatal(err)
	}
	mails := &api.TemporalAccountMails{Client: c, TaskQueue: queue}
	// A second Send of the same request (a retried handler) is harmless.
	for range 2 {
		if err := mails.Send(ctx, res.MailRequestID); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if err := c.GetWorkflow(ctx, workflows.AccountMailWorkflowID(res.MailRequestID), "").Get(ctx, nil); err != nil {
		t.Fatalf("AccountMail workflow: %v", err)
	}
	if err := mails.Send(ctx, res.MailRequestID); err != nil {
		t.Fatalf("Send after the run finished: %v", err)
	}
	list, err := store.ListDevMails(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].To != "nia@example.test" || !strings.Contains(list[0].Text, "https://appstore.test/verify-email?token=asv_") {
		t.Fatalf("outbox = %+v, want one verification mail", list)
	}
}
