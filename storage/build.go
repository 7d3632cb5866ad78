package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Build writes a new book at path: fill runs on a book under a temporary
// name beside it (0600 from its first byte), and only once fill returned
// nil and the book is closed, folded out of its WAL and synced is it given
// its name, with the directory synced after. So path is either absent or
// a whole book: a build that fails, is cancelled or is killed leaves no
// book at path (a killed one leaves only a hidden .NAME.tmp-* file), and a
// rerun starts afresh. A book already at path is refused, never replaced.
func Build(ctx context.Context, path string, opts Options, fill func(ctx context.Context, db *DB) error) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("write book %s: %w", path, err)
	}
	path = abs
	if err := checkFree(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return dirError(dir, err)
	}
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return fmt.Errorf("write book %s: %w", path, err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".tmp-"+hex.EncodeToString(suffix[:]))
	done := false
	defer func() {
		if !done {
			for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
				os.Remove(p)
			}
		}
	}()
	opts.MustExist = false
	db, err := Open(ctx, tmp, opts)
	if err != nil {
		return err
	}
	if err := fill(ctx, db); err != nil {
		db.Close()
		return err
	}
	// Fold the WAL into the file: only the file is moved into place.
	if _, err := db.sql.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		db.Close()
		return db.mapErr("write book", err)
	}
	if err := db.Close(); err != nil {
		return err
	}
	if walSize(tmp) > 0 {
		return fmt.Errorf("write book %s: its -wal file was not folded in; nothing was written at %s", path, path)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("write book %s: %w", path, err)
	}
	if err := placeFile(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already holds a book: choose a new --db path", path)
		}
		return fmt.Errorf("write book %s: %w", path, err)
	}
	done = true
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	syncDir(dir)
	return nil
}

// checkFree refuses a path that holds anything but nothing or an empty
// regular file, or that has a leftover -wal file beside it (SQLite would
// replay it into the new book).
func checkFree(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("write book %s: %w", path, err)
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is %s, not a file: choose a new --db path", path, fileKind(st.Mode()))
	case st.Size() > 0:
		return fmt.Errorf("%s already holds a book: choose a new --db path", path)
	}
	if walSize(path) > 0 {
		return fmt.Errorf("%s has a leftover %s-wal file: remove it or choose a new --db path", path, filepath.Base(path))
	}
	return nil
}

// placeFile gives the finished file tmp the name dest without replacing a
// file that holds data: a hard link fails if dest appeared meanwhile
// (fs.ErrExist); where there are no hard links, or dest is an empty file
// (a book that was never written), it is renamed over.
func placeFile(tmp, dest string) error {
	err := os.Link(tmp, dest)
	if err == nil {
		return os.Remove(tmp)
	}
	st, serr := os.Lstat(dest)
	switch {
	case serr == nil && (!st.Mode().IsRegular() || st.Size() > 0):
		return fs.ErrExist
	case serr != nil && !errors.Is(serr, fs.ErrNotExist):
		return serr
	}
	return os.Rename(tmp, dest)
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
