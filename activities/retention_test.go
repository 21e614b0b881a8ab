package activities_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows/temporaltest"
)

// a names activities by method, as workflows do; the environment runs the
// registered value's method of that name.
var a *activities.Activities

func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	return postgres.NewStore(pgtest.New(t))
}

func newActivityEnv(t *testing.T, store *postgres.Store) *testsuite.TestActivityEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.Activities{Store: store})
	return env
}

// recordEventsAt writes one event per time and returns their IDs.
func recordEventsAt(t *testing.T, store *postgres.Store, times ...time.Time) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	for _, at := range times {
		id := uuid.Must(uuid.NewV7())
		if err := store.RecordEvent(context.Background(), models.Event{ID: id, Type: models.EventLogin, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// remainingEvents returns the IDs of every event left, oldest first.
func remainingEvents(t *testing.T, store *postgres.Store) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	if err := store.Gorm().Raw(`SELECT id FROM event_logs ORDER BY created_at, id`).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestPurgeEvents(t *testing.T) {
	cutoff := time.Now().UTC().Add(-90 * 24 * time.Hour).Truncate(time.Microsecond)
	tests := []struct {
		name      string
		old, kept int
		batch     int
		resumed   int64 // heartbeat total of an earlier attempt
	}{
		{"several batches", 7, 3, 2, 0},
		{"exact multiple of the batch", 6, 2, 3, 0},
		{"nothing old", 0, 4, 5, 0},
		{"resumed attempt adds to its total", 5, 1, 2, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newStore(t)
			var old, kept []time.Time
			for i := range tt.old {
				// The oldest is far back; the newest is one microsecond before the cutoff.
				old = append(old, cutoff.Add(-time.Duration(tt.old-1-i)*time.Hour-time.Microsecond))
			}
			for i := range tt.kept {
				// The first kept event sits exactly at the cutoff: only older ones go.
				kept = append(kept, cutoff.Add(time.Duration(i)*time.Hour))
			}
			recordEventsAt(t, store, old...)
			keptIDs := recordEventsAt(t, store, kept...)

			env := newActivityEnv(t, store)
			if tt.resumed > 0 {
				env.SetHeartbeatDetails(tt.resumed)
			}
			var (
				mu         sync.Mutex
				heartbeats []int64
			)
			env.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
				var total int64
				if err := details.Get(&total); err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				heartbeats = append(heartbeats, total)
			})
			val, err := env.ExecuteActivity(a.PurgeEvents,
				activities.PurgeEventsInput{Cutoff: cutoff, BatchSize: tt.batch})
			if err != nil {
				t.Fatal(err)
			}
			var deleted int64
			if err := val.Get(&deleted); err != nil {
				t.Fatal(err)
			}
			if want := tt.resumed + int64(tt.old); deleted != want {
				t.Errorf("deleted = %d, want %d", deleted, want)
			}
			// The SDK throttles heartbeats, so only the first is sure to be
			// seen: it carries the total after the first full batch.
			mu.Lock()
			defer mu.Unlock()
			if tt.old >= tt.batch && (len(heartbeats) == 0 || heartbeats[0] != tt.resumed+int64(tt.batch)) {
				t.Errorf("heartbeats = %v, want the first to be %d", heartbeats, tt.resumed+int64(tt.batch))
			}
			if tt.old < tt.batch && len(heartbeats) != 0 {
				t.Errorf("heartbeats = %v, want none for a single short batch", heartbeats)
			}
			if got := remainingEvents(t, store); !slices.Equal(got, keptIDs) {
				t.Errorf("remaining events = %v, want exactly the new ones %v", got, keptIDs)
			}
		})
	}
}

func TestPurgeEventsRejectsBadBatchSize(t *testing.T) {
	env := newActivityEnv(t, newStore(t))
	_, err := env.ExecuteActivity(a.PurgeEvents,
		activities.PurgeEventsInput{Cutoff: time.Now(), BatchSize: 0})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeInvalidBatchSize || !appErr.NonRetryable() {
		t.Fatalf("error = %v, want a non-retryable %s", err, activities.ErrTypeInvalidBatchSize)
	}
}

func TestPurgeLoginTokens(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	u, err := store.CreateUser(ctx, models.NewUser{Email: "ada@example.com", Name: "Ada", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	// Rows are written directly: IssueLoginToken cannot backdate expiry.
	insert := func(token string, expiresIn time.Duration, used bool) {
		t.Helper()
		var usedAt *time.Time
		if used {
			now := time.Now()
			usedAt = &now
		}
		err := store.Gorm().Exec(`INSERT INTO login_tokens (token_hash, user_id, expires_at, used_at) VALUES (?, ?, ?, ?)`,
			models.HashToken(token), u.ID, time.Now().Add(expiresIn), usedAt).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	insert("fresh", models.LoginTokenTTL, false)
	insert("fresh-used", time.Minute, true)
	insert("expired", -time.Hour, false)
	insert("expired-used", -time.Second, true)

	env := newActivityEnv(t, store)
	for attempt, want := range []int64{2, 0} { // a second run finds nothing more
		val, err := env.ExecuteActivity(a.PurgeLoginTokens, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var deleted int64
		if err := val.Get(&deleted); err != nil {
			t.Fatal(err)
		}
		if deleted != want {
			t.Errorf("run %d: deleted = %d, want %d", attempt+1, deleted, want)
		}
	}
	var left [][]byte
	if err := store.Gorm().Raw(`SELECT token_hash FROM login_tokens ORDER BY expires_at DESC`).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	want := [][]byte{models.HashToken("fresh"), models.HashToken("fresh-used")}
	if !slices.EqualFunc(left, want, bytes.Equal) {
		t.Errorf("%d tokens left, want only the two unexpired ones", len(left))
	}
}

func TestRecordRetentionRun(t *testing.T) {
	store := newStore(t)
	env := newActivityEnv(t, store)
	cutoff := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	res := activities.RetentionResult{LoginTokensDeleted: 4, EventsDeleted: 12001, Cutoff: cutoff}
	// A retried attempt of the same run must not write a second event.
	for range 2 {
		if _, err := env.ExecuteActivity(a.RecordRetentionRun, res); err != nil {
			t.Fatal(err)
		}
	}
	page, err := store.ListEvents(context.Background(),
		models.EventViewer{Role: models.PlatformRoleStaffAdmin},
		models.EventFilter{Types: []models.EventType{models.EventRetentionPurged}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 {
		t.Fatalf("%d retention.purged events, want 1", len(page.Events))
	}
	data := page.Events[0].Data
	// jsonb numbers come back as float64.
	if data["login_tokens_deleted"] != float64(4) || data["events_deleted"] != float64(12001) ||
		data["cutoff"] != "2030-01-02T03:04:05Z" {
		t.Errorf("data = %v", data)
	}
}
