package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// CRMTasks lists the tasks of an account that have a CRM id, whatever their
// status, as the CRM held them after the last sync, oldest first. A stand-in
// CRM seeded from the book (the demo sandbox) needs them: it must know a task
// closed, skipped or snoozed here, or the push of that change finds no task.
//
// The CRM knows two states, so Status is model.TaskOpen or model.TaskDone and
// SnoozedUntil is zero (a snooze moves nothing in the CRM). A task whose local
// change has not reached the CRM yet (a task.update still in the outbox,
// queued or held back) comes in the state the CRM held at the last pull or
// push. One no sync has seen (written by the Loader, as the demo book is)
// comes as it is now: for such a task a sync cannot tell a change here from
// one made in the CRM, and would take any other CRM state for the CRM's
// change and drop the rep's. ClosedAt is the local one, kept only when the
// state is done (zero when the task was opened again here).
func (db *DB) CRMTasks(ctx context.Context, accountID int64) ([]model.Task, error) {
	op := fmt.Sprintf("read the CRM tasks of account %d", accountID)
	rows, err := db.sql.QueryContext(ctx, `SELECT `+taskCols+`, k.crm_status,
		EXISTS(SELECT 1 FROM outbox o WHERE o.kind = ? AND o.entity_id = k.id AND o.pushed_at IS NULL)
		FROM tasks k WHERE k.account_id = ? AND coalesce(k.crm_id, '') <> '' ORDER BY k.id`, opTaskUpdate, accountID)
	if err != nil {
		return nil, db.mapErr(op, err)
	}
	defer rows.Close()
	var out []model.Task
	for rows.Next() {
		var r taskRow
		var base string
		var unpushed bool
		if err := rows.Scan(append(r.dest(), &base, &unpushed)...); err != nil {
			return nil, db.mapErr(op, err)
		}
		k := r.finish()
		state := taskState(k.Status)
		if unpushed && base != "" {
			state = base
		}
		k.SnoozedUntil = time.Time{}
		if state == "closed" {
			k.Status = model.TaskDone
		} else {
			k.Status, k.ClosedAt = model.TaskOpen, time.Time{}
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(op, err)
	}
	return out, nil
}
