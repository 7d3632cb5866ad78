package storage_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage/demo"
)

func TestDemoBookShape(t *testing.T) {
	db := demoDB(t, 300)
	ctx := context.Background()
	r := raw(t, db.Path())
	between := func(what string, got, lo, hi int) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s: %d, want %d–%d", what, got, lo, hi)
		}
	}
	between("contacts", count(t, r, "SELECT count(*) FROM contacts"), 1000, 1400)
	between("touches", count(t, r, "SELECT count(*) FROM touches"), 1500, 4000)
	between("tier A accounts", count(t, r, "SELECT count(*) FROM accounts WHERE tier = 'A'"), 10, 150)
	between("excluded accounts", count(t, r, "SELECT count(*) FROM accounts WHERE industry = 'Government' OR employees < 20"), 5, 60)
	between("opted-out contacts", count(t, r, "SELECT count(*) FROM contacts WHERE 'opted-out' IN (consent_call, consent_email, consent_linkedin)"), 20, 150)
	between("distinct zones", count(t, r, "SELECT count(DISTINCT time_zone) FROM accounts"), 12, 30)
	if n := count(t, r, "SELECT count(*) FROM outbox"); n != 0 {
		t.Errorf("demo wrote %d outbox rows", n)
	}
	if n := count(t, r, "SELECT count(*) - count(DISTINCT name) FROM accounts"); n != 0 {
		t.Errorf("%d duplicate account names", n)
	}
	wl, err := db.Worklist(ctx, model.WorklistQuery{Now: clock, Limit: 20, Counts: true})
	if err != nil {
		t.Fatal(err)
	}
	between("task rows due today or overdue (held or not)", count(t, r,
		"SELECT count(*) FROM tasks WHERE status IN ('open','snoozed') AND due < CASE due_has_time WHEN 0 THEN ? ELSE ? END",
		model.CivilDate(clock).AddDate(0, 0, 1).UnixMilli(), clock.Add(15*3600e9).UnixMilli()), 18, 50)
	if wl.Due+wl.Overdue == 0 || wl.Suggested == 0 || wl.HeldBack == 0 || len(wl.Rows) != 20 {
		t.Errorf("worklist due %d overdue %d suggested %d held %d rows %d", wl.Due, wl.Overdue, wl.Suggested, wl.HeldBack, len(wl.Rows))
	}
	// Same options, same book.
	other := demoDB(t, 300)
	a, _ := db.Accounts(ctx, model.AccountFilter{Limit: 5})
	b, _ := other.Accounts(ctx, model.AccountFilter{Limit: 5})
	if ja, jb := jsonOf(a), jsonOf(b); ja != jb {
		t.Errorf("two books from the same seed and clock differ:\n%v\n%v", a, b)
	}
	if err := demo.Generate(ctx, db, demo.Options{Accounts: 5, Now: clock}); err == nil {
		t.Error("generating into a non-empty book succeeded")
	}
}

func TestReads(t *testing.T) {
	db := demoDB(t, 100)
	ctx := context.Background()
	accs, err := db.Accounts(ctx, model.AccountFilter{Limit: 3})
	if err != nil || len(accs) != 3 || accs[0].Fit < accs[2].Fit {
		t.Fatalf("accounts %v, %v", accs, err)
	}
	d, err := db.AccountDetail(ctx, accs[0].ID)
	if err != nil || d.Fit.Score != accs[0].Fit || len(d.Contacts) == 0 {
		t.Fatalf("detail %+v, %v", d.Fit, err)
	}
	res, err := db.Search(ctx, accs[0].Name[:5], 10)
	hits := res.Hits
	if err != nil || len(hits) == 0 || hits[0].ContactID != 0 {
		t.Fatalf("search %v, %v", hits, err)
	}
	res, err = db.Search(ctx, d.Contacts[0].Email, 10)
	hits = res.Hits
	if err != nil || len(hits) == 0 || hits[0].ContactID != d.Contacts[0].ID {
		t.Fatalf("contact search %v, %v", hits, err)
	}
	st, err := db.Stats(ctx, clock)
	if err != nil || len(st.Days) != 14 || st.TierA == 0 || st.Calls == 0 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	sum := 0
	for _, dc := range st.Days {
		sum += dc.Touches
	}
	if sum == 0 {
		t.Error("no touches in the last 14 days")
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
