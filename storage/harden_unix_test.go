//go:build unix

package storage_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/storage"
)

// TestOpenChecksBeforeChmod: --db naming something that is not a book (a
// link to another file, a fifo, a device, a directory, a text file) is
// refused with one line, and nothing it names changes mode. Before, Open
// tightened the mode first, through links and devices (/dev/null at 0600).
func TestOpenChecksBeforeChmod(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		make func(t *testing.T, dir string) (db, target string) // target: whose mode must hold
		want string
	}{
		{"link to another file", func(t *testing.T, dir string) (string, string) {
			other := filepath.Join(dir, "notes.txt")
			os.WriteFile(other, []byte("my notes\n"), 0o644)
			os.Chmod(other, 0o644)
			link := filepath.Join(dir, "book.db")
			if err := os.Symlink(other, link); err != nil {
				t.Fatal(err)
			}
			return link, other
		}, "is not a Shortlist database"},
		{"text file", func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "book.db")
			os.WriteFile(p, []byte("name,email\n"), 0o644)
			os.Chmod(p, 0o644)
			return p, p
		}, "is not a Shortlist database"},
		{"fifo", func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "book.db")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			os.Chmod(p, 0o644)
			return p, p
		}, "a named pipe, not a file"},
		{"link to a fifo", func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "pipe")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			os.Chmod(p, 0o644)
			link := filepath.Join(dir, "book.db")
			os.Symlink(p, link)
			return link, p
		}, "a named pipe, not a file"},
		{"device (a /dev/null of its own)", func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "null")
			if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
				t.Skipf("mknod needs root: %v", err)
			}
			os.Chmod(p, 0o666)
			link := filepath.Join(dir, "book.db")
			os.Symlink(p, link)
			return link, p
		}, "a device, not a file"},
		{"directory", func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "book.db")
			os.Mkdir(p, 0o755)
			os.Chmod(p, 0o755)
			return p, p
		}, "a directory, not a file"},
		{"dangling link", func(t *testing.T, dir string) (string, string) {
			link := filepath.Join(dir, "book.db")
			os.Symlink(filepath.Join(dir, "nowhere", "x.db"), link)
			return link, dir
		}, "a symbolic link to nothing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, target := tc.make(t, dir)
			before, err := os.Lstat(target)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				db, err := storage.Open(ctx, path, testOptions())
				if err == nil {
					db.Close()
				}
				done <- err
			}()
			var oerr error
			select {
			case oerr = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("open hung (a fifo opened for reading?)")
			}
			if oerr == nil {
				t.Fatal("open succeeded")
			}
			msg := oerr.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "choose another --db path") || strings.Contains(msg, "\n") {
				t.Errorf("error %q; want one line with %q and what to do", msg, tc.want)
			}
			after, err := os.Lstat(target)
			if err != nil {
				t.Fatal(err)
			}
			if after.Mode() != before.Mode() {
				t.Errorf("%s mode %v → %v: a file not ours was changed", target, before.Mode(), after.Mode())
			}
			if _, err := os.Stat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
				t.Error("a dangling link's directory was created")
			}
		})
	}
}
