package storage_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// signalBook is a book with one account (CRM c1) and one contact (p1, Ann
// Lee) as a pull writes them, and its file's path.
func signalBook(t *testing.T) (*storage.DB, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shortlist.db")
	db := openDB(t, path)
	mod := time.Now().Add(-time.Hour)
	if _, err := db.ApplyCompanies(ctx, []model.PulledCompany{{Account: model.Account{CRMID: "c1", Name: "Acme"}, Modified: mod}}, "companies.o1", mod); err != nil {
		t.Fatal(err)
	}
	contacts := []model.PulledContact{{Contact: model.Contact{CRMID: "p1", FirstName: "Ann", LastName: "Lee", Title: "VP Sales"}, CompanyIDs: []string{"c1"}}}
	if _, err := db.ApplyContactsTasks(ctx, []string{"c1"}, contacts, nil); err != nil {
		t.Fatal(err)
	}
	return db, path
}

func pulled(key string, kind model.SignalKind, at time.Time, detail string) model.PulledSignal {
	return model.PulledSignal{ContactID: "p1", Signal: model.Signal{Key: key, Kind: kind, At: at, Detail: detail, Source: model.SignalSourceHubSpot, Channel: model.TaskEmail}}
}

func TestApplySignalsRecordsEachOnceWithItsCursor(t *testing.T) {
	ctx := context.Background()
	db, path := signalBook(t)
	r := raw(t, path)
	now := time.Now()
	page := []model.PulledSignal{
		pulled("hubspot:emails:11", model.SignalReplied, now.Add(-40*time.Minute), "replied: 'Can we\n\x1b[31mtalk   Thursday?'"),
		pulled("hubspot:emails:12", model.SignalReplied, now.Add(-8*24*time.Hour), "replied: too old"),
		{ContactID: "p9", Signal: model.Signal{Key: "hubspot:emails:13", Kind: model.SignalReplied, At: now, Source: model.SignalSourceHubSpot}},
		{CompanyID: "c1", Signal: model.Signal{Key: "hubspot:calls:14", Kind: model.SignalCalled, At: now.Add(-time.Minute), Detail: "called in", Source: model.SignalSourceHubSpot}},
		{CompanyID: "c7", Signal: model.Signal{Key: "hubspot:calls:15", Kind: model.SignalCalled, At: now, Source: model.SignalSourceHubSpot}},
	}
	cursor := now.Add(-time.Minute).Truncate(time.Millisecond)
	applied, err := db.ApplySignals(ctx, page, "signals.emails.o1", cursor)
	if err != nil {
		t.Fatal(err)
	}
	if applied.Changed != 2 || len(applied.Changes) != 2 {
		t.Fatalf("applied %+v: want the recent reply and the company's call, not the old one or those outside the book", applied)
	}
	if got := applied.Changes[0].Text(); got != "! Acme: Ann Lee replied: 'Can we talk Thursday?'" {
		t.Errorf("the change reads %q", got)
	}
	if n := count(t, r, "SELECT count(*) FROM signals WHERE key = 'hubspot:calls:14' AND contact_id IS NULL AND account_id > 0"); n != 1 {
		t.Errorf("a call naming only the company is not the account's signal (%d)", n)
	}
	var detail string
	if err := r.QueryRow("SELECT detail FROM signals WHERE key = 'hubspot:emails:11'").Scan(&detail); err != nil || detail != "replied: 'Can we talk Thursday?'" {
		t.Errorf("detail %q (%v): want one sanitised line", detail, err)
	}
	if c, err := db.SyncCursor(ctx, "signals.emails.o1"); err != nil || !c.Equal(cursor) {
		t.Errorf("cursor %v (%v), want %v", c, err, cursor)
	}
	again, err := db.ApplySignals(ctx, page, "signals.emails.o1", cursor)
	if err != nil || again.Changed != 0 {
		t.Errorf("the same page again: %+v, %v", again, err)
	}
	if n := count(t, r, "SELECT count(*) FROM signals"); n != 2 {
		t.Errorf("%d signals after a re-pull, want 2", n)
	}
}

func TestApplySignalsCapsTheDetail(t *testing.T) {
	db, path := signalBook(t)
	long := "replied: '" + strings.Repeat("word ", 100) + "'"
	if _, err := db.ApplySignals(context.Background(), []model.PulledSignal{pulled("hubspot:emails:1", model.SignalReplied, time.Now(), long)}, "k", time.Now()); err != nil {
		t.Fatal(err)
	}
	var detail string
	if err := raw(t, path).QueryRow("SELECT detail FROM signals").Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(detail)); n > model.SignalDetailMax || !strings.HasSuffix(detail, "…") {
		t.Errorf("detail of %d characters: %q", n, detail)
	}
}

// TestSignalsWithContactsVisitAfterQuietSpell: the first visit the book
// sees is only remembered; a visit days later is not a return; one after 30
// quiet days is, once.
func TestSignalsWithContactsVisitAfterQuietSpell(t *testing.T) {
	ctx := context.Background()
	db, path := signalBook(t)
	r := raw(t, path)
	now := time.Now().Truncate(time.Millisecond)
	visit := func(at time.Time) int {
		t.Helper()
		pc := model.PulledContact{Contact: model.Contact{CRMID: "p1", FirstName: "Ann", LastName: "Lee", Title: "VP Sales"}, CompanyIDs: []string{"c1"},
			Signals: []model.PulledSignal{{ContactID: "p1", Signal: model.Signal{Key: model.SignalPropertyKey("hubspot", "hs_analytics_last_visit_timestamp", "p1", at),
				Kind: model.SignalVisited, At: at, Detail: "back on the website", Source: model.SignalSourceHubSpot}}}}
		if _, err := db.ApplyContacts(ctx, []model.PulledContact{pc}, "contacts.o1", now); err != nil {
			t.Fatal(err)
		}
		return count(t, r, "SELECT count(*) FROM signals WHERE kind = 'visited'")
	}
	if n := visit(now.Add(-40 * 24 * time.Hour)); n != 0 {
		t.Fatalf("a first visit seen is a signal (%d)", n)
	}
	if n := visit(now.Add(-36 * 24 * time.Hour)); n != 0 {
		t.Fatalf("a visit 4 days after the last is a signal (%d)", n)
	}
	if n := visit(now.Add(-2 * time.Hour)); n != 1 {
		t.Fatalf("a return after 36 quiet days: %d signals, want 1", n)
	}
	if n := visit(now.Add(-2 * time.Hour)); n != 1 {
		t.Fatalf("the same visit read again: %d signals", n)
	}
	if n := visit(now.Add(-time.Hour)); n != 1 {
		t.Fatalf("a visit an hour after the return is another signal (%d)", n)
	}
}

// TestReplySeenTwiceIsOneSignal: HubSpot tells a reply as the email it
// logged and as hs_sales_email_last_replied on the contact; either order,
// the book holds one signal, the email's.
func TestReplySeenTwiceIsOneSignal(t *testing.T) {
	ctx := context.Background()
	at := time.Now().Add(-20 * time.Minute).Truncate(time.Millisecond)
	prop := pulled(model.SignalPropertyKey("hubspot", "hs_sales_email_last_replied", "p1", at.Add(2*time.Minute)), model.SignalReplied, at.Add(2*time.Minute), "replied to your email")
	mail := pulled("hubspot:emails:21", model.SignalReplied, at, "replied: 'Thursday works'")
	for _, order := range [][]model.PulledSignal{{prop, mail}, {mail, prop}} {
		db, path := signalBook(t)
		for _, s := range append(order, order...) { // each read twice
			if _, err := db.ApplySignals(ctx, []model.PulledSignal{s}, "k", at); err != nil {
				t.Fatal(err)
			}
		}
		var key, detail string
		r := raw(t, path)
		if n := count(t, r, "SELECT count(*) FROM signals"); n != 1 {
			t.Fatalf("%s first: %d signals", order[0].Signal.Key, n)
		}
		if err := r.QueryRow("SELECT key, detail FROM signals").Scan(&key, &detail); err != nil || key != mail.Signal.Key || detail != mail.Signal.Detail {
			t.Errorf("%s first: kept %q %q (%v), want the email's", order[0].Signal.Key, key, detail, err)
		}
	}
	// Two reply emails are two replies.
	db, path := signalBook(t)
	other := pulled("hubspot:emails:22", model.SignalReplied, at.Add(5*time.Minute), "replied: 'and bring Sam'")
	if _, err := db.ApplySignals(ctx, []model.PulledSignal{mail, other}, "k", at); err != nil {
		t.Fatal(err)
	}
	if n := count(t, raw(t, path), "SELECT count(*) FROM signals"); n != 2 {
		t.Errorf("two reply emails: %d signals", n)
	}
}

// TestApplySignalsIsAllOrNothing: a page with a bad signal stores none of
// it and leaves the cursor where it was.
func TestApplySignalsIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db, path := signalBook(t)
	page := []model.PulledSignal{
		pulled("hubspot:emails:31", model.SignalReplied, time.Now(), "ok"),
		pulled("hubspot:emails:32", "opened", time.Now(), "an open is not a signal"),
	}
	if _, err := db.ApplySignals(ctx, page, "signals.emails.o1", time.Now()); err == nil {
		t.Fatal("a page with an unknown kind applied")
	}
	if n := count(t, raw(t, path), "SELECT count(*) FROM signals"); n != 0 {
		t.Errorf("%d signals kept from a refused page", n)
	}
	if c, _ := db.SyncCursor(ctx, "signals.emails.o1"); !c.IsZero() {
		t.Errorf("cursor moved to %v", c)
	}
}

// TestPulledSignalAlreadyAnswered: a reply the rep answered before the
// sync brought it (an email sent and logged after it) is stored answered
// by that touch; one after the touch waits for an answer.
func TestPulledSignalAlreadyAnswered(t *testing.T) {
	ctx := context.Background()
	db, path := signalBook(t)
	r := raw(t, path)
	var ann int64
	if err := r.QueryRow("SELECT id FROM contacts WHERE crm_id = 'p1'").Scan(&ann); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Millisecond)
	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: ann, Channel: model.ChannelEmail, Direction: model.Outbound,
		Outcome: model.OutcomeSent, Note: "Thursday 3pm works", At: now.Add(-10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	page := []model.PulledSignal{
		pulled("hubspot:emails:41", model.SignalReplied, now.Add(-30*time.Minute), "replied: 'Can we talk Thursday?'"),
		pulled("hubspot:emails:42", model.SignalReplied, now.Add(-5*time.Minute), "replied: 'Great, see you then'"),
	}
	if _, err := db.ApplySignals(ctx, page, "k", now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, r, "SELECT count(*) FROM signals WHERE key = 'hubspot:emails:41' AND answered_by = ? AND answered_at = ?",
		res.Touch.ID, now.Add(-10*time.Minute).UnixMilli()); n != 1 {
		t.Errorf("the reply answered before the sync is not stored answered by touch %d", res.Touch.ID)
	}
	if n := count(t, r, "SELECT count(*) FROM signals WHERE key = 'hubspot:emails:42' AND answered_at = 0 AND answered_by IS NULL"); n != 1 {
		t.Errorf("the reply after the touch is stored answered")
	}
}

// TestVisitOddities: a visit naming only a company is no one's and is
// passed over; a visit time ahead of the clock is not remembered, so the
// real visits after it still count.
func TestVisitOddities(t *testing.T) {
	ctx := context.Background()
	db, path := signalBook(t)
	r := raw(t, path)
	now := time.Now().Truncate(time.Millisecond)
	visit := func(ps model.PulledSignal) {
		t.Helper()
		if _, err := db.ApplySignals(ctx, []model.PulledSignal{ps}, "k", now); err != nil {
			t.Fatal(err)
		}
	}
	at := func(d time.Duration) model.PulledSignal {
		a := now.Add(d)
		return pulled(model.SignalPropertyKey("hubspot", "hs_analytics_last_visit_timestamp", "p1", a), model.SignalVisited, a, "back")
	}
	visit(model.PulledSignal{CompanyID: "c1", Signal: at(-time.Hour).Signal})
	visit(at(48 * time.Hour))       // a clock that is off
	visit(at(-40 * 24 * time.Hour)) // the first real visit seen
	visit(at(-time.Minute))         // a return after 40 days
	if n := count(t, r, "SELECT count(*) FROM signals WHERE kind = 'visited' AND contact_id IS NOT NULL"); n != 1 {
		t.Errorf("%d visited signals, want the return", n)
	}
	if n := count(t, r, "SELECT count(*) FROM signals"); n != 1 {
		t.Errorf("%d signals in all", n)
	}
}
