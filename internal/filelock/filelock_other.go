//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package filelock

import "os"

// On systems without advisory file locks the lock always succeeds: one sync
// at a time is then the rep's to keep.
func lock(f *os.File, wait bool) error { return nil }

func unlock(f *os.File) error { return nil }
