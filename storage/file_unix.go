//go:build unix

package storage

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// openNoFollow opens p for reading without following a symbolic link and
// without blocking on a fifo.
func openNoFollow(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// writeAccess says why this process may not write the book at path and
// the -wal/-shm files beside it ("" when it may): the file system is
// mounted read-only, the file is read-only, or its folder is. access(2)
// answers for this process as it is (root ignores modes, not a read-only
// mount).
func writeAccess(path string) string {
	const wOK = 2
	if err := syscall.Access(path, wOK); err != nil {
		if errors.Is(err, syscall.EROFS) {
			return "its file system is read-only"
		}
		return "the file is read-only"
	}
	if err := syscall.Access(filepath.Dir(path), wOK); err != nil {
		if errors.Is(err, syscall.EROFS) {
			return "its file system is read-only"
		}
		return "its folder is read-only"
	}
	return ""
}
