package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func TestCRMTasksAsTheCRMLastSawThem(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t, 40)

	// Four open tasks that have CRM ids, and the accounts they are on.
	var tasks []model.Task
	accounts := map[int64]bool{}
	accts, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range d.Tasks {
			if k.CRMID != "" && k.Status == model.TaskOpen && len(tasks) < 4 {
				tasks = append(tasks, k)
				accounts[a.ID] = true
			}
		}
	}
	if len(tasks) < 4 {
		t.Fatalf("the demo book has %d open tasks with CRM ids, want 4", len(tasks))
	}
	doneNow, snoozed, pushedThenReopened, neverSynced := tasks[0], tasks[1], tasks[2], tasks[3]
	local, err := db.AddTask(ctx, model.Task{AccountID: tasks[0].AccountID, Kind: model.TaskTodo, Title: "local only", Due: clock.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	// Done and pushed (the CRM now holds it done), then opened again here.
	if err := db.SetTaskStatus(ctx, pushedThenReopened.ID, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// Snoozed and pushed (the CRM has seen it open), then done here.
	if err := db.SetTaskStatus(ctx, doneNow.ID, model.TaskSnoozed, clock.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	pushAll(ctx, t, db)
	if err := db.SetTaskStatus(ctx, pushedThenReopened.ID, model.TaskOpen, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetTaskStatus(ctx, doneNow.ID, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// Snoozed here, not pushed: the CRM has it open.
	if err := db.SetTaskStatus(ctx, snoozed.ID, model.TaskSnoozed, clock.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Done here, never seen by a sync: the CRM is taken to agree, or the
	// first sync would take its open state for a change made there.
	if err := db.SetTaskStatus(ctx, neverSynced.ID, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, want map[int64]model.TaskStatus) {
		t.Helper()
		var got []model.Task
		n := 0
		for id := range accounts {
			ks, err := db.CRMTasks(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range ks {
				if k.AccountID != id {
					t.Errorf("%s: task %d of account %d listed for account %d", when, k.ID, k.AccountID, id)
				}
			}
			got = append(got, ks...)
			n += count(t, raw(t, db.Path()), "SELECT count(*) FROM tasks WHERE account_id = ? AND crm_id <> ''", id)
		}
		seen := map[int64]bool{}
		for _, k := range got {
			seen[k.ID] = true
			if k.CRMID == "" {
				t.Errorf("%s: task %d without a CRM id listed", when, k.ID)
			}
			if !k.SnoozedUntil.IsZero() {
				t.Errorf("%s: task %d snoozed until %v; the CRM has no snooze", when, k.ID, k.SnoozedUntil)
			}
			if k.Status == model.TaskOpen && !k.ClosedAt.IsZero() {
				t.Errorf("%s: open task %d closed at %v", when, k.ID, k.ClosedAt)
			}
			if k.ID == doneNow.ID && k.Status == model.TaskDone && k.ClosedAt.IsZero() {
				t.Errorf("%s: done task %d has no closed time", when, k.ID)
			}
			if w, ok := want[k.ID]; ok && k.Status != w {
				t.Errorf("%s: task %d is %s as the CRM saw it, want %s", when, k.ID, k.Status, w)
			}
		}
		for id := range want {
			if !seen[id] {
				t.Errorf("%s: task %d not listed", when, id)
			}
		}
		if seen[local.ID] {
			t.Errorf("%s: the local-only task is listed", when)
		}
		if len(got) != n {
			t.Errorf("%s: %d tasks listed, the account has %d with CRM ids", when, len(got), n)
		}
	}
	check("before the push", map[int64]model.TaskStatus{
		doneNow.ID:            model.TaskOpen, // the CRM has not heard yet
		snoozed.ID:            model.TaskOpen,
		pushedThenReopened.ID: model.TaskDone, // the reopening is not pushed
		neverSynced.ID:        model.TaskDone,
	})
	pushAll(ctx, t, db)
	check("after the push", map[int64]model.TaskStatus{
		doneNow.ID:            model.TaskDone,
		snoozed.ID:            model.TaskOpen,
		pushedThenReopened.ID: model.TaskOpen,
		neverSynced.ID:        model.TaskDone,
	})

	if got, err := db.CRMTasks(ctx, 1_000_000); err != nil || len(got) != 0 {
		t.Errorf("an unknown account: %v, %v", got, err)
	}
}

// pushAll records every queued task update as pushed, with the status it
// wrote, as the sync engine does.
func pushAll(ctx context.Context, t *testing.T, db interface {
	PendingOutbox(context.Context, model.OutboxKind, int64, int) ([]model.OutboxEntry, error)
	RecordPush(context.Context, []model.PushOutcome) error
}) {
	t.Helper()
	es, err := db.PendingOutbox(ctx, model.OutboxTaskUpdate, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var res []model.PushOutcome
	for _, e := range es {
		res = append(res, model.PushOutcome{EntryID: e.ID, Pushed: string(e.Task.Status)})
	}
	if err := db.RecordPush(ctx, res); err != nil {
		t.Fatal(err)
	}
}
