package filelock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Two opens of one path exclude each other, in one process as across
// processes; closing the holder frees the lock.
func TestTryLockExcludesAnotherOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b := open(), open()
	if err := TryLock(a); err != nil {
		t.Fatal(err)
	}
	if err := TryLock(b); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	if err := Unlock(a); err != nil {
		t.Fatal(err)
	}
	if err := TryLock(b); err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	b.Close()
	if err := Lock(open()); err != nil {
		t.Fatalf("lock after close: %v", err)
	}
}
