package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	wfclient "appstore/workflows/client"
	"appstore/workflows/contract"
)

func TestAccountMailsSendsOnce(t *testing.T) {
	store, c, queue := newWorker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := store.SignUp(ctx, "nia@example.test", "Nia", "violet-otter-lamp")
	if err != nil {
		t.Fatal(err)
	}
	mails := &wfclient.AccountMails{Client: c, TaskQueue: queue}
	// A second Send of the same request (a retried handler) is harmless.
	for range 2 {
		if err := mails.Send(ctx, res.MailRequestID); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if err := c.GetWorkflow(ctx, contract.AccountMailWorkflowID(res.MailRequestID), "").Get(ctx, nil); err != nil {
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
