package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// ApplyTasks writes a page of tasks the CRM found by their own change (a
// task a manager completed or rescheduled, which does not change its
// company) and sets the cursor key to cursor, in one transaction, the way
// ApplyContactsTasks writes tasks: the CRM's change wins, a status changed
// on both sides is reported, and a task on neither a company nor a contact
// of the book is left out. An empty page just moves the cursor.
func (db *DB) ApplyTasks(ctx context.Context, tasks []model.PulledTask, cursorKey string, cursor time.Time) (model.SyncApplied, error) {
	var out model.SyncApplied
	err := db.withTx(ctx, "apply changed tasks", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		now := db.now()
		accountOf := bookAccounts(ctx, tx)
		for _, pt := range tasks {
			changed, err := db.applyTask(ctx, tx, pt, accountOf, now, &out)
			if err != nil {
				return err
			}
			if changed {
				out.Changed++
			}
		}
		return setMeta(ctx, tx, "sync."+cursorKey, strconv.FormatInt(ms(cursor), 10))
	})
	return out, err
}

// OpenTaskCRMIDs lists the CRM ids of the open and snoozed tasks of the
// accounts in the book, oldest first.
func (db *DB) OpenTaskCRMIDs(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT k.crm_id FROM tasks k JOIN accounts a ON a.id = k.account_id
		WHERE k.crm_id IS NOT NULL AND k.crm_id <> '' AND k.status IN (?, ?) AND a.departed = 0 ORDER BY k.id`,
		string(model.TaskOpen), string(model.TaskSnoozed))
	if err != nil {
		return nil, db.mapErr("list open CRM tasks", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, db.mapErr("list open CRM tasks", err)
		}
		out = append(out, id)
	}
	return out, db.mapErr("list open CRM tasks", rows.Err())
}

// ApplyDeletedTasks takes tasks deleted in the CRM off the list in one
// transaction: each is kept, closed as skipped (its history and touches
// stay), its CRM state recorded as deleted so nothing pushes to it again,
// and named in the changes. A change the rep made to it that had not
// reached the CRM (done, snoozed) is kept on the task, its queued push is
// closed with the reason, and a note says so.
func (db *DB) ApplyDeletedTasks(ctx context.Context, crmIDs []string) (model.SyncApplied, error) {
	var out model.SyncApplied
	err := db.withTx(ctx, "apply tasks deleted in the CRM", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		now := db.now()
		for _, crmID := range crmIDs {
			var id int64
			var title, status, account string
			err := tx.QueryRowContext(ctx, `SELECT k.id, k.title, k.status, a.name FROM tasks k JOIN accounts a ON a.id = k.account_id
				WHERE k.crm_id = ?`, model.Sanitize(crmID)).Scan(&id, &title, &status, &account)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if status != string(model.TaskOpen) && status != string(model.TaskSnoozed) {
				continue // closed meanwhile: nothing on the list to take off
			}
			res, err := tx.ExecContext(ctx, "UPDATE outbox SET pushed_at = ?, last_error = ? WHERE kind = ? AND entity_id = ? AND pushed_at IS NULL",
				ms(now), "the task was deleted in the CRM; the change is kept here", opTaskUpdate, id)
			if err != nil {
				return err
			}
			pending, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE tasks SET status = ?, closed_at = ?, snoozed_until = 0, crm_status = 'deleted' WHERE id = ?",
				string(model.TaskSkipped), ms(now), id); err != nil {
				return err
			}
			out.Changed++
			out.Changes = append(out.Changes, model.SyncChange{Kind: model.ChangeTaskDeleted, Account: account, Task: title,
				CRMID: model.Sanitize(crmID)})
			if pending > 0 {
				out.Notes = append(out.Notes, fmt.Sprintf("task %q was deleted in the CRM: taken off the list; your change to it (%s) is kept here and was not sent", title, status))
			}
		}
		return nil
	})
	return out, err
}
