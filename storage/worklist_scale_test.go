package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// addContactless adds n accounts with no contacts, never touched (so all
// stale): the shape of a firmographic list imported before any contact.
// Sizes, industries and countries vary, so fits and tiers do.
func addContactless(t testing.TB, db *storage.DB, n int) {
	t.Helper()
	industries := []string{"Software", "Manufacturing", "Retail", "Financial Services", "Healthcare", "Logistics"}
	countries := []string{"United States", "Germany", "France", "Canada", "Japan"}
	err := db.Load(context.Background(), func(l *storage.Loader) error {
		for i := range n {
			_, err := l.Account(model.Account{Name: fmt.Sprintf("Bare %06d", i), Domain: fmt.Sprintf("bare%06d.example", i),
				Industry: industries[i%len(industries)], Employees: ptr(int64(20 + (i*7919)%20000)),
				Country: countries[(i/7)%len(countries)], UpdatedAt: clock})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWorklistFirstPageSkipsContactlessAccounts: 20,000 accounts without
// contacts (always held: nobody to reach) do not make the first page, or its
// counts, read them one by one; the page comes from the index of accounts
// that have a contact, and the held ones are counted in SQL.
func TestWorklistFirstPageSkipsContactlessAccounts(t *testing.T) {
	const bare = 20_000
	ctx := context.Background()
	for _, shape := range []struct {
		name  string
		demo  int
		limit int // the most candidate rows a page may read
	}{
		{"a few accounts with contacts", 8, 300},
		{"a demo book", 200, 1500},
	} {
		t.Run(shape.name, func(t *testing.T) {
			db := demoDB(t, shape.demo)
			addContactless(t, db, bare)
			for _, q := range []model.WorklistQuery{
				{Limit: 50}, {Limit: 30}, {Limit: 50, Counts: true}, {Limit: 20, Tier: model.TierB},
				{Limit: 15, CallableNow: true}, {Limit: 15, Channel: model.TaskTodo, Counts: true},
				{Limit: 50, IncludeHeld: true}, {Limit: 50, IncludeHeld: true, Counts: true},
			} {
				q.Now = clock
				wl, visited, err := db.WorklistVisited(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if visited > shape.limit {
					t.Errorf("%+v: read %d candidate rows (the book has %d accounts without contacts), want at most %d",
						q, visited, bare, shape.limit)
				}
				// Each is either held (no one to reach) or, below the ICP
				// focus, left out of the suggestions altogether.
				if n := wl.Held[model.HoldNoChannel] + wl.LeftOut[model.LeftOutBelowTier]; q.Counts && q.Channel == "" && n < bare {
					t.Errorf("%+v: %d held for no channel or left out, want at least the %d accounts without contacts", q, n, bare)
				}
			}
		})
	}
}

// TestWorklistWithContactlessMatchesBruteForce: with accounts without
// contacts read apart and counted in SQL, the page and the counts are still
// those of ranking every candidate.
func TestWorklistWithContactlessMatchesBruteForce(t *testing.T) {
	db := demoDB(t, 300)
	addContactless(t, db, 1500)
	// Ties on suggest_rank, on name, and touched and never-touched accounts
	// within a tie: where a page of held rows stops inside a tie.
	err := db.Load(context.Background(), func(l *storage.Loader) error {
		for i := range 400 {
			a := model.Account{Name: fmt.Sprintf("Twin %d", i%3), Domain: fmt.Sprintf("twin%d.example", i),
				Industry: "Software", Employees: ptr(int64(800)), Country: "United States", UpdatedAt: clock}
			if i%4 == 1 {
				a.LastTouched = clock.AddDate(0, 0, -200-i%50)
			}
			if _, err := l.Account(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b := loadBook(t, ctx, db)
	for _, now := range []time.Time{clock, clock.Add(9*time.Hour + 40*time.Minute)} {
		for _, q := range []model.WorklistQuery{
			{Limit: 50, Counts: true}, {Limit: 0}, {Limit: 40, IncludeHeld: true, Counts: true},
			{Limit: 0, IncludeHeld: true}, {Limit: 20, Tier: model.TierC, IncludeHeld: true, Counts: true},
			{Limit: 15, CallableNow: true, Counts: true}, {Limit: 15, Channel: model.TaskTodo, IncludeHeld: true, Counts: true},
			{Limit: 15, Channel: model.TaskEmail, Counts: true}, {Limit: 30, Offset: 1400, IncludeHeld: true},
			{Limit: 60, IncludeHeld: true}, {Limit: 100, Offset: 250, IncludeHeld: true}, {Limit: 500, IncludeHeld: true},
		} {
			q.Now = now
			name := fmt.Sprintf("%s/%+v", now.Format("Mon15:04"), q)
			got, err := db.Worklist(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := reference(b, q, got.ColdToday)
			if len(got.Rows) != len(want.Rows) {
				t.Errorf("%s: %d rows, want %d", name, len(got.Rows), len(want.Rows))
				continue
			}
			for i := range want.Rows {
				if g, w := rowKey(got.Rows[i]), rowKey(want.Rows[i]); g != w {
					t.Errorf("%s: row %d\n got  %s\n want %s", name, i, g, w)
					break
				}
			}
			if q.Counts && (got.Due != want.Due || got.Overdue != want.Overdue || got.Suggested != want.Suggested ||
				got.HeldBack != want.HeldBack || fmt.Sprint(got.Held) != fmt.Sprint(want.Held)) {
				t.Errorf("%s: counts %d/%d/%d/%d %v, want %d/%d/%d/%d %v", name, got.Due, got.Overdue, got.Suggested,
					got.HeldBack, got.Held, want.Due, want.Overdue, want.Suggested, want.HeldBack, want.Held)
			}
		}
	}
}

// TestContactCountFollowsWrites: accounts.n_contacts, which splits the
// suggested rows between two indexes, is kept by triggers whatever writes
// the contacts: an insert, a move to another account, a delete, and an
// account deleted with its contacts.
func TestContactCountFollowsWrites(t *testing.T) {
	db := demoDB(t, 40)
	r := raw(t, db.Path())
	wrong := func(step string) {
		t.Helper()
		if n := count(t, r, `SELECT count(*) FROM accounts a
			WHERE n_contacts <> (SELECT count(*) FROM contacts c WHERE c.account_id = a.id)`); n != 0 {
			t.Errorf("after %s: %d accounts count their contacts wrong", step, n)
		}
	}
	wrong("the demo load")
	for _, step := range []struct{ name, sql string }{
		{"an insert", "INSERT INTO contacts(account_id, first_name) VALUES(3, 'New')"},
		{"a move", "UPDATE contacts SET account_id = 5 WHERE id = (SELECT min(id) FROM contacts WHERE account_id = 3)"},
		{"an update that keeps the account", "UPDATE contacts SET account_id = account_id, title = 'CEO'"},
		{"a delete", "DELETE FROM contacts WHERE id = (SELECT max(id) FROM contacts WHERE account_id = 5)"},
		{"an account deleted", "PRAGMA foreign_keys = ON; DELETE FROM accounts WHERE id = 7"},
	} {
		if _, err := r.Exec(step.sql); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		wrong(step.name)
	}
	if n := count(t, r, "SELECT count(*) FROM contacts WHERE account_id = 7"); n != 0 {
		t.Errorf("the deleted account's %d contacts stayed", n)
	}
}

// replicate copies every account with its contacts and tasks times-1 more
// times under new ids (touch budgets, last touches and everything else the
// worklist reads copied as they are), in SQL: a book of times × its size
// in seconds, whose counts are exactly times those of the original.
func replicate(t *testing.T, path string, times int) {
	t.Helper()
	r := raw(t, path)
	cols := func(table string, set map[string]string) string {
		rows, err := r.Query("SELECT name FROM pragma_table_info(?)", table)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var names, exprs []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			e := n
			if v, ok := set[n]; ok {
				e = v
			}
			names, exprs = append(names, n), append(exprs, e)
		}
		return "(" + strings.Join(names, ", ") + ") SELECT " + strings.Join(exprs, ", ")
	}
	var na, nc, nk, ns, nt int64
	if err := r.QueryRow(`SELECT (SELECT max(id) FROM accounts), (SELECT max(id) FROM contacts), (SELECT max(id) FROM tasks),
		(SELECT coalesce(max(id), 0) FROM signals), (SELECT coalesce(max(id), 0) FROM touches)`).Scan(&na, &nc, &nk, &ns, &nt); err != nil {
		t.Fatal(err)
	}
	tx, err := r.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i := int64(1); i < int64(times); i++ {
		for _, st := range []string{
			"INSERT INTO accounts " + cols("accounts", map[string]string{"id": fmt.Sprintf("id + %d", i*na), "crm_id": "NULL", "n_contacts": "0"}) +
				fmt.Sprintf(" FROM accounts WHERE id <= %d", na),
			"INSERT INTO contacts " + cols("contacts", map[string]string{"id": fmt.Sprintf("id + %d", i*nc), "crm_id": "NULL",
				"account_id": fmt.Sprintf("account_id + %d", i*na)}) + fmt.Sprintf(" FROM contacts WHERE id <= %d", nc),
			"INSERT INTO tasks " + cols("tasks", map[string]string{"id": fmt.Sprintf("id + %d", i*nk), "crm_id": "NULL",
				"account_id": fmt.Sprintf("account_id + %d", i*na), "contact_id": fmt.Sprintf("contact_id + %d", i*nc)}) +
				fmt.Sprintf(" FROM tasks WHERE id <= %d", nk),
			// Respond rows count the budget from the touches themselves:
			// the touches of the accounts with signals go with them.
			"INSERT INTO touches " + cols("touches", map[string]string{"id": fmt.Sprintf("id + %d", i*nt), "op_id": fmt.Sprintf("op_id || '#%d'", i), "crm_id": "NULL",
				"account_id": fmt.Sprintf("account_id + %d", i*na), "contact_id": fmt.Sprintf("contact_id + %d", i*nc)}) +
				fmt.Sprintf(" FROM touches WHERE id <= %d AND account_id IN (SELECT account_id FROM signals)", nt),
			"INSERT INTO signals " + cols("signals", map[string]string{"id": fmt.Sprintf("id + %d", i*ns), "key": fmt.Sprintf("key || '#%d'", i),
				"account_id": fmt.Sprintf("account_id + %d", i*na), "contact_id": fmt.Sprintf("contact_id + %d", i*nc), "answered_by": "NULL"}) +
				fmt.Sprintf(" FROM signals WHERE id <= %d", ns),
		} {
			if _, err := tx.Exec(st); err != nil {
				t.Fatalf("%s: %v", st, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestWorklistCountsDoNotRankEveryCandidate: on a 50,000-account book the
// header counts read no candidate row one by one: the page with its counts
// reads the same index entries as the page alone, a fraction of the rows it
// counts; and the counts are exactly 50 times those of the 1,000-account
// book it was copied from.
func TestWorklistCountsDoNotRankEveryCandidate(t *testing.T) {
	const base, times = 1000, 50
	db := demoDB(t, base)
	ctx := context.Background()
	queries := []model.WorklistQuery{{Limit: 50}, {Limit: 30, IncludeHeld: true}, {Limit: 20, Tier: model.TierB},
		{Limit: 20, CallableNow: true}, {Limit: 20, Channel: model.TaskEmail}, {Limit: 20, Overdue: true}}
	var small []model.Worklist
	for _, q := range queries {
		q.Now, q.Counts = clock, true
		wl, err := db.Worklist(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		small = append(small, wl)
	}
	replicate(t, db.Path(), times)
	for i, q := range queries {
		q.Now = clock
		_, page, err := db.WorklistVisited(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Counts = true
		wl, visited, err := db.WorklistVisited(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		counted := wl.Due + wl.Overdue + wl.Suggested + wl.HeldBack
		if visited > page || (i == 0 && visited*3 > counted) {
			t.Errorf("%+v: read %d candidate rows with the counts, %d without, to count %d: the counts rank candidates one by one",
				q, visited, page, counted)
		}
		w := small[i]
		want := model.Worklist{Due: w.Due * times, Overdue: w.Overdue * times, Respond: w.Respond * times,
			HeldBack: w.HeldBack * times, Held: map[model.HoldReason]int{}, LeftOut: map[model.LeftOutReason]int{}}
		for k, v := range w.Held {
			want.Held[k] = v * times
		}
		// The cold quota is one cap for the day, not one per copy: of the
		// suggestions nothing else holds, what is left of it is suggested
		// and the rest held for the quota. (Touches are not copied, so
		// today's cold touches are the small book's.)
		if free := (w.Suggested + w.Held[model.HoldColdQuota]) * times; free > 0 {
			want.Suggested = min(free, max(wl.ColdQuota-w.ColdToday, 0))
			want.HeldBack += free - want.Suggested - want.Held[model.HoldColdQuota]
			if want.Held[model.HoldColdQuota] = free - want.Suggested; want.Held[model.HoldColdQuota] == 0 {
				delete(want.Held, model.HoldColdQuota)
			}
		}
		for k, v := range w.LeftOut {
			want.LeftOut[k] = v * times
		}
		if g, w := countsText(wl), countsText(want); g != w {
			t.Errorf("%+v on %d accounts:\n got  %s\n want %s", q, base*times, g, w)
		}
		if i == 0 && counted < 5_000 {
			t.Errorf("%d rows counted on %d accounts: the book is not the size the test means", counted, base*times)
		}
	}
}
