// Package filelock takes advisory, exclusive locks on open files, released
// by the operating system when the holder exits, however it exits (a
// kill -9 included): the book's one-sync-at-a-time lock and the HubSpot
// adapter's shared rate window use it, so a process that died never leaves
// a lock behind.
package filelock

import (
	"errors"
	"os"
)

// ErrLocked: another open file (in this process or another) holds the lock.
var ErrLocked = errors.New("the file is locked by another process")

// TryLock takes the exclusive lock on f without waiting: ErrLocked when
// another open file holds it. Locks belong to the open file, not to the
// process, so two opens of one path in one process exclude each other too.
func TryLock(f *os.File) error { return lock(f, false) }

// Lock takes the exclusive lock on f, waiting for it.
func Lock(f *os.File) error { return lock(f, true) }

// Unlock releases the lock on f (closing f releases it too).
func Unlock(f *os.File) error { return unlock(f) }
