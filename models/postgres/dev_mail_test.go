package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestDevMailOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		err := s.SaveDevMail(ctx, models.DevMail{To: fmt.Sprintf("to%d@example.test", i), Subject: fmt.Sprintf("Subject %d", i),
			Text: "text body", HTML: "<p>html body</p>", CreatedAt: base.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveDevMail(ctx, models.DevMail{To: "now@example.test", Subject: "Now"}); err != nil {
		t.Fatal(err)
	}

	all, err := s.ListDevMails(ctx, 0)
	if err != nil || len(all) != 6 {
		t.Fatalf("ListDevMails = %d mails, %v", len(all), err)
	}
	if all[0].To != "now@example.test" || all[1].Subject != "Subject 4" || all[5].Subject != "Subject 0" {
		t.Fatalf("not newest first: %+v", all)
	}
	if two, err := s.ListDevMails(ctx, 2); err != nil || len(two) != 2 || two[1].Subject != "Subject 4" {
		t.Fatalf("ListDevMails(2) = %+v, %v", two, err)
	}

	got, err := s.GetDevMail(ctx, all[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.To != "to4@example.test" || got.Text != "text body" || got.HTML != "<p>html body</p>" || !got.CreatedAt.Equal(base.Add(4*time.Minute)) {
		t.Fatalf("GetDevMail = %+v", got)
	}
	_, err = s.GetDevMail(ctx, uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "mail_not_found")
}
