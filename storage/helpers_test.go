package storage_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/demo"
)

// clock is the demo books' fixed "now": a Tuesday morning in New York.
var clock = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)

func testOptions() storage.Options {
	s := model.DefaultSettings()
	s.RepZone = "America/New_York"
	return storage.Options{Settings: s, Profile: model.DefaultProfile()}
}

func openDB(t testing.TB, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), path, testOptions())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// demoDB opens a fresh book in t.TempDir() with a demo book of n accounts.
func demoDB(t testing.TB, n int) *storage.DB {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "shortlist.db"))
	if err := demo.Generate(context.Background(), db, demo.Options{Accounts: n, Seed: 7, Now: clock}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	return db
}

// raw opens the book's file directly, for checks that must not go through
// the code under test.
func raw(t testing.TB, path string) *sql.DB {
	t.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func count(t testing.TB, r *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := r.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
