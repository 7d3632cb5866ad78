package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// TestMigrationBacksUpFirst runs a second, made-up migration over a book of
// the latest schema: a private .bak-vN copy of the book as it was is written first,
// kept when a later open migrates again, and a failing migration leaves the
// book at its old schema with the copy in place.
func TestMigrationBacksUpFirst(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shortlist.db")
	opts := Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()}
	db, err := Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Load(ctx, func(l *Loader) error {
		for _, n := range []string{"Acme", "Globex", "Initech"} {
			if _, err := l.Account(model.Account{Name: n}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A new book has nothing to back up: no copy of its empty schema.
	if m, _ := filepath.Glob(path + ".bak-*"); len(m) != 0 {
		t.Fatalf("creating a book left %v", m)
	}
	if a, _ := db.Accounts(ctx, model.AccountFilter{}); len(a) != 3 {
		t.Fatalf("book holds %d accounts", len(a))
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	bad := append(ms[:len(ms):len(ms)], migration{version: len(ms) + 1, name: "0002_bad.sql",
		sql: "ALTER TABLE accounts ADD COLUMN x INTEGER; SELECT no_such_function();"})
	if err := db.migrate(ctx, bad, len(ms)); err == nil {
		t.Fatal("a failing migration succeeded")
	}
	if v, _ := db.SchemaVersion(ctx); v != len(ms) {
		t.Fatalf("after a failed migration the schema is %d", v)
	}
	bak := fmt.Sprintf("%s.bak-v%d", path, len(ms))
	if n := backupAccounts(t, bak); n != 3 {
		t.Fatalf("right after the failed migration the backup holds %d accounts", n)
	}
	st, err := os.Stat(bak)
	if err != nil {
		t.Fatalf("no backup before the migration: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", st.Mode().Perm())
	}
	good := append(ms[:len(ms):len(ms)], migration{version: len(ms) + 1, name: "0002_good.sql",
		sql: "CREATE TABLE extra(id INTEGER PRIMARY KEY)"})
	if err := db.migrate(ctx, good, len(ms)); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.SchemaVersion(ctx); v != len(ms)+1 {
		t.Fatalf("schema %d after the migration", v)
	}
	r, err := sql.Open("sqlite", "file:"+bak+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n, v int
	if err := r.QueryRow("SELECT count(*) FROM accounts").Scan(&n); err != nil || n != 3 {
		t.Fatalf("backup holds %d accounts (%v), want 3", n, err)
	}
	if err := r.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(ms) {
		t.Fatalf("backup schema %d (%v), want %d", v, err, len(ms))
	}
}

func backupAccounts(t *testing.T, p string) int {
	r, err := sql.Open("sqlite", "file:"+p+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	if err := r.QueryRow("SELECT count(*) FROM accounts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
