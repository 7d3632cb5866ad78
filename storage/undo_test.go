package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// Each change the TUI's undo stack takes back is one transaction that puts
// the book and the outbox back as they were, and refuses once pushed.
func TestUndoTaskStatusAddAndNote(t *testing.T) {
	db := demoDB(t, 30)
	r := raw(t, db.Path())
	ctx := context.Background()
	taskID, contactID := workedTask(t, r, 0)
	outbox := func() int { return count(t, r, "SELECT count(*) FROM outbox") }

	// Snooze, then undo: open again, no outbox row left.
	n := outbox()
	if err := db.SetTaskStatus(ctx, taskID, model.TaskSnoozed, clock.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.UndoTaskStatus(ctx, taskID, model.TaskState{Status: model.TaskOpen}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, r, "SELECT count(*) FROM tasks WHERE id = ? AND status = 'open' AND snoozed_until = 0", taskID); got != 1 || outbox() != n {
		t.Fatalf("after undo: open %d, outbox %d (was %d)", got, outbox(), n)
	}
	// Done, pushed, then undo: refused, the task stays done.
	if err := db.SetTaskStatus(ctx, taskID, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Exec("UPDATE outbox SET pushed_at = 1 WHERE kind = 'task.update' AND entity_id = ?", taskID); err != nil {
		t.Fatal(err)
	}
	if err := db.UndoTaskStatus(ctx, taskID, model.TaskState{Status: model.TaskOpen}); !errors.Is(err, model.ErrSynced) {
		t.Fatalf("undo after push: %v, want ErrSynced", err)
	}
	if got := count(t, r, "SELECT count(*) FROM tasks WHERE id = ? AND status = 'done'", taskID); got != 1 {
		t.Fatal("a refused undo changed the task")
	}

	// An added task, undone: gone with its outbox row.
	n = outbox()
	k, err := db.AddTask(ctx, model.Task{ContactID: contactID, Kind: model.TaskEmail, Title: "Send the deck", Due: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UndoAddTask(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if got := count(t, r, "SELECT count(*) FROM tasks WHERE id = ?", k.ID); got != 0 || outbox() != n {
		t.Fatalf("after undo: task rows %d, outbox %d (was %d)", got, outbox(), n)
	}
	k, _ = db.AddTask(ctx, model.Task{ContactID: contactID, Kind: model.TaskEmail, Title: "Send the deck", Due: clock})
	if _, err := r.Exec("UPDATE outbox SET pushed_at = 1 WHERE kind = 'task.create' AND entity_id = ?", k.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.UndoAddTask(ctx, k.ID); !errors.Is(err, model.ErrSynced) {
		t.Fatalf("undo of a pushed task: %v, want ErrSynced", err)
	}

	// A note edit on a touch not yet pushed rides on its create: undo
	// puts the old note back there too; once pushed, an edit is its own
	// update, which undo drops.
	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: contactID, Channel: model.ChannelEmail, Outcome: model.OutcomeSent, Note: "first", At: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EditTouchNote(ctx, res.Touch.ID, "second"); err != nil {
		t.Fatal(err)
	}
	if err := db.UndoNoteEdit(ctx, res.Touch.ID, "first"); err != nil {
		t.Fatal(err)
	}
	if got := count(t, r, `SELECT count(*) FROM outbox WHERE kind = 'touch.create' AND entity_id = ?
		AND json_extract(payload, '$.note') = 'first'`, res.Touch.ID); got != 1 {
		t.Fatal("the pending create should carry the old note again")
	}
	if _, err := r.Exec("UPDATE outbox SET pushed_at = 1 WHERE entity_id = ? AND kind = 'touch.create'", res.Touch.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.EditTouchNote(ctx, res.Touch.ID, "third"); err != nil {
		t.Fatal(err)
	}
	if err := db.UndoNoteEdit(ctx, res.Touch.ID, "first"); err != nil {
		t.Fatal(err)
	}
	if got := count(t, r, "SELECT count(*) FROM touches WHERE id = ? AND note = 'first'", res.Touch.ID) +
		count(t, r, "SELECT count(*) FROM outbox WHERE kind = 'touch.update' AND entity_id = ?", res.Touch.ID); got != 1 {
		t.Fatal("undo should restore the note and drop its update")
	}
	if err := db.UndoNoteEdit(ctx, res.Touch.ID, ""); !errors.Is(err, model.ErrSynced) {
		t.Fatalf("undo of a pushed note: %v, want ErrSynced", err)
	}
}

// A task marked done by hand counts as done today; a log's closed task is
// counted once, as its touch.
func TestStatsCountsTasksDoneByHand(t *testing.T) {
	db := demoDB(t, 30)
	r := raw(t, db.Path())
	ctx := context.Background()
	now := time.Now()
	before, err := db.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	taskID, _ := workedTask(t, r, 0)
	other, contactID := workedTask(t, r, 1)
	if err := db.SetTaskStatus(ctx, taskID, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: contactID, Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer, At: now, TaskID: other}); err != nil {
		t.Fatal(err)
	}
	after, err := db.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if after.TasksDoneToday != before.TasksDoneToday+1 {
		t.Fatalf("tasks done today %d, want %d", after.TasksDoneToday, before.TasksDoneToday+1)
	}
}

// TestDoneTodayIsAnIndexedCount: the header's "done today" counts today's
// touches and the tasks marked done by hand, and its queries read indexes
// (touches_at, tasks_closed, outbox_entity), never a whole table: it was
// the whole 14-day stats query (1.8 s CPU on the 100k book).
func TestDoneTodayIsAnIndexedCount(t *testing.T) {
	db := demoDB(t, 30)
	r := raw(t, db.Path())
	ctx := context.Background()
	now := time.Now()
	before, err := db.DoneToday(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	taskID, _ := workedTask(t, r, 0)
	other, contactID := workedTask(t, r, 1)
	if err := db.SetTaskStatus(ctx, taskID, model.TaskDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: contactID, Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer, At: now, TaskID: other}); err != nil {
		t.Fatal(err)
	}
	after, err := db.DoneToday(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if after != before+2 {
		t.Fatalf("done today %d → %d, want one touch and one task more", before, after)
	}
	for _, q := range []string{
		"SELECT count(*) FROM touches INDEXED BY touches_at WHERE at >= 0 AND at < 1",
		`SELECT count(*) FROM tasks k INDEXED BY tasks_closed WHERE k.status = 'done' AND k.closed_at >= 0 AND EXISTS
		(SELECT 1 FROM outbox o INDEXED BY outbox_entity WHERE o.kind = 'task.update' AND o.entity_id = k.id AND o.log_touch IS NULL AND o.created_at >= 0)`,
	} {
		rows, err := r.Query("EXPLAIN QUERY PLAN " + q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			if strings.HasPrefix(detail, "SCAN ") && !strings.Contains(detail, "USING") {
				t.Errorf("done today scans a table: %s", detail)
			}
		}
		rows.Close()
	}
}
