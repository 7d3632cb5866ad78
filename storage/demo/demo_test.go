package demo_test

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

// now is the book's clock: a Tuesday morning in New York.
var now = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)

// book writes a demo book of n accounts and returns a plain connection to
// its file, so the checks do not go through the code that wrote it.
func book(t *testing.T, n int) *sql.DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	db, err := storage.Open(ctx, path, storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := demo.Generate(ctx, db, demo.Options{Accounts: n, Seed: 1, Now: now}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func count(t *testing.T, r *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := r.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestBookIsCoherent checks that what a rep sees about an account agrees
// with its touch history: last touched, statuses, flags, consent and the
// open tasks all follow from the touches table.
func TestBookIsCoherent(t *testing.T) {
	r := book(t, 400)
	nowMS := now.UnixMilli()
	window := now.AddDate(0, 0, -24).UnixMilli() // three weeks back to the business day before
	day := int64(24 * time.Hour / time.Millisecond)

	// Each case counts the rows that break one invariant: want 0.
	bad := []struct{ name, query string }{
		{"account last touched is its newest touch", `SELECT count(*) FROM accounts a
			WHERE a.last_touched <> coalesce((SELECT max(at) FROM touches WHERE account_id = a.id), 0)`},
		{"contact last touched is its newest touch", `SELECT count(*) FROM contacts c
			WHERE c.last_touched <> coalesce((SELECT max(at) FROM touches WHERE contact_id = c.id), 0)`},
		{"touch contact belongs to the touch account", `SELECT count(*) FROM touches t JOIN contacts c ON c.id = t.contact_id
			WHERE c.account_id <> t.account_id`},
		{"no touch in the future", `SELECT count(*) FROM touches WHERE at >= ?`},
		{"a touch older than three weeks is the account's only one", `SELECT count(*) FROM touches t
			WHERE t.at < ? AND (SELECT count(*) FROM touches WHERE account_id = t.account_id) > 1`},
		{"a booked meeting makes the account engaged or later", `SELECT count(*) FROM accounts a
			WHERE a.status NOT IN ('engaged', 'opportunity')
			AND EXISTS (SELECT 1 FROM touches WHERE account_id = a.id AND outcome = 'meeting-booked')`},
		{"engaged and opportunity accounts show the meeting", `SELECT count(*) FROM accounts a
			WHERE a.status IN ('engaged', 'opportunity')
			AND NOT EXISTS (SELECT 1 FROM touches WHERE account_id = a.id AND outcome = 'meeting-booked')`},
		{"an untouched account is a target or disqualified", `SELECT count(*) FROM accounts a
			WHERE a.status NOT IN ('target', 'disqualified') AND a.last_touched = 0`},
		{"a touched account is no longer a target", `SELECT count(*) FROM accounts a
			WHERE a.status = 'target' AND a.last_touched <> 0`},
		{"disqualified accounts have no open tasks", `SELECT count(*) FROM tasks k JOIN accounts a ON a.id = k.account_id
			WHERE a.status = 'disqualified' AND k.status IN ('open', 'snoozed')`},
		{"a wrong number flags the phone", `SELECT count(*) FROM touches t JOIN contacts c ON c.id = t.contact_id
			WHERE t.outcome = 'wrong-number' AND c.phone_bad = 0`},
		{"a flagged phone came from a wrong number", `SELECT count(*) FROM contacts c WHERE c.phone_bad = 1
			AND NOT EXISTS (SELECT 1 FROM touches WHERE contact_id = c.id AND outcome = 'wrong-number')`},
		{"no call after a wrong number", `SELECT count(*) FROM touches t JOIN touches w
			ON w.contact_id = t.contact_id AND w.outcome = 'wrong-number'
			WHERE t.channel = 'call' AND t.at > w.at`},
		{"an opt-out records the consent with its source and date", `SELECT count(*) FROM touches t
			JOIN contacts c ON c.id = t.contact_id WHERE t.outcome = 'opted-out' AND NOT (
			  (t.channel = 'call' AND c.consent_call = 'opted-out' AND c.consent_call_source <> '' AND c.consent_call_at = t.at) OR
			  (t.channel = 'email' AND c.consent_email = 'opted-out' AND c.consent_email_source <> '' AND c.consent_email_at = t.at) OR
			  (t.channel = 'linkedin' AND c.consent_linkedin = 'opted-out' AND c.consent_linkedin_source <> '' AND c.consent_linkedin_at = t.at))`},
		{"every opt-out has a source and date", `SELECT count(*) FROM contacts WHERE
			(consent_call = 'opted-out' AND (consent_call_source = '' OR consent_call_at = 0)) OR
			(consent_email = 'opted-out' AND (consent_email_source = '' OR consent_email_at = 0)) OR
			(consent_linkedin = 'opted-out' AND (consent_linkedin_source = '' OR consent_linkedin_at = 0))`},
		{"no touch on a channel after its opt-out", `SELECT count(*) FROM touches t JOIN contacts c ON c.id = t.contact_id
			WHERE (t.channel = 'call' AND c.consent_call = 'opted-out' AND t.at > c.consent_call_at)
			   OR (t.channel = 'email' AND c.consent_email = 'opted-out' AND t.at > c.consent_email_at)
			   OR (t.channel = 'linkedin' AND c.consent_linkedin = 'opted-out' AND t.at > c.consent_linkedin_at)`},
		{"open tasks use a channel the contact can be reached on", `SELECT count(*) FROM tasks k
			JOIN contacts c ON c.id = k.contact_id WHERE k.status IN ('open', 'snoozed') AND (
			  (k.kind = 'call' AND (c.phone = '' OR c.phone_bad = 1 OR c.consent_call = 'opted-out')) OR
			  (k.kind = 'email' AND (c.email = '' OR c.consent_email = 'opted-out')) OR
			  (k.kind = 'linkedin' AND (c.linkedin_url = '' OR c.consent_linkedin = 'opted-out')))`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var args []any
			switch tc.name {
			case "no touch in the future":
				args = []any{nowMS}
			case "a touch older than three weeks is the account's only one":
				args = []any{window}
			}
			if n := count(t, r, tc.query, args...); n != 0 {
				t.Errorf("%d rows break it", n)
			}
		})
	}

	// The history is a plausible mix: each of these shows up, notes on
	// some touches but not all, and most touches within three weeks.
	t.Run("history mix", func(t *testing.T) {
		total := count(t, r, "SELECT count(*) FROM touches")
		recent := count(t, r, "SELECT count(*) FROM touches WHERE at >= ?", window)
		if total == 0 || recent < total*9/10 {
			t.Fatalf("%d touches, %d in the last three weeks: want most of them recent", total, recent)
		}
		if old := count(t, r, "SELECT count(*) FROM touches WHERE at < ?", window); old == 0 {
			t.Errorf("no account was last touched before the window: quiet accounts need their old touch")
		}
		for _, o := range []model.Outcome{model.OutcomeNoAnswer, model.OutcomeConnected, model.OutcomeSent,
			model.OutcomeMeetingBooked, model.OutcomeNotInterested, model.OutcomeLeftVoicemail} {
			if count(t, r, "SELECT count(*) FROM touches WHERE outcome = ?", string(o)) == 0 {
				t.Errorf("no %s touch in %d", o, total)
			}
		}
		noted := count(t, r, "SELECT count(*) FROM touches WHERE note <> ''")
		if noted == 0 || noted == total {
			t.Errorf("%d of %d touches have notes: want some", noted, total)
		}
		for _, s := range model.AccountStatuses {
			if count(t, r, "SELECT count(*) FROM accounts WHERE status = ?", string(s)) == 0 {
				t.Errorf("no %s account", s)
			}
		}
	})

	// Open tasks follow from the last outcomes where still plausible: a
	// good share of touched accounts carry the rule's next action, created
	// at their last touch.
	t.Run("next actions follow the last touch", func(t *testing.T) {
		touched := count(t, r, "SELECT count(*) FROM accounts WHERE last_touched >= ?", now.AddDate(0, 0, -7).UnixMilli())
		follow := count(t, r, `SELECT count(DISTINCT k.account_id) FROM tasks k JOIN accounts a ON a.id = k.account_id
			WHERE k.status = 'open' AND k.created_at = a.last_touched AND a.last_touched >= ?`, now.AddDate(0, 0, -7).UnixMilli())
		if touched == 0 || follow < touched/5 {
			t.Errorf("%d of %d accounts touched this week have the next action from their last touch", follow, touched)
		}
		if n := count(t, r, `SELECT count(*) FROM tasks k JOIN accounts a ON a.id = k.account_id
			WHERE k.created_at = a.last_touched AND k.due < ?`, nowMS-2*day); n != 0 {
			t.Errorf("%d next actions were due long ago: the rep would have done them", n)
		}
	})
}

// TestSameSeedSameBook checks that a seed and clock always write the same
// book, which golden screens and the bench rely on.
func TestSameSeedSameBook(t *testing.T) {
	sum := func(r *sql.DB) [3]int {
		return [3]int{
			count(t, r, "SELECT coalesce(sum(last_touched % 1000003), 0) FROM accounts"),
			count(t, r, "SELECT coalesce(sum(at % 1000003), 0) FROM touches"),
			count(t, r, "SELECT count(*) FROM tasks"),
		}
	}
	if a, b := sum(book(t, 60)), sum(book(t, 60)); a != b {
		t.Errorf("two books from seed 1 differ: %v and %v", a, b)
	}
}

// TestProgress: Generate reports the accounts written after each
// transaction, ending at the total.
func TestProgress(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "p.db"), storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got [][2]int
	err = demo.Generate(ctx, db, demo.Options{Accounts: 12, Seed: 1, Now: now, Progress: func(done, total int) { got = append(got, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != [2]int{12, 12} {
		t.Errorf("progress = %v, want [[12 12]]", got)
	}
}
