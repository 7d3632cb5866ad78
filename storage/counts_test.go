package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// variedBook is a demo book made awkward for the counts: do-not-contact
// accounts, opt-outs on every channel, bad and missing numbers, missing
// addresses, contacts and accounts in other, empty and unknown zones,
// account-level and snoozed tasks, accounts without contacts, and bursts of
// recent touches that exhaust contact and account budgets.
func variedBook(t *testing.T) *storage.DB {
	t.Helper()
	db := demoDB(t, 300)
	addContactless(t, db, 40)
	r := raw(t, db.Path())
	for _, st := range []string{
		"UPDATE accounts SET do_not_contact = 1 WHERE id % 17 = 0",
		"UPDATE contacts SET consent_call = 'opted-out' WHERE id % 7 = 0",
		"UPDATE contacts SET consent_email = 'opted-out' WHERE id % 5 = 0",
		"UPDATE contacts SET consent_linkedin = 'opted-out' WHERE id % 6 = 0",
		"UPDATE contacts SET phone_bad = 1 WHERE id % 11 = 0",
		"UPDATE contacts SET phone = '' WHERE id % 13 = 0",
		"UPDATE contacts SET email = '' WHERE id % 9 = 0",
		"UPDATE contacts SET linkedin_url = '' WHERE id % 4 = 0",
		"UPDATE contacts SET phone = '', email = '', linkedin_url = '' WHERE id % 29 = 0",
		`UPDATE contacts SET time_zone = CASE id % 5 WHEN 0 THEN 'Asia/Tokyo' WHEN 1 THEN 'Bogus/Zone'
			WHEN 2 THEN '' ELSE time_zone END`,
		"UPDATE accounts SET time_zone = CASE id % 4 WHEN 0 THEN 'Europe/Berlin' WHEN 1 THEN '' WHEN 2 THEN 'Nowhere/Land' ELSE time_zone END",
	} {
		if _, err := r.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	ctx := context.Background()
	contacts := map[int64]int64{} // contact → account
	rows, err := r.Query("SELECT id, account_id FROM contacts WHERE id % 8 = 3")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c, a int64
		if err := rows.Scan(&c, &a); err != nil {
			t.Fatal(err)
		}
		contacts[c] = a
	}
	rows.Close()
	err = db.Load(ctx, func(l *storage.Loader) error {
		kinds := []model.TaskKind{model.TaskCall, model.TaskTodo, model.TaskEmail, model.TaskLinkedIn}
		for a := int64(1); a <= 300; a += 3 {
			k := model.Task{AccountID: a, Kind: kinds[a%4], Title: "account-level", Due: clock.AddDate(0, 0, -int(a%4)),
				DueHasTime: a%2 == 0, Priority: model.PriorityHigh}
			if a%9 == 0 {
				k.Status, k.SnoozedUntil = model.TaskSnoozed, clock.Add(time.Duration(a%5)*24*time.Hour)
			}
			if _, err := l.Task(k); err != nil {
				return err
			}
		}
		// Touches in and out of the budget window: 1 to 4 per contact.
		for c, a := range contacts {
			for i := range 1 + int(c%4) {
				_, err := l.Touch(model.Touch{ContactID: c, AccountID: a, Channel: model.ChannelEmail,
					Outcome: model.OutcomeSent, At: clock.Add(-time.Duration(1+i*int(c%6)) * 24 * time.Hour)})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// countQueries are the header's queries, with every filter the CLI and
// the TUI can set.
var countQueries = []model.WorklistQuery{
	{Limit: 20}, {Limit: 20, IncludeHeld: true}, {Limit: 1, Tier: model.TierA}, {Limit: 5, Tier: model.TierD},
	{Limit: 10, Channel: model.TaskCall}, {Limit: 10, Channel: model.TaskEmail}, {Limit: 10, Channel: model.TaskLinkedIn},
	{Limit: 10, Channel: model.TaskTodo, IncludeHeld: true}, {Limit: 10, CallableNow: true}, {Limit: 10, Overdue: true},
	{Limit: 10, Overdue: true, Channel: model.TaskCall}, {Limit: 10, CallableNow: true, Tier: model.TierB},
}

// countClocks move the clock through a working day, an evening, a weekend
// and past the budget window.
var countClocks = []time.Time{clock, clock.Add(-6 * time.Hour), clock.Add(9*time.Hour + 40*time.Minute),
	clock.AddDate(0, 0, 4), clock.AddDate(0, 0, 15).Add(3 * time.Hour)}

// sameCounts compares db's counts and first page with ranking every
// candidate under opts, for every query and clock.
func sameCounts(t *testing.T, when string, db *storage.DB, opts storage.Options) {
	t.Helper()
	ctx := context.Background()
	b := loadBook(t, ctx, db)
	for _, now := range countClocks {
		for _, q := range countQueries {
			q.Now, q.Counts = now, true
			name := fmt.Sprintf("%s %s/%+v", when, now.Format("Mon15:04"), q)
			got, err := db.Worklist(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := referenceWith(b, q, got.ColdToday, opts)
			if g, w := countsText(got), countsText(want); g != w {
				t.Errorf("%s:\n got  %s\n want %s", name, g, w)
			}
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
		}
	}
}

func countsText(w model.Worklist) string {
	return fmt.Sprintf("respond %d due %d overdue %d suggested %d held %d %v left out %v", w.Respond, w.Due, w.Overdue, w.Suggested,
		w.HeldBack, w.Held, w.LeftOut)
}

// TestWorklistCountsMatchRanking: the header counts read from the indexes
// are those of ranking every candidate, on a varied book, under the
// default settings and under a focus down to tier D with an exclusion and
// tighter budgets (and the first store still right after the second
// recomputed the stored budgets for its own); after touches logged, undone,
// moved and deleted; after an opt-out; and on a read-only book whose stored
// budgets are not the settings'.
func TestWorklistCountsMatchRanking(t *testing.T) {
	db := variedBook(t)
	ctx := context.Background()
	base := testOptions()
	sameCounts(t, "default", db, base)

	wide := testOptions()
	wide.Settings.FocusTier = model.TierD
	wide.Settings.Budget = model.Budget{PerContact: 1, PerAccount: 2, Window: 5 * 24 * time.Hour}
	wide.Settings.CallingHours = model.CallingHours{Start: model.Clock(8, 0), End: model.Clock(20, 30)}
	wide.Profile.Exclusions = append(wide.Profile.Exclusions, model.Exclusion{Name: "no retail", Field: model.FieldIndustry,
		Values: []string{"Retail"}})
	other, err := storage.Open(ctx, db.Path(), wide)
	if err != nil {
		t.Fatal(err)
	}
	sameCounts(t, "focus D, exclusion, budgets 1/2", other, wide)
	other.Close()
	// The first store's budgets are no longer the ones stored: it counts.
	sameCounts(t, "default, after another store recomputed the budgets", db, base)

	// Back to the default budgets: Open recomputes them. Then writes.
	db.Close()
	db = openDB(t, db.Path())
	var logged []int64
	for _, c := range []int64{3, 4, 5, 11, 12, 13, 19} {
		for range 3 {
			res, err := db.LogTouch(ctx, model.LogRequest{ContactID: c, Channel: model.ChannelEmail,
				Outcome: model.OutcomeSent, At: clock.Add(-time.Hour), Next: model.NextChoice{Mode: model.NextNone}})
			if err != nil {
				t.Fatal(err)
			}
			logged = append(logged, res.Touch.ID)
		}
	}
	if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: 20, Channel: model.ChannelCall,
		Outcome: model.OutcomeOptedOut, At: clock.Add(-2 * time.Hour), Next: model.NextChoice{Mode: model.NextNone}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UndoLog(ctx, logged[len(logged)-1]); err != nil {
		t.Fatal(err)
	}
	r := raw(t, db.Path())
	for _, st := range []string{
		"UPDATE touches SET at = at - 20 * 86400000 WHERE id = " + fmt.Sprint(logged[0]),
		"UPDATE touches SET contact_id = 6 WHERE id = " + fmt.Sprint(logged[3]),
		"UPDATE touches SET account_id = (SELECT account_id FROM contacts WHERE id = 6), contact_id = 6 WHERE id = " + fmt.Sprint(logged[4]),
		"DELETE FROM touches WHERE id = " + fmt.Sprint(logged[6]),
	} {
		if _, err := r.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	sameCounts(t, "after writes", db, base)

	// A read-only book keeps the budgets it was computed with; its counts
	// count touches for the settings' budgets instead.
	ro, err := storage.OpenReadOnly(ctx, db.Path(), func() storage.Options {
		o := testOptions()
		o.Settings.Budget.PerContact, o.Settings.Budget.PerAccount = 2, 3
		return o
	}())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	o := testOptions()
	o.Settings.Budget.PerContact, o.Settings.Budget.PerAccount = 2, 3
	sameCounts(t, "read-only, other budgets", ro, o)
}

// TestBudgetAtFollowsTouches: budget_at is the time of the Nth most recent
// touch (N the budget) of every contact and account, whatever wrote the
// touches: a bulk load (computed once at its end) or any later statement
// (the triggers).
func TestBudgetAtFollowsTouches(t *testing.T) {
	db := variedBook(t)
	r := raw(t, db.Path())
	check := func(when string) {
		t.Helper()
		for _, c := range []struct {
			table, col string
			n          int
		}{{"contacts", "contact_id", 3}, {"accounts", "account_id", 6}} {
			bad := count(t, r, fmt.Sprintf(`SELECT count(*) FROM %s x WHERE x.budget_at <> coalesce((SELECT t.at FROM touches t
				WHERE t.%s = x.id ORDER BY t.at DESC LIMIT 1 OFFSET %d), 0)`, c.table, c.col, c.n-1))
			if bad != 0 {
				t.Errorf("%s: %d %s have a wrong budget_at", when, bad, c.table)
			}
		}
	}
	check("after the load")
	if n := count(t, r, "SELECT count(*) FROM meta WHERE key = 'budget_deferred'"); n != 0 {
		t.Fatal("the load left its triggers deferred")
	}
	for _, st := range []string{
		"INSERT INTO touches(op_id, contact_id, account_id, channel, outcome, at) SELECT 'x' || id, id, account_id, 'call', 'no-answer', 1800000000000 FROM contacts WHERE id % 3 = 0",
		"UPDATE touches SET at = at - 86400000 WHERE id % 5 = 0",
		"UPDATE touches SET contact_id = 1, account_id = (SELECT account_id FROM contacts WHERE id = 1) WHERE id % 7 = 0",
		"DELETE FROM touches WHERE id % 4 = 0",
		"DELETE FROM contacts WHERE id % 10 = 0",
	} {
		if _, err := r.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		check(st)
	}
}
