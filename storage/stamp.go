package storage

import (
	"context"
	"fmt"
)

// ChangeStamp is a short string that changes whenever any process commits a
// change the screens show: every local change writes an outbox row (its id
// only grows), a push marks rows pushed, and a sync's pulls move its
// cursors and state in meta. The TUI compares it after a key to pick up
// another terminal's work; file sizes and times alone miss a commit that
// reuses the WAL within the file system's clock tick. It reads two index
// ends and the small meta table: microseconds.
func (db *DB) ChangeStamp(ctx context.Context) (string, error) {
	var outbox, pending, touches int64
	var meta string
	err := db.sql.QueryRowContext(ctx, `SELECT
		coalesce((SELECT max(id) FROM outbox), 0),
		(SELECT count(*) FROM outbox WHERE pushed_at IS NULL),
		coalesce((SELECT max(id) FROM touches), 0),
		coalesce((SELECT group_concat(key || '=' || value, ';') FROM (SELECT key, value FROM meta ORDER BY key)), '')`).
		Scan(&outbox, &pending, &touches, &meta)
	if err != nil {
		return "", db.mapErr("read the change stamp", err)
	}
	return fmt.Sprintf("%d/%d/%d/%s", outbox, pending, touches, meta), nil
}
