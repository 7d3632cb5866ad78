package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// noBookHelp is what to do when there is no book yet.
const noBookHelp = "make one with shortlist demo, shortlist import FILE or shortlist sync"

// locate finds the file a book path names, before anything is written:
// a symbolic link is followed to the file it names (which is then the
// book: its -wal and -shm live beside it), and the file must be a regular
// file. Nothing else is ever opened for writing or chmod-ed: not a device,
// a fifo, a directory or a dangling link. A missing book is created (the
// directory 0700, the file 0600) unless mustExist; then it, or an empty
// file, is ErrNoBook.
func locate(abs string, mustExist bool) (string, error) {
	st, err := os.Lstat(abs)
	if err == nil && st.Mode()&fs.ModeSymlink != 0 {
		real, rerr := filepath.EvalSymlinks(abs)
		if rerr != nil {
			return "", fmt.Errorf("database %s is %w (a symbolic link to nothing): choose another --db path", abs, ErrNotShortlist)
		}
		abs = real
		st, err = os.Lstat(abs)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if walSize(abs) > 0 {
			// The book was deleted while its journal stayed: a new book
			// here would take the old one's changes for its own.
			return "", fmt.Errorf("database %s is missing but a leftover -wal file is beside it (deleted while in use?): restore the book, or move %s-wal away to start afresh",
				abs, filepath.Base(abs))
		}
		if mustExist {
			return "", fmt.Errorf("%w at %s: %s", ErrNoBook, abs, noBookHelp)
		}
		return abs, createFile(abs)
	case err != nil:
		return "", fmt.Errorf("open %s: %w", abs, err)
	case !st.Mode().IsRegular():
		return "", fmt.Errorf("database %s is %w (%s, not a file): choose another --db path", abs, ErrNotShortlist, fileKind(st.Mode()))
	case st.Size() == 0 && mustExist && walSize(abs) == 0:
		return "", fmt.Errorf("%w at %s (the file is empty): %s", ErrNoBook, abs, noBookHelp)
	}
	return abs, nil
}

// fileKind names what a path that is not a regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// createFile makes the directory (0700) and an empty file (0600) before
// SQLite sees them, so the book is never readable by others, not even
// briefly. O_EXCL: a link or file that appeared meanwhile is not followed
// or truncated; locate's caller checks what is there.
func createFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return dirError(dir, err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		st, lerr := os.Lstat(path)
		if lerr == nil && st.Mode().IsRegular() {
			return nil
		}
		return fmt.Errorf("database %s is %w (it appeared while being created, not as a file): choose another --db path", path, ErrNotShortlist)
	}
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err) {
			return dirError(dir, err)
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}

func dirError(dir string, err error) error {
	if errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err) {
		return fmt.Errorf("database directory %s is read-only: choose a writable --db path", dir)
	}
	return fmt.Errorf("create database directory %s: %w", dir, err)
}

// fixModes takes the group and other bits off the book and its WAL side
// files (0644 becomes 0600, 0444 becomes 0400: never a bit added). Called
// only once the book is known to be ours; each file is opened without
// following a link and changed through its descriptor, so nothing but a
// regular file of ours is ever changed.
func fixModes(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check mode of %s: %w", p, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("database %s: %s is %s, not a file: remove it or choose another --db path", path, p, fileKind(st.Mode()))
		}
		if st.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := tighten(p); err != nil {
			return fmt.Errorf("make %s private (no access for others): %w", p, err)
		}
	}
	return nil
}

// tighten removes the group and other bits from the regular file at p
// through a descriptor opened without following links.
func tighten(p string) error {
	f, err := openNoFollow(p)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is %s, not a file", p, fileKind(st.Mode()))
	}
	return f.Chmod(st.Mode().Perm() &^ 0o077)
}
