package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/internal/filelock"
	"github.com/shortlisthq/shortlist/model"
)

// syncLongRun is how long a sync may hold the book before a second one's
// message says how to stop it, should it be stuck.
const syncLongRun = time.Hour

// SyncLockPath is the file beside the book that one sync at a time locks.
func (db *DB) SyncLockPath() string { return db.path + ".sync.lock" }

// LockSync takes the book's sync lock, so one sync at a time runs on it
// (the TUI's S and shortlist sync, or two terminals), and returns the
// function that releases it. Another sync holding it is a
// *model.SyncRunningError with that sync's pid and start time.
//
// The lock is an advisory lock on the file beside the book (flock, or
// LockFileEx on Windows), which the operating system releases when its
// holder exits however it exits: a sync killed with -9 leaves the file
// behind with its pid in it, and the next sync takes the lock over at once.
// The file holds the holder's pid and start time only for that message.
func (db *DB) LockSync(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := db.SyncLockPath()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the book for sync: %w", err)
	}
	if err := filelock.TryLock(f); err != nil {
		defer f.Close()
		if !errors.Is(err, filelock.ErrLocked) {
			return nil, fmt.Errorf("lock the book for sync: %w", err)
		}
		e := &model.SyncRunningError{}
		b := make([]byte, 64)
		n, _ := f.ReadAt(b, 0) // the holder's words; an empty or short file just says less
		pid, started, ok := strings.Cut(strings.TrimSpace(string(b[:n])), " ")
		if p, err := strconv.Atoi(pid); err == nil && p > 0 {
			e.PID = p
		}
		if ms, err := strconv.ParseInt(started, 10, 64); ok && err == nil && ms > 0 {
			e.Started = time.UnixMilli(ms).In(db.zone)
			if d := db.now().Sub(e.Started); d > syncLongRun {
				e.Stuck = d
			}
		}
		return nil, e
	}
	stamp := fmt.Sprintf("%d %d\n", os.Getpid(), db.now().UnixMilli())
	_ = f.Truncate(0) // what a killed holder wrote; WriteAt below reports a file that cannot be written
	if _, err := f.WriteAt([]byte(stamp), 0); err != nil {
		_ = filelock.Unlock(f)
		f.Close()
		return nil, fmt.Errorf("lock the book for sync: %w", err)
	}
	return func() {
		_ = f.Truncate(0) // a lock file left behind names no one
		_ = filelock.Unlock(f)
		f.Close()
	}, nil
}
