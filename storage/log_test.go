package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// snapshot reads every table's rows as text, so a test can check that undo
// put the book back exactly.
func snapshot(t *testing.T, r *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"accounts", "contacts", "touches", "tasks", "outbox"} {
		rows, err := r.Query("SELECT * FROM " + table + " ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
}

// workedTask finds an open call task on a contact who has a phone and no
// opt-outs.
func workedTask(t *testing.T, r *sql.DB, skip int) (taskID, contactID int64) {
	t.Helper()
	err := r.QueryRow(`SELECT k.id, k.contact_id FROM tasks k JOIN contacts c ON c.id = k.contact_id
		WHERE k.status = 'open' AND k.kind = 'call' AND c.phone <> '' AND c.consent_call = 'allowed'
		ORDER BY k.id LIMIT 1 OFFSET ?`, skip).Scan(&taskID, &contactID)
	if err != nil {
		t.Fatal(err)
	}
	return taskID, contactID
}

func TestLogTouchEveryOutcomeAndUndo(t *testing.T) {
	db := demoDB(t, 150)
	r := raw(t, db.Path())
	ctx := context.Background()
	for i, o := range model.Outcomes {
		t.Run(string(o), func(t *testing.T) {
			taskID, contactID := workedTask(t, r, i)
			// Another open call task on the same contact, to see opt-out skip it.
			extra, err := db.AddTask(ctx, model.Task{ContactID: contactID, Kind: model.TaskCall, Title: "Second call", Due: clock})
			if err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, r)
			res, err := db.LogTouch(ctx, model.LogRequest{ContactID: contactID, Channel: model.ChannelCall, Outcome: o,
				Note: "note " + string(o), At: clock, TaskID: taskID,
				Next: model.NextChoice{Mode: model.NextAt, Due: clock.Add(72 * time.Hour)}})
			if err != nil {
				t.Fatal(err)
			}
			tid := res.Touch.ID
			if tid == 0 || res.Touch.OpID == "" || res.Next == nil || res.Next.ID == 0 {
				t.Fatalf("result %+v", res)
			}
			if got := count(t, r, "SELECT count(*) FROM touches WHERE id = ? AND outcome = ? AND origin = 'local'", tid, string(o)); got != 1 {
				t.Fatal("touch not written")
			}
			if got := count(t, r, "SELECT count(*) FROM tasks WHERE id = ? AND status = 'done'", taskID); got != 1 {
				t.Error("worked task not closed as done")
			}
			if got := count(t, r, "SELECT count(*) FROM outbox WHERE op_id = ? AND kind = 'touch.create'", res.Touch.OpID); got != 1 {
				t.Error("touch has no outbox row under its op id")
			}
			if got := count(t, r, "SELECT count(*) FROM outbox WHERE kind = 'task.create' AND entity_id = ?", res.Next.ID); got != 1 {
				t.Error("next action has no outbox row")
			}
			if got := count(t, r, "SELECT count(*) FROM outbox WHERE kind = 'task.update' AND entity_id = ?", taskID); got != 1 {
				t.Error("closed task has no outbox row")
			}
			rule := testOptions().Settings.Rule(o)
			if rule.OptOut {
				if got := count(t, r, "SELECT count(*) FROM contacts WHERE id = ? AND consent_call = 'opted-out' AND consent_call_source = 'logged 2026-11-24'", contactID); got != 1 {
					t.Error("opt-out not recorded with its source")
				}
				if got := count(t, r, "SELECT count(*) FROM tasks WHERE id = ? AND status = 'skipped'", extra.ID); got != 1 {
					t.Error("open call task not skipped after opt-out")
				}
				if res.Plan.Consent == nil || res.Plan.Consent.Channel != model.ChannelCall {
					t.Errorf("plan %+v does not record the call opt-out", res.Plan)
				}
			}
			if rule.FlagPhone {
				if got := count(t, r, "SELECT count(*) FROM contacts WHERE id = ? AND phone_bad = 1", contactID); got != 1 {
					t.Error("phone not flagged")
				}
			}
			if rule.SetStatus != "" {
				var status string
				r.QueryRow("SELECT a.status FROM accounts a JOIN contacts c ON c.account_id = a.id WHERE c.id = ?", contactID).Scan(&status)
				if status == "target" {
					t.Errorf("account still target after %s (rule sets %s)", o, rule.SetStatus)
				}
			}
			if got := count(t, r, "SELECT count(*) FROM contacts WHERE id = ? AND last_touched >= ?", contactID, clock.UnixMilli()); got != 1 {
				t.Error("contact last_touched not updated")
			}
			if len(res.Plan.Close) == 0 || res.Plan.Close[0].Why != model.CloseWorked {
				t.Errorf("plan closes %+v, want the worked task first", res.Plan.Close)
			}

			if err := db.UndoLog(ctx, tid); err != nil {
				t.Fatal(err)
			}
			after := snapshot(t, r)
			if !reflect.DeepEqual(before, after) {
				for table := range before {
					if !reflect.DeepEqual(before[table], after[table]) {
						t.Errorf("undo left %s different:\nbefore %d rows\nafter  %d rows", table, len(before[table]), len(after[table]))
					}
				}
			}
			if err := db.SetTaskStatus(ctx, extra.ID, model.TaskSkipped, time.Time{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestUndoAfterPushIsRefused(t *testing.T) {
	db := demoDB(t, 30)
	r := raw(t, db.Path())
	ctx := context.Background()
	_, contactID := workedTask(t, r, 0)
	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: contactID, Channel: model.ChannelEmail, Outcome: model.OutcomeSent, At: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Exec("UPDATE outbox SET pushed_at = ? WHERE op_id = ?", clock.UnixMilli(), res.Touch.OpID); err != nil {
		t.Fatal(err)
	}
	if err := db.UndoLog(ctx, res.Touch.ID); !errors.Is(err, model.ErrSynced) {
		t.Fatalf("undo after push: %v, want ErrSynced", err)
	}
	if got := count(t, r, "SELECT count(*) FROM touches WHERE id = ?", res.Touch.ID); got != 1 {
		t.Fatal("refused undo still deleted the touch")
	}
}

func TestLogTouchRejects(t *testing.T) {
	db := demoDB(t, 10)
	ctx := context.Background()
	_, err := db.LogTouch(ctx, model.LogRequest{ContactID: 999999, Channel: model.ChannelCall, Outcome: model.OutcomeBusy})
	if !errors.Is(err, model.ErrNotFound) || !strings.Contains(err.Error(), "contact 999999: not found") {
		t.Errorf("unknown contact: %v", err)
	}
	_, err = db.LogTouch(ctx, model.LogRequest{ContactID: 1, Channel: "pigeon", Outcome: model.OutcomeBusy})
	if err == nil || !strings.Contains(err.Error(), `channel "pigeon" is unknown`) {
		t.Errorf("bad channel: %v", err)
	}
	_, err = db.LogTouch(ctx, model.LogRequest{ContactID: 1, Channel: model.ChannelCall, Outcome: "shrug"})
	if err == nil || !strings.Contains(err.Error(), `outcome "shrug" is unknown`) {
		t.Errorf("bad outcome: %v", err)
	}
	if _, _, err := db.Contact(ctx, 424242); !errors.Is(err, model.ErrNotFound) || err.Error() != "contact 424242: not found" {
		t.Errorf("Contact: %v", err)
	}
	if err := db.SetTaskStatus(ctx, 424242, model.TaskDone, time.Time{}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("SetTaskStatus: %v", err)
	}
	if err := db.UndoLog(ctx, 424242); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("UndoLog: %v", err)
	}
	r := raw(t, db.Path())
	if got := count(t, r, "SELECT count(*) FROM outbox"); got != 0 {
		t.Errorf("failed calls left %d outbox rows", got)
	}
}

func TestTaskAndNoteEditsQueueOutbox(t *testing.T) {
	db := demoDB(t, 20)
	r := raw(t, db.Path())
	ctx := context.Background()
	_, contactID := workedTask(t, r, 0)
	k, err := db.AddTask(ctx, model.Task{ContactID: contactID, Kind: model.TaskLinkedIn, Due: clock, Priority: model.PriorityHigh})
	if err != nil {
		t.Fatal(err)
	}
	if k.AccountID == 0 || k.Status != model.TaskOpen || k.Origin != model.OriginLocal {
		t.Fatalf("task %+v", k)
	}
	if err := db.SetTaskStatus(ctx, k.ID, model.TaskSnoozed, time.Time{}); err == nil {
		t.Error("snooze without a time succeeded")
	}
	if err := db.SetTaskStatus(ctx, k.ID, model.TaskSnoozed, clock.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := count(t, r, "SELECT count(*) FROM outbox WHERE entity_id = ? AND kind LIKE 'task.%'", k.ID); got != 2 {
		t.Errorf("task outbox rows %d, want 2", got)
	}
	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: contactID, Channel: model.ChannelNote, Outcome: model.OutcomeConnected, At: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EditTouchNote(ctx, res.Touch.ID, "Spoke at the conference"); err != nil {
		t.Fatal(err)
	}
	var payload string
	r.QueryRow("SELECT payload FROM outbox WHERE op_id = ?", res.Touch.OpID).Scan(&payload)
	if !strings.Contains(payload, "Spoke at the conference") {
		t.Errorf("pending create payload %s lacks the edited note", payload)
	}
	st, err := db.SyncState(ctx)
	if err != nil || st.Pending != count(t, r, "SELECT count(*) FROM outbox WHERE pushed_at IS NULL") || st.Pending == 0 {
		t.Errorf("sync state %+v, %v", st, err)
	}
}
