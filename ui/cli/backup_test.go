package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

func TestBackupCommand(t *testing.T) {
	f := newFixture(t)
	// Default name: beside the book, stamped with the clock.
	out := f.ok("backup")
	def := filepath.Join(filepath.Dir(f.path), "book-backup-20261123-150000.db")
	if !strings.Contains(out, "to "+def+"\n") || !strings.Contains(out, "150 accounts") {
		t.Fatalf("backup said %q; want the path %s and the counts", out, def)
	}
	st, err := os.Stat(def)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v", st, err)
	}
	// Run again in the same second: refused, exit 1, one line, file kept.
	before, _ := os.ReadFile(def)
	code, out, errOut := f.run("backup")
	if code != 1 || out != "" || !strings.Contains(errOut, "already exists: choose another file name") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("second backup: exit %d out %q err %q", code, out, errOut)
	}
	if after, _ := os.ReadFile(def); string(after) != string(before) {
		t.Fatal("the first backup was changed")
	}
	// A named file, as JSON; the copy opens as a book with the same records.
	named := filepath.Join(t.TempDir(), "monday.db")
	var info model.BackupInfo
	if err := json.Unmarshal([]byte(f.ok("backup", named, "--json")), &info); err != nil {
		t.Fatal(err)
	}
	if info.Path != named || info.Accounts != 150 || info.Bytes == 0 || info.Contacts == 0 {
		t.Fatalf("backup --json: %+v", info)
	}
	var accts []map[string]any
	if err := json.Unmarshal([]byte(f.ok("accounts", "--json", "--limit", "0", "--db", named)), &accts); err != nil || len(accts) != 150 {
		t.Fatalf("the backup as --db: %d accounts, %v", len(accts), err)
	}
	if code, _, errOut := f.run("backup", "a.db", "b.db"); code != 2 || !strings.Contains(errOut, "at most one FILE") {
		t.Fatalf("two files: exit %d %q", code, errOut)
	}
}
