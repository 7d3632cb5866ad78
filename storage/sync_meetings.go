package storage

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// ApplyMeetings writes a page of meetings changed in the CRM onto the
// meeting-booked touches they came from, and sets the cursor key to cursor,
// in one transaction. A meeting is the touch's when its CRM id is the
// touch's, or its operation id is (a push whose reply was lost). One moved
// takes its new start; one deleted is marked cancelled (the touch and its
// time are kept); one restored from the CRM's recycle bin is no longer
// cancelled. Each move and cancellation is named in the changes. Meetings
// that are not a booked meeting of the book are left out.
func (db *DB) ApplyMeetings(ctx context.Context, meetings []model.PulledMeeting, cursorKey string, cursor time.Time) (model.SyncApplied, error) {
	var out model.SyncApplied
	err := db.withTx(ctx, "apply changed meetings", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		for _, m := range meetings {
			changed, err := db.applyMeeting(ctx, tx, m, &out)
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

func (db *DB) applyMeeting(ctx context.Context, tx *sql.Tx, m model.PulledMeeting, out *model.SyncApplied) (bool, error) {
	crmID, opID := model.Sanitize(m.CRMID), model.Sanitize(m.OpID)
	if crmID == "" {
		return false, nil
	}
	var id, meetingAt int64
	var cancelled bool
	var account, first, last string
	find := func(col, v string) error {
		return tx.QueryRowContext(ctx, `SELECT t.id, t.meeting_at, t.meeting_cancelled, a.name, c.first_name, c.last_name
			FROM touches t JOIN accounts a ON a.id = t.account_id JOIN contacts c ON c.id = t.contact_id
			WHERE t.`+col+` = ? AND t.origin = ? AND t.outcome = ? AND t.meeting_at <> 0`,
			v, string(model.OriginLocal), string(model.OutcomeMeetingBooked)).
			Scan(&id, &meetingAt, &cancelled, &account, &first, &last)
	}
	err := find("crm_id", crmID)
	if errors.Is(err, sql.ErrNoRows) && opID != "" {
		err = find("op_id", opID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	change := model.SyncChange{Account: account, Task: "meeting with " + fullName(first, last), CRMID: crmID}
	start := ms(m.Start)
	switch {
	case m.Deleted && !cancelled:
		change.Kind = model.ChangeMeetingCancelled
		_, err = tx.ExecContext(ctx, `UPDATE touches SET meeting_cancelled = 1 WHERE id = ?`, id)
	case m.Deleted:
		return false, nil
	case cancelled:
		// Restored from the recycle bin: on again, at the time it holds.
		if start == 0 {
			start = meetingAt
		}
		_, err = tx.ExecContext(ctx, `UPDATE touches SET meeting_cancelled = 0, meeting_at = ? WHERE id = ?`, start, id)
	case start != 0 && start != meetingAt:
		change.Kind = model.ChangeMeetingMoved
		change.From, change.To = db.dueText(fromMS(meetingAt), true), db.dueText(m.Start, true)
		_, err = tx.ExecContext(ctx, `UPDATE touches SET meeting_at = ? WHERE id = ?`, start, id)
	default:
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if change.Kind != "" {
		out.Changes = append(out.Changes, change)
	}
	return true, nil
}
