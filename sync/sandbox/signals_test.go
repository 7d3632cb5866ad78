package sandbox_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/sync/sandbox"
)

// pulledBesidesSignals is what a sync pulled other than the signals the
// sandbox makes arrive before every sync.
func pulledBesidesSignals(rep model.SyncReport) int {
	n := rep.Pulled
	for _, c := range rep.Changes {
		if c.Kind == model.ChangeSignal {
			n--
		}
	}
	return n
}

// TestDemoSyncBringsABuyerReply: each demo sync, in the same process or a
// new one, brings a new reply from a contact of the book (and every other
// sync a form fill), recorded once, named in the report, unanswered, on
// the channel they used; the same book at the same time brings the same.
func TestDemoSyncBringsABuyerReply(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t, 30)
	now := time.Now()
	sb, err := sandbox.New(ctx, db, now)
	if err != nil {
		t.Fatal(err)
	}
	seen := countSignals(t, db.Path()) // the demo book's own week of signals
	for i, s := range []*sandbox.Sandbox{sb, sb, nil} {
		if s == nil { // a new process: a fresh sandbox from the synced book
			if s, err = sandbox.New(ctx, db, now.Add(time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		before := len(s.Arrivals())
		waiting, err := db.OpenSignalContacts(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		rep := syncOnce(t, db, s)
		arrived := s.Arrivals()[before:]
		for _, a := range arrived {
			if slices.Contains(waiting, a.ContactID) {
				t.Errorf("sync %d: %s reached out again while their last signal waits for an answer", i, a.Name)
			}
		}
		if len(arrived) == 0 || len(arrived) > 2 || arrived[0].Kind != model.SignalReplied {
			t.Fatalf("sync %d: arrivals %+v, want a reply (and maybe a form)", i, arrived)
		}
		named := 0
		for _, c := range rep.Changes {
			if c.Kind == model.ChangeSignal {
				named++
			}
		}
		if named != len(arrived) {
			t.Errorf("sync %d: %d signals named in the report for %d arrivals: %+v", i, named, len(arrived), rep.Changes)
		}
		for _, a := range arrived {
			sig := signalOf(t, db.Path(), a)
			if sig.kind != string(a.Kind) || sig.answered != 0 || sig.detail != a.Detail {
				t.Errorf("sync %d: %+v recorded as %+v", i, a, sig)
			}
			if a.Kind == model.SignalReplied && sig.channel != string(model.TaskEmail) {
				t.Errorf("a reply to answer on %q", sig.channel)
			}
		}
		seen += len(arrived)
		if n := countSignals(t, db.Path()); n != seen {
			t.Errorf("after sync %d: %d signals in the book, %d arrived", i, n, seen)
		}
	}

	// Deterministic: the same book at the same time brings the same buyer.
	db2 := openDemo(t, 30)
	a, _ := sandbox.New(ctx, db2, now)
	syncOnce(t, db2, a)
	if got, want := a.Arrivals()[0], sb.Arrivals()[0]; got.ContactID != want.ContactID || got.Detail != want.Detail {
		t.Errorf("a second book at the same time: %+v, first %+v", got, want)
	}
}

// stored is a signal row as the book holds it.
type stored struct {
	kind, detail, channel string
	answered              int64
}

// signalOf reads the book's signal for an arrival (by the reply's record,
// or the form's contact).
func signalOf(t *testing.T, path string, a sandbox.Arrival) stored {
	t.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var s stored
	q := `SELECT s.kind, s.detail, s.channel, s.answered_at FROM signals s JOIN contacts c ON c.id = s.contact_id
		WHERE c.crm_id = ? AND s.kind = ? ORDER BY s.id DESC LIMIT 1`
	args := []any{a.ContactID, string(a.Kind)}
	if a.RecordID != "" {
		q, args = "SELECT kind, detail, channel, answered_at FROM signals WHERE key = ?", []any{model.SignalRecordKey(model.SignalSourceHubSpot, "emails", a.RecordID)}
	}
	if err := r.QueryRow(q, args...).Scan(&s.kind, &s.detail, &s.channel, &s.answered); err != nil {
		t.Fatalf("the signal of %+v: %v", a, err)
	}
	return s
}

func countSignals(t *testing.T, path string) int {
	t.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	if err := r.QueryRow("SELECT count(*) FROM signals").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
