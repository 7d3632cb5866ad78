package storage_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// counts reads a book's record counts through its own file.
func counts(t *testing.T, path string) [5]int {
	t.Helper()
	r := raw(t, path)
	return [5]int{
		count(t, r, "SELECT count(*) FROM accounts"),
		count(t, r, "SELECT count(*) FROM contacts"),
		count(t, r, "SELECT count(*) FROM touches"),
		count(t, r, "SELECT count(*) FROM tasks"),
		count(t, r, "SELECT count(*) FROM outbox WHERE pushed_at IS NULL"),
	}
}

func TestBackupReopensWithSameCounts(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t, 40)
	// A local log, so the outbox is not empty and sits in the WAL.
	if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: 1, Channel: model.ChannelCall,
		Outcome: model.OutcomeNoAnswer, At: clock}); err != nil {
		t.Fatal(err)
	}
	dest := model.DefaultBackupPath(db.Path(), clock)
	if want := filepath.Join(filepath.Dir(db.Path()), "shortlist-backup-20261124-143000.db"); dest != want {
		t.Fatalf("default path %s, want %s", dest, want)
	}
	info, err := db.Backup(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	want := counts(t, db.Path())
	got := [5]int{info.Accounts, info.Contacts, info.Touches, info.Tasks, info.Outbox}
	if got != want || want[0] != 40 || want[4] == 0 {
		t.Fatalf("backup info counts %v, book %v", got, want)
	}
	st, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || st.Size() != info.Bytes || info.Path != dest {
		t.Errorf("backup mode %v size %d, info %+v", st.Mode().Perm(), st.Size(), info)
	}
	// The copy is a book Shortlist opens, with the same records.
	b, err := storage.Open(ctx, dest, testOptions())
	if err != nil {
		t.Fatalf("reopen backup: %v", err)
	}
	b.Close()
	if c := counts(t, dest); c != want {
		t.Fatalf("reopened backup counts %v, book %v", c, want)
	}
	// No temporary file is left beside it.
	ents, _ := os.ReadDir(filepath.Dir(dest))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t, 5)
	dest := filepath.Join(t.TempDir(), "keep.db")
	write(t, dest, []byte("precious"))
	_, err := db.Backup(ctx, dest)
	if err == nil || !strings.Contains(err.Error(), "already exists: choose another file name") {
		t.Fatalf("error %v; want a refusal", err)
	}
	if string(read(t, dest)) != "precious" {
		t.Fatal("the existing file was changed")
	}
	if _, err := db.Backup(ctx, db.Path()); err == nil || !strings.Contains(err.Error(), "that is the book itself") {
		t.Fatalf("backup over the book itself: %v", err)
	}
}

func TestBackupIntoMissingDirectory(t *testing.T) {
	db := demoDB(t, 5)
	dest := filepath.Join(t.TempDir(), "no", "such", "dir", "b.db")
	_, err := db.Backup(context.Background(), dest)
	if err == nil || !strings.Contains(err.Error(), "does not exist: create it or choose another place") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(dest); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("a file was left")
	}
}

// TestBackupWhileAnotherProcessWrites takes backups as a child process logs
// touches: each copy is whole (integrity ok, every log complete) and later
// copies never hold fewer logs.
func TestBackupWhileAnotherProcessWrites(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t, 30)
	cmd := child(t, db.Path(), 200)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	dir := t.TempDir()
	prev := 0
	for i := range 5 {
		dest := filepath.Join(dir, "b"+string(rune('0'+i))+".db")
		if _, err := db.Backup(ctx, dest); err != nil {
			t.Fatalf("backup %d during writes: %v", i, err)
		}
		n := checkConsistent(t, dest)
		if n < prev {
			t.Fatalf("backup %d holds %d logs, an earlier one %d", i, n, prev)
		}
		prev = n
		time.Sleep(20 * time.Millisecond)
	}
}
