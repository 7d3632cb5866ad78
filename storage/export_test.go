package storage

import (
	"context"

	"github.com/shortlisthq/shortlist/model"
)

// WorklistVisited is Worklist and the number of candidate rows it read.
func (db *DB) WorklistVisited(ctx context.Context, q model.WorklistQuery) (model.Worklist, int, error) {
	return db.worklist(ctx, q)
}
