package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"time"

	"github.com/shortlisthq/shortlist/model"
	sqlite "modernc.org/sqlite"
)

// SQLite primary result codes (see https://sqlite.org/rescode.html).
const (
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteReadOnly   = 8
	sqliteIOErr      = 10
	sqliteCorrupt    = 11
	sqliteFull       = 13
	sqliteCantOpen   = 14
	sqliteConstraint = 19
	sqliteNotADB     = 26

	sqliteReadOnlyDirectory = sqliteReadOnly | 6<<8
)

// mapErr turns a driver error into one a person can act on, wrapping the
// model sentinels so callers can test with errors.Is.
func (db *DB) mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, model.ErrNotFound)
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		if isDiskFull(err) {
			return fmt.Errorf("disk full writing %s: free space and retry; nothing was changed", db.path)
		}
		if errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrConflict) ||
			errors.Is(err, model.ErrSynced) || errors.Is(err, model.ErrBusy) {
			return err // already says what happened
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	switch se.Code() & 0xff {
	case sqliteBusy, sqliteLocked:
		return fmt.Errorf("%s: %w: another Shortlist held %s for more than %s; retry", op, model.ErrBusy, db.path, db.busyWait.Round(time.Second))
	case sqliteConstraint:
		return fmt.Errorf("%s: %w: %s", op, model.ErrConflict, firstLine(se.Error()))
	case sqliteFull:
		return fmt.Errorf("disk full writing %s: free space and retry; nothing was changed", db.path)
	case sqliteReadOnly:
		if db.readOnly != "" {
			return db.readOnlyErr(op)
		}
		if se.Code() == sqliteReadOnlyDirectory {
			return fmt.Errorf("%s: database directory %s is read-only: choose a writable --db path", op, filepath.Dir(db.path))
		}
		return fmt.Errorf("%s: %s is %w: nothing was changed; make it writable or choose another --db path", op, db.path, ErrReadOnly)
	case sqliteCantOpen:
		return fmt.Errorf("%s: database directory %s is read-only: choose a writable --db path", op, filepath.Dir(db.path))
	case sqliteCorrupt, sqliteNotADB:
		return fmt.Errorf("%s: database %s is damaged (%s): restore a backup (%s.bak-v*) or choose another --db path", op, db.path, firstLine(se.Error()), db.path)
	case sqliteIOErr:
		if isDiskFull(err) {
			return fmt.Errorf("disk full writing %s: free space and retry; nothing was changed", db.path)
		}
		return fmt.Errorf("%s: i/o error on %s: %s", op, db.path, firstLine(se.Error()))
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC)
}

func isReadOnlyFS(err error) bool {
	return errors.Is(err, syscall.EROFS)
}

// notFound is the wrapped ErrNotFound for an entity: "contact 42: not found".
func notFound(entity string, id int64) error {
	return fmt.Errorf("%s %d: %w", entity, id, model.ErrNotFound)
}
