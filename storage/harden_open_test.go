package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// TestOpenThroughLinkToBook: a link to a real book still opens it; the
// book itself (not the link) is tightened, its -wal beside it.
func TestOpenThroughLinkToBook(t *testing.T) {
	real := book(t)
	if err := os.Chmod(real, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, link)
	if db.Path() != real {
		t.Errorf("Path() = %s, want the book %s", db.Path(), real)
	}
	if st, _ := os.Stat(real); st.Mode().Perm() != 0o600 {
		t.Errorf("book mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(real + "-wal"); err != nil {
		t.Errorf("no -wal beside the book: %v", err)
	}
}

// TestOpenNeverLoosensMode: tightening takes bits away, never adds one: a
// book made read-only by its owner (0444) stays read-only (0400).
func TestOpenNeverLoosensMode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a 0444 book opens read-only for others; root writes it")
	}
	path := book(t)
	os.Chmod(path, 0o444)
	db := openDB(t, path)
	db.Close()
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o400 {
		t.Errorf("mode %v, want 0400", st.Mode().Perm())
	}
}

// TestOpenRefusesChangedSchema: a book whose schema is not what the
// migrations made is refused, naming what was found, and left as it was.
// Before, an AFTER INSERT trigger on touches deleted each logged touch
// while log reported success.
func TestOpenRefusesChangedSchema(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, sql, want string
	}{
		{"trigger", `CREATE TRIGGER x AFTER INSERT ON touches BEGIN DELETE FROM touches WHERE id = new.id; END`,
			`unexpected trigger "x" on touches`},
		{"view", `CREATE VIEW v AS SELECT * FROM accounts`, `unexpected view "v"`},
		{"index", `CREATE INDEX touches_note ON touches(note)`, `unexpected index "touches_note" on touches`},
		{"table", `CREATE TABLE extra(x)`, `unexpected table "extra"`},
		{"altered table", `ALTER TABLE accounts ADD COLUMN evil TEXT DEFAULT 'x'`, `table "accounts" is not the one Shortlist made`},
		{"dropped index", `DROP INDEX accounts_name`, `index "accounts_name" on accounts is missing`},
		{"replaced trigger", `DROP TRIGGER tasks_copy_insert; CREATE TRIGGER tasks_copy_insert AFTER INSERT ON tasks BEGIN DELETE FROM tasks; END`,
			`trigger "tasks_copy_insert" on tasks is not the one Shortlist made`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := book(t)
			r := raw(t, path)
			if _, err := r.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			touches := count(t, r, "SELECT count(*) FROM touches")
			if _, err := r.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				t.Fatal(err)
			}
			r.Close()
			before := read(t, path)
			db, err := storage.Open(ctx, path, testOptions())
			if err == nil {
				// The old code opened it: show what the trigger did.
				_, lerr := db.LogTouch(ctx, model.LogRequest{ContactID: 1, Channel: model.ChannelCall, Outcome: model.OutcomeBusy})
				db.Close()
				after := count(t, raw(t, path), "SELECT count(*) FROM touches")
				t.Fatalf("open succeeded; a log then returned %v and touches went %d → %d", lerr, touches, after)
			}
			msg := err.Error()
			if !errors.Is(err, storage.ErrChanged) || !strings.Contains(msg, tc.want) ||
				!strings.HasPrefix(msg, path+": ") ||
				!strings.Contains(msg, "this file was changed outside Shortlist; restore a backup (shortlist backup) or choose another --db") {
				t.Errorf("error %q; want ErrChanged naming %q", msg, tc.want)
			}
			if !bytes.Equal(before, read(t, path)) {
				t.Error("the refused book was changed")
			}
		})
	}
}

// TestCraftedIndexNameCannotInject: an index whose name closes the quote
// and appends a statement, with scores gone stale so Open re-scores and
// drops the indexes on fit. Before, the rescore ran the appended SQL; now
// the book is refused at open (the index is not ours) and nothing runs.
func TestCraftedIndexNameCannotInject(t *testing.T) {
	path := book(t)
	r := raw(t, path)
	name := `accounts_name"; INSERT INTO meta(key, value) VALUES('pwned', '1'); --`
	if _, err := r.Exec(`CREATE INDEX "` + strings.ReplaceAll(name, `"`, `""`) + `" ON accounts(fit)`); err != nil {
		t.Fatal(err)
	}
	// Every account's stored fit is wrong: the rescore rewrites them all.
	if _, err := r.Exec(`UPDATE accounts SET fit = -1, tier = 'Z'; UPDATE meta SET value = 'stale' WHERE key = 'profile_hash'`); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(context.Background(), path, testOptions())
	if err == nil {
		db.Close()
	}
	if n := count(t, r, "SELECT count(*) FROM meta WHERE key = 'pwned'"); n != 0 {
		t.Fatal("the SQL in the index name ran")
	}
	if err == nil || !errors.Is(err, storage.ErrChanged) || !strings.Contains(err.Error(), `unexpected index "accounts_name\"; INSERT`) {
		t.Fatalf("open: %v; want the crafted index named, escaped", err)
	}
}

// TestOpenMissingBookCreatesNothing: with MustExist, a missing book (in a
// directory that does not exist either) or an empty file is ErrNoBook with
// one line saying how to make one, and nothing is created.
func TestOpenMissingBookCreatesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := testOptions()
	opts.MustExist = true
	path := filepath.Join(dir, "typo", "bok.db")
	_, err := storage.Open(ctx, path, opts)
	want := "no book at " + path + ": make one with shortlist demo, shortlist import FILE or shortlist sync"
	if !errors.Is(err, storage.ErrNoBook) || err.Error() != want {
		t.Fatalf("error %v; want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "typo")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the directory was created")
	}
	empty := filepath.Join(dir, "empty.db")
	write(t, empty, nil)
	if _, err := storage.Open(ctx, empty, opts); !errors.Is(err, storage.ErrNoBook) || !strings.Contains(err.Error(), "the file is empty") {
		t.Fatalf("empty file: %v", err)
	}
	if st, _ := os.Stat(empty); st.Size() != 0 {
		t.Error("the empty file was written")
	}
	if _, err := os.Stat(empty + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a -wal was made beside the empty file")
	}
	// Without MustExist (import, sync, demo) the book is made.
	openDB(t, path).Close()
}

// TestBuildInterruptedLeavesNoBook: a book build that fails or is
// cancelled midway leaves nothing at the path, not even a temporary file,
// and the rerun succeeds; a finished build is whole at the path.
func TestBuildInterruptedLeavesNoBook(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	for _, stop := range []string{"fail", "cancel"} {
		cctx, cancel := context.WithCancel(ctx)
		err := storage.Build(cctx, path, testOptions(), func(ctx context.Context, db *storage.DB) error {
			err := db.Load(ctx, func(l *storage.Loader) error {
				_, err := l.Account(model.Account{Name: "Half Written Inc"})
				return err
			})
			if err != nil {
				return err
			}
			if stop == "cancel" {
				cancel()
				return db.Load(ctx, func(l *storage.Loader) error { return nil })
			}
			return errors.New("killed midway")
		})
		cancel()
		if err == nil {
			t.Fatalf("%s: build succeeded", stop)
		}
		if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s: a book was left at %s", stop, path)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
			t.Fatalf("%s: files left: %v", stop, left)
		}
		hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
		if len(hidden) != 0 {
			t.Fatalf("%s: temporary files left: %v", stop, hidden)
		}
	}
	err := storage.Build(ctx, path, testOptions(), func(ctx context.Context, db *storage.DB) error {
		return db.Load(ctx, func(l *storage.Loader) error {
			_, err := l.Account(model.Account{Name: "Whole Inc"})
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the book was moved without its WAL folded in")
	}
	if n := count(t, raw(t, path), "SELECT count(*) FROM accounts"); n != 1 {
		t.Errorf("%d accounts in the built book, want 1", n)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	err = storage.Build(ctx, path, testOptions(), func(ctx context.Context, db *storage.DB) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "already holds a book") {
		t.Errorf("build over a book: %v", err)
	}
}

// TestWriteWaitsItsTurn: a write behind a lock held past SQLite's own
// busy wait (it was 5 s, then the write failed) gets in once the lock is
// let go; one held past the whole wait fails with one "log touch:" prefix.
func TestWriteWaitsItsTurn(t *testing.T) {
	if testing.Short() {
		t.Skip("holds a lock for 6 s")
	}
	ctx := context.Background()
	db := demoDB(t, 30)
	path := db.Path()
	hold := func(d time.Duration) {
		r := raw(t, path)
		tx, err := r.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec("INSERT INTO meta(key, value) VALUES('holder', 'x') ON CONFLICT(key) DO UPDATE SET value = 'y'"); err != nil {
			t.Fatal(err)
		}
		go func() { time.Sleep(d); tx.Rollback() }()
	}
	hold(6 * time.Second)
	start := time.Now()
	if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: 1, Channel: model.ChannelCall, Outcome: model.OutcomeBusy}); err != nil {
		t.Errorf("a write behind a 6 s lock: %v", err)
	}
	t.Logf("a write behind a 6 s lock went in after %s", time.Since(start).Round(time.Millisecond))
	opts := testOptions()
	opts.BusyWait = 300 * time.Millisecond
	short, err := storage.Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	hold(3 * time.Second)
	_, err = short.LogTouch(ctx, model.LogRequest{ContactID: 1, Channel: model.ChannelCall, Outcome: model.OutcomeBusy})
	if !errors.Is(err, model.ErrBusy) || strings.Count(err.Error(), "log touch") != 1 || !strings.HasPrefix(err.Error(), "log touch: database busy") {
		t.Errorf("error %v; want one 'log touch:' prefix and ErrBusy", err)
	}
}

// TestManyProcessesWriteAtOnce: ten processes, each opening the book for
// every log as `shortlist log` does, all at once: every log goes in.
func TestManyProcessesWriteAtOnce(t *testing.T) {
	db := demoDB(t, 30)
	path := db.Path()
	db.Close()
	const procs, each = 10, 30
	var wg sync.WaitGroup
	outs := make([]string, procs)
	start := time.Now()
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := child(t, path, each)
			cmd.Env = append(cmd.Env, "SHORTLIST_CHILD_REOPEN=1")
			b, err := cmd.CombinedOutput()
			outs[i] = string(b)
			if err != nil {
				outs[i] += " exit: " + err.Error()
			}
		}()
	}
	wg.Wait()
	failed := 0
	for i, o := range outs {
		if !strings.Contains(o, "DONE") {
			failed++
			t.Errorf("writer %d failed: %s", i, o)
		}
	}
	n := checkConsistent(t, path)
	t.Logf("%d processes × %d logs, each its own open: %d logs in, %d writers failed, %s", procs, each, n, failed, time.Since(start).Round(time.Millisecond))
	if n != procs*each {
		t.Fatalf("%d logs, want %d", n, procs*each)
	}
}
