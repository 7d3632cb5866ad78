package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// TestReadOnlyBookOpensForReading: a book this process may not write (here
// the condition is injected, as root may write any file) opens read-only:
// every read works, a backup to a writable place works, each write fails
// naming the file and saying why, and the file is not changed by a byte,
// even when its scores are stale (no re-score). The real read-only mount
// is TestReliabilityDiskAndFiles/read-only.
func TestReadOnlyBookOpensForReading(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "book.db")
	opts := Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()}
	db, err := Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	var contact int64
	err = db.Load(ctx, func(l *Loader) error {
		aid, err := l.Account(model.Account{Name: "Acme", Domain: "acme.test"})
		if err != nil {
			return err
		}
		contact, err = l.Contact(model.Contact{AccountID: aid, FirstName: "Ada", Phone: "+1 555 0100"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opts.Profile.Thresholds.A = 99 // stale scores: a writable open would re-score
	ro := func(string) string { return "its file system is read-only" }
	db, err = open(ctx, path, opts, ro)
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	if db.ReadOnly() == "" || !db.StaleScores() {
		t.Errorf("ReadOnly %q, StaleScores %v", db.ReadOnly(), db.StaleScores())
	}
	if _, err := db.Worklist(ctx, model.WorklistQuery{Now: time.Now(), Limit: 10, Counts: true}); err != nil {
		t.Errorf("worklist: %v", err)
	}
	accts, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil || len(accts) != 1 {
		t.Errorf("accounts: %d, %v", len(accts), err)
	}
	if _, err := db.AccountDetail(ctx, accts[0].ID); err != nil {
		t.Errorf("show: %v", err)
	}
	if _, err := db.Search(ctx, "acme", 10); err != nil {
		t.Errorf("search: %v", err)
	}
	bak := filepath.Join(t.TempDir(), "copy.db")
	if _, err := db.Backup(ctx, bak); err != nil {
		t.Errorf("backup: %v", err)
	}
	_, err = db.LogTouch(ctx, model.LogRequest{ContactID: contact, Channel: model.ChannelCall, Outcome: model.OutcomeBusy})
	want := "log touch: " + path + " is read-only (its file system is read-only): nothing was changed"
	if !errors.Is(err, ErrReadOnly) || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("log: %v; want %q…", err, want)
	}
	if _, err := db.AddTask(ctx, model.Task{AccountID: accts[0].ID, Kind: model.TaskTodo, Title: "x"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("add task: %v", err)
	}
	db.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the read-only book was changed")
	}
	for _, side := range []string{"-wal", "-shm"} {
		if st, err := os.Stat(path + side); err == nil && st.Size() > 0 && side == "-wal" {
			t.Errorf("a read-only open left a %s of %d bytes", side, st.Size())
		}
	}
	// A book that needs an upgrade cannot be upgraded read-only: refused,
	// saying so. A new book cannot be made there.
	if _, err := open(ctx, filepath.Join(dir, "new.db"), opts, ro); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "a new book cannot be written there") {
		t.Errorf("new book on a read-only place: %v", err)
	}
}
