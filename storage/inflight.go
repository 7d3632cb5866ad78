package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// In-flight marks: before the engine sends a create (a touch or a task) it
// records, in the book's meta table under "inflight.<op id>", when it sent
// it. A sync killed after HubSpot applied the create but before its result
// was recorded leaves the mark, and the next sync knows the record may exist
// and how recently: where HubSpot has no unique property to upsert on, its
// search (which lags new records by seconds) cannot yet be trusted to say
// it does not. The mark goes once the entry's outcome is recorded for good.

const inflightKey = "inflight."

// MarkInFlight records that the creates of the given outbox entries are
// being sent at at, in one transaction. Marks of entries that are no
// longer queued (undone, dropped) are cleared on the way.
func (db *DB) MarkInFlight(ctx context.Context, entryIDs []int64, at time.Time) error {
	if len(entryIDs) == 0 {
		return nil
	}
	return db.withTx(ctx, "mark changes in flight", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE key LIKE 'inflight.%'
			AND substr(key, 10) NOT IN (SELECT op_id FROM outbox WHERE pushed_at IS NULL)`); err != nil {
			return err
		}
		for _, id := range entryIDs {
			var op string
			if err := tx.QueryRowContext(ctx, "SELECT op_id FROM outbox WHERE id = ?", id).Scan(&op); err != nil {
				return fmt.Errorf("outbox entry %d: %w", id, err)
			}
			if err := setMeta(ctx, tx, inflightKey+op, strconv.FormatInt(ms(at), 10)); err != nil {
				return err
			}
		}
		return nil
	})
}

// sentAt reads an entry's in-flight mark (zero: never sent).
func sentAt(ctx context.Context, q queryer, opID string) (time.Time, error) {
	v, err := readMeta(ctx, q, inflightKey+opID)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, nil // a mark that does not read is no mark: the search decides
	}
	return fromMS(n), nil
}

// clearInFlight drops an entry's mark in tx.
func clearInFlight(ctx context.Context, tx *sql.Tx, entryID int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE key = (SELECT 'inflight.' || op_id FROM outbox WHERE id = ?)", entryID)
	return err
}
