//go:build !unix

package storage

import (
	"os"
)

// openNoFollow opens p for reading; locate and fixModes have checked with
// Lstat that it is a regular file.
func openNoFollow(p string) (*os.File, error) {
	return os.Open(p)
}

// writeAccess says why the book at path may not be written ("" when it
// may): here, whether the file opens for writing.
func writeAccess(path string) string {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return "the file is read-only"
	}
	f.Close()
	return ""
}
