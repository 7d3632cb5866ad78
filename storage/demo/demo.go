// Package demo writes a deterministic, realistic demo book into a store.
package demo

import (
	"context"
	"errors"
	"time"

	"github.com/shortlisthq/shortlist/storage"
)

// Options say how big a book to write and from which seed and clock.
type Options struct {
	Accounts int // 0: 300
	Seed     uint64
	Now      time.Time
}

// Generate writes a demo book into an empty store.
func Generate(ctx context.Context, db *storage.DB, opts Options) error {
	return errors.New("demo: not implemented yet")
}
