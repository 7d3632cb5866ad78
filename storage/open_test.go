package storage_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

func TestOpenCreatesPrivateBook(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "dir")
	path := filepath.Join(dir, "shortlist.db")
	db := openDB(t, path)
	ctx := context.Background()
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != storage.LatestSchema() || v < 1 {
		t.Fatalf("schema version %d, %v; want %d", v, err, storage.LatestSchema())
	}
	if _, err := db.AddTask(ctx, model.Task{}); err == nil {
		t.Fatal("AddTask with no kind succeeded")
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v, %v; want 0700", st.Mode().Perm(), err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	r := raw(t, path)
	var mode string
	if err := r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode %q, %v; want wal", mode, err)
	}
	if got := count(t, r, "PRAGMA application_id"); got != storage.ApplicationID {
		t.Errorf("application_id %#x, want %#x", got, storage.ApplicationID)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	db.Close()
	// Reopening an existing book works and loosened modes are fixed.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db2 := openDB(t, path)
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("reopen left mode %v, want 0600", st.Mode().Perm())
	}
	db2.Close()
}

// book makes a real book with a little data and returns its path, closed.
func book(t *testing.T) string {
	t.Helper()
	db := demoDB(t, 20)
	path := db.Path()
	// Fold the WAL into the file so the file alone is the book.
	r := raw(t, path)
	if _, err := r.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	r.Close()
	db.Close()
	return path
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		make    func(t *testing.T, path string)
		wantErr error
		wantMsg string
	}{
		{"text file", func(t *testing.T, path string) {
			write(t, path, []byte("name,email\nAda,ada@example.com\n"))
		}, storage.ErrNotShortlist, "is not a Shortlist database"},
		{"short garbage", func(t *testing.T, path string) {
			write(t, path, []byte{0x00, 0x01})
		}, storage.ErrNotShortlist, "choose another --db path"},
		{"foreign sqlite", func(t *testing.T, path string) {
			r, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Exec("CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES('keep me')"); err != nil {
				t.Fatal(err)
			}
		}, storage.ErrNotShortlist, "another program"},
		{"newer schema", func(t *testing.T, path string) {
			src := book(t)
			r, err := sql.Open("sqlite", "file:"+src)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Exec(fmt.Sprintf("PRAGMA user_version = %d; PRAGMA journal_mode = DELETE", storage.LatestSchema()+1)); err != nil {
				t.Fatal(err)
			}
			r.Close()
			write(t, path, read(t, src))
		}, storage.ErrTooNew, fmt.Sprintf("is schema %d, this shortlist knows up to %d: upgrade shortlist", storage.LatestSchema()+1, storage.LatestSchema())},
		{"truncated book", func(t *testing.T, path string) {
			b := read(t, book(t))
			write(t, path, b[:len(b)/2])
		}, storage.ErrNotShortlist, "truncated"},
		{"corrupt header", func(t *testing.T, path string) {
			b := read(t, book(t))
			for i := 100; i < 4096 && i < len(b); i++ {
				b[i] = 0xA5 // page 1: the schema table
			}
			write(t, path, b)
		}, storage.ErrNotShortlist, "is not a Shortlist database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shortlist.db")
			tc.make(t, path)
			before := read(t, path)
			db, err := storage.Open(ctx, path, testOptions())
			if err == nil {
				db.Close()
				t.Fatal("open succeeded")
			}
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("error %q; want %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if after := read(t, path); !bytes.Equal(before, after) {
				t.Error("the refused file was changed")
			}
			for _, side := range []string{"-wal", "-shm"} {
				if st, err := os.Stat(path + side); err == nil && st.Size() > 0 && side == "-wal" {
					t.Errorf("refusing left a %s file of %d bytes", side, st.Size())
				}
			}
		})
	}
}

func TestOpenReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	_, err := storage.Open(context.Background(), filepath.Join(dir, "sub", "shortlist.db"), testOptions())
	if err == nil || !strings.Contains(err.Error(), "is read-only: choose a writable --db path") {
		t.Fatalf("error %v; want read-only directory", err)
	}
}

func TestOpenEmptyFileIsInitialised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shortlist.db")
	write(t, path, nil)
	db := openDB(t, path)
	if v, err := db.SchemaVersion(context.Background()); err != nil || v != storage.LatestSchema() {
		t.Fatalf("schema %d, %v", v, err)
	}
}

func TestProfileChangeRescores(t *testing.T) {
	db := demoDB(t, 200)
	path := db.Path()
	r := raw(t, path)
	beforeA := count(t, r, "SELECT count(*) FROM accounts WHERE tier = 'A'")
	db.Close()
	opts := testOptions()
	opts.Profile.Thresholds.A = 95 // almost nobody is tier A now
	db2, err := storage.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	afterA := count(t, r, "SELECT count(*) FROM accounts WHERE tier = 'A'")
	if beforeA == 0 || afterA >= beforeA {
		t.Fatalf("tier A accounts %d → %d; want fewer after raising the threshold", beforeA, afterA)
	}
	// Every open task's base rank follows its account's new tier and fit.
	ranker := model.NewRanker(opts.Settings, opts.Profile)
	rows, err := r.Query(`SELECT k.base_rank, a.tier, a.fit, k.priority FROM tasks k JOIN accounts a ON a.id = k.account_id
		WHERE k.status IN ('open', 'snoozed')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var base float64
		var tier, prio string
		var fit int
		if err := rows.Scan(&base, &tier, &fit, &prio); err != nil {
			t.Fatal(err)
		}
		if want := ranker.BaseRank(model.Tier(tier), fit, model.Priority(prio)); base != want {
			t.Fatalf("base_rank %v, want %v (tier %s fit %d %s)", base, want, tier, fit, prio)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no open tasks checked")
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
