package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

func zoneOptions(zone string) storage.Options {
	o := testOptions()
	o.Settings.RepZone = zone
	return o
}

func dueTermOf(r model.Row) string {
	for _, t := range r.Why {
		if t.Name == "overdue" || t.Name == "due today" {
			return t.Name
		}
	}
	return ""
}

// TestDateOnlyDueSameDayInEveryZone: date-only dues typed in Tokyo are due
// on their own dates for a rep reading the same book at the same instant in
// UTC or St John's (where that instant is the same date): the same tasks are
// due today and overdue, and the worklist counts agree.
func TestDateOnlyDueSameDayInEveryZone(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.db")
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(ctx, path, zoneOptions("Asia/Tokyo"))
	if err != nil {
		t.Fatal(err)
	}
	var acct int64
	err = db.Load(ctx, func(l *storage.Loader) error {
		acct, err = l.Account(model.Account{Name: "Acme", Domain: "acme.example", Employees: ptr(int64(500))})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Typed in Tokyo: ParseDue gives midnight there.
	want := map[int64]string{}
	for day := 8; day <= 12; day++ {
		for _, hasTime := range []bool{false, true} {
			due := time.Date(2026, 12, day, 0, 0, 0, 0, tokyo)
			if hasTime {
				due = time.Date(2026, 12, day, 14, 0, 0, 0, time.UTC) // an instant on that date in all three zones
			}
			k, err := db.AddTask(ctx, model.Task{AccountID: acct, Kind: model.TaskTodo, Title: fmt.Sprint("dec ", day), Due: due, DueHasTime: hasTime})
			if err != nil {
				t.Fatal(err)
			}
			if !hasTime {
				want[k.ID] = map[bool]string{true: "overdue", false: "due today"}[day < 10]
				if day > 10 {
					want[k.ID] = "absent"
				}
			}
		}
	}
	db.Close()

	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC) // 10 December in Tokyo, UTC and St John's
	var first *model.Worklist
	for _, zone := range []string{"UTC", "Asia/Tokyo", "America/St_Johns"} {
		db, err := storage.Open(ctx, path, zoneOptions(zone))
		if err != nil {
			t.Fatal(err)
		}
		wl, err := db.Worklist(ctx, model.WorklistQuery{Now: now, IncludeHeld: true, Counts: true})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, r := range wl.Rows {
			if _, ok := want[r.Task.ID]; ok {
				got[r.Task.ID] = dueTermOf(r)
			}
		}
		for id, w := range want {
			g, ok := got[id]
			if !ok {
				g = "absent"
			}
			if g != w {
				t.Errorf("%s: task %d (date-only, typed in Tokyo) is %s, want %s", zone, id, g, w)
			}
		}
		t.Logf("%s: %d due today, %d overdue", zone, wl.Due, wl.Overdue)
		if first == nil {
			first = &wl
		} else if wl.Due != first.Due || wl.Overdue != first.Overdue {
			t.Errorf("%s: %d due today, %d overdue; UTC: %d and %d", zone, wl.Due, wl.Overdue, first.Due, first.Overdue)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestMigrateDateOnlyDuesToCivilDates: a book written before 0003 holds a
// date-only due as midnight in the writer's zone; opening it stores each
// as its civil date (nearest UTC midnight), and dues with a time stay.
func TestMigrateDateOnlyDuesToCivilDates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	r, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0001_init.sql", "0002_sync.sql"} {
		b, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := r.Exec(fmt.Sprintf("PRAGMA user_version = 2; PRAGMA application_id = %d", storage.ApplicationID)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Exec(`INSERT INTO accounts(id, name) VALUES(1, 'Acme'), (2, 'Bare');
		INSERT INTO contacts(account_id, first_name) VALUES(1, 'Ann'), (1, 'Bo')`); err != nil {
		t.Fatal(err)
	}
	type due struct {
		zone    string
		hasTime bool
		at      time.Time
		want    time.Time
	}
	dec10 := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	var dues []due
	for _, z := range []string{"UTC", "Asia/Tokyo", "America/Chicago", "America/St_Johns", "Pacific/Auckland", "Pacific/Honolulu", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(z)
		if err != nil {
			t.Fatal(err)
		}
		dues = append(dues, due{z, false, time.Date(2026, 6, 10, 0, 0, 0, 0, loc), time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)})
		if z != "Pacific/Auckland" { // UTC+13 in December: beyond what rounding recovers
			dues = append(dues, due{z, false, time.Date(2026, 12, 10, 0, 0, 0, 0, loc), dec10})
		}
		at := time.Date(2026, 12, 10, 9, 30, 0, 0, loc)
		dues = append(dues, due{z, true, at, at})
	}
	for i, d := range dues {
		if _, err := r.Exec("INSERT INTO tasks(id, account_id, kind, due, due_has_time) VALUES(?, 1, 'todo', ?, ?)",
			i+1, d.at.UnixMilli(), d.hasTime); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()

	db := openDB(t, path)
	if v, err := db.SchemaVersion(ctx); err != nil || v != storage.LatestSchema() {
		t.Fatalf("schema %d, %v", v, err)
	}
	rr := raw(t, path)
	for i, d := range dues {
		var got int64
		if err := rr.QueryRow("SELECT due FROM tasks WHERE id = ?", i+1).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != d.want.UnixMilli() {
			t.Errorf("%s %s (time %v): migrated to %s, want %s", d.zone, d.at, d.hasTime, time.UnixMilli(got).UTC(), d.want)
		}
	}
	// 0003 also counts each account's contacts.
	if n := count(t, rr, "SELECT count(*) FROM accounts WHERE n_contacts = CASE id WHEN 1 THEN 2 ELSE 0 END"); n != 2 {
		t.Errorf("%d of 2 accounts have their contacts counted", n)
	}
	// The worklist reads the index the migration rebuilt.
	if _, err := db.Worklist(ctx, model.WorklistQuery{Now: dec10.Add(12 * time.Hour), Limit: 10, Counts: true}); err != nil {
		t.Fatal(err)
	}
}
