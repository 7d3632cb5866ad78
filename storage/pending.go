package storage

import (
	"context"
	"errors"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// errPending marks a method whose implementation lands in the next commits.
var errPending = errors.New("not implemented yet")

// Worklist returns the ranked worklist page.
func (db *DB) Worklist(ctx context.Context, q model.WorklistQuery) (model.Worklist, error) {
	return model.Worklist{}, errPending
}

// AccountDetail returns everything the account screen shows.
func (db *DB) AccountDetail(ctx context.Context, id int64) (model.AccountDetail, error) {
	return model.AccountDetail{}, errPending
}

// Search finds accounts and contacts by substring.
func (db *DB) Search(ctx context.Context, query string, limit int) ([]model.SearchHit, error) {
	return nil, errPending
}

// Stats summarises the rep's activity.
func (db *DB) Stats(ctx context.Context, now time.Time) (model.Stats, error) {
	return model.Stats{}, errPending
}

// SyncState reports the outbox backlog and the last sync.
func (db *DB) SyncState(ctx context.Context) (model.SyncState, error) {
	return model.SyncState{}, errPending
}

// LogTouch logs a touch and its effects in one transaction.
func (db *DB) LogTouch(ctx context.Context, req model.LogRequest) (model.LogResult, error) {
	return model.LogResult{}, errPending
}

// UndoLog reverses a logged touch.
func (db *DB) UndoLog(ctx context.Context, touchID int64) error { return errPending }

// AddTask adds a task.
func (db *DB) AddTask(ctx context.Context, t model.Task) (model.Task, error) {
	return model.Task{}, errPending
}

// SetTaskStatus closes, snoozes or reopens a task.
func (db *DB) SetTaskStatus(ctx context.Context, taskID int64, status model.TaskStatus, snoozeUntil time.Time) error {
	return errPending
}

// EditTouchNote changes a touch's note.
func (db *DB) EditTouchNote(ctx context.Context, touchID int64, note string) error {
	return errPending
}

// Rescore re-scores every account with the store's profile.
func (db *DB) Rescore(ctx context.Context) (int, error) { return 0, errPending }
