package storage

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// TestMemoryBounded: what the book can hold in the process's memory is
// bounded whatever its size: no memory map on any pooled connection (one
// of 1 GiB each put the pages a search touched, 270 MB at 100k accounts,
// in the TUI's resident memory), a page cache of at most 8 MiB each and a
// pool of at most maxConns connections, even with many readers at once.
func TestMemoryBounded(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "mem.db"), Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.sql.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			var mmap, cache int64
			if err := conn.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&mmap); err != nil {
				errs <- err
				return
			}
			if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
				errs <- err
				return
			}
			if mmap != 0 {
				t.Errorf("a pooled connection maps %d bytes of the book, want 0", mmap)
			}
			// cache_size: negative is KiB, positive is pages.
			if kib := -cache; cache > 0 || kib > 8<<10 {
				t.Errorf("a pooled connection caches %d (cache_size), want at most 8 MiB", cache)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := db.sql.Stats().MaxOpenConnections; n == 0 || n > maxConns {
		t.Errorf("the pool allows %d connections (0: unbounded), want at most %d", n, maxConns)
	}
}
