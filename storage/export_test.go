package storage

import (
	"context"

	"github.com/shortlisthq/shortlist/model"
)

// WorklistVisited is Worklist and the number of candidate rows it read.
func (db *DB) WorklistVisited(ctx context.Context, q model.WorklistQuery) (model.Worklist, int, error) {
	return db.worklist(ctx, q)
}

// OpenReadOnly opens a book as one this process may not write.
func OpenReadOnly(ctx context.Context, path string, opts Options) (*DB, error) {
	return open(ctx, path, opts, func(string) string { return "its file system is read-only" })
}
