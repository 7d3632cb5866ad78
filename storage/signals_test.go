package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// listenBook is a small book on the real clock: two stale tier-A accounts
// (one contact each, reachable every way) and a third with an open task.
type listenBook struct {
	db                *storage.DB
	path              string
	acme, bolt, crate int64 // accounts
	dana, eli, fay    int64 // their contacts
	now               time.Time
}

func newListenBook(t *testing.T, opts storage.Options) listenBook {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shortlist.db")
	db, err := storage.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := listenBook{db: db, path: path, now: time.Now().UTC().Truncate(time.Millisecond)}
	err = db.Load(context.Background(), func(l *storage.Loader) error {
		mk := func(name string) (int64, int64, error) {
			a, err := l.Account(model.Account{Name: name, Domain: strings.ToLower(name) + ".example", Industry: "Software",
				Employees: ptr(int64(800)), Country: "United States", TimeZone: "America/New_York"})
			if err != nil {
				return 0, 0, err
			}
			c, err := l.Contact(model.Contact{AccountID: a, FirstName: name[:1] + "ana", LastName: name, Title: "VP Sales",
				Email: "x@" + strings.ToLower(name) + ".example", Phone: "+1 212 555 0100", LinkedInURL: "https://linkedin.example/in/" + name})
			return a, c, err
		}
		var err error
		if b.acme, b.dana, err = mk("Acme"); err != nil {
			return err
		}
		if b.bolt, b.eli, err = mk("Bolt"); err != nil {
			return err
		}
		if b.crate, b.fay, err = mk("Crate"); err != nil {
			return err
		}
		_, err = l.Task(model.Task{AccountID: b.crate, ContactID: b.fay, Kind: model.TaskEmail, Title: "Send deck", Due: b.now.Add(-48 * time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (b listenBook) worklist(t *testing.T, q model.WorklistQuery) model.Worklist {
	t.Helper()
	q.Now, q.Counts = b.now, true
	wl, err := b.db.Worklist(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return wl
}

func TestSignalLeadsAndLeavesWhenAnswered(t *testing.T) {
	ctx := context.Background()
	b := newListenBook(t, testOptions())
	sig, err := b.db.RecordSignal(ctx, model.Signal{ContactID: b.eli, Kind: model.SignalReplied,
		At: b.now.Add(-40 * time.Minute), Detail: "replied: 'Can we talk\nThursday?'", Channel: model.TaskEmail})
	if err != nil {
		t.Fatal(err)
	}
	if sig.AccountID != b.bolt || sig.Source != model.SignalSourceManual || sig.Detail != "replied: 'Can we talk Thursday?'" {
		t.Fatalf("recorded %+v", sig)
	}
	wl := b.worklist(t, model.WorklistQuery{Limit: 20})
	if len(wl.Rows) == 0 || wl.Rows[0].Kind != model.RowSignal || wl.Rows[0].Contact.ID != b.eli || wl.Respond != 1 {
		t.Fatalf("first row %+v, respond %d: want Bolt's reply on top", wl.Rows[0], wl.Respond)
	}
	top := wl.Rows[0]
	if top.Task.Kind != model.TaskEmail || top.Signal == nil || top.Signal.ID != sig.ID || top.Why[0].Name == "" {
		t.Fatalf("respond row %+v", top)
	}
	var speed bool
	for _, w := range top.Why {
		speed = speed || (w.Name == "speed" && w.Value == 9.0 && w.Detail == "replied 40 min ago")
	}
	if !speed {
		t.Errorf("why %+v lacks +9.0 replied 40 min ago", top.Why)
	}

	// Any touch on the contact answers it, in the same transaction.
	res, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: b.eli, Channel: model.ChannelCall, Outcome: model.OutcomeConnected,
		At: b.now, Next: model.NextChoice{Mode: model.NextAuto}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Plan.Answers) != 1 || res.Plan.Cold {
		t.Fatalf("plan answers %d cold %v", len(res.Plan.Answers), res.Plan.Cold)
	}
	r := raw(t, b.path)
	if n := count(t, r, "SELECT count(*) FROM signals WHERE id = ? AND answered_by = ? AND answered_at = ?", sig.ID, res.Touch.ID, b.now.UnixMilli()); n != 1 {
		t.Fatal("the signal is not marked answered by the touch")
	}
	for _, row := range b.worklist(t, model.WorklistQuery{IncludeHeld: true}).Rows {
		if row.Kind == model.RowSignal {
			t.Fatalf("answered signal still listed: %+v", row)
		}
	}
	// Undo puts it back.
	if err := b.db.UndoLog(ctx, res.Touch.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, r, "SELECT count(*) FROM signals WHERE id = ? AND answered_at = 0 AND answered_by IS NULL", sig.ID); n != 1 {
		t.Fatal("undo did not restore the signal")
	}
	if wl := b.worklist(t, model.WorklistQuery{Limit: 5}); wl.Rows[0].Kind != model.RowSignal {
		t.Fatalf("after undo the first row is %s", wl.Rows[0].Kind)
	}
	// Older than the week: off the list, still in the account's timeline.
	b.now = b.now.Add(8 * 24 * time.Hour)
	if wl := b.worklist(t, model.WorklistQuery{IncludeHeld: true}); wl.Respond != 0 || (len(wl.Rows) > 0 && wl.Rows[0].Kind == model.RowSignal) {
		t.Fatalf("a signal over a week old is still a respond row")
	}
	d, err := b.db.AccountDetail(ctx, b.bolt)
	if err != nil || len(d.Signals) != 1 || d.Signals[0].ID != sig.ID {
		t.Fatalf("account signals %+v, %v", d.Signals, err)
	}
}

func TestSignalAnswerRespectsConsentAndBudget(t *testing.T) {
	ctx := context.Background()
	b := newListenBook(t, testOptions())
	r := raw(t, b.path)
	if _, err := r.Exec("UPDATE contacts SET consent_email = 'opted-out', consent_email_source = 'crm' WHERE id = ?", b.dana); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.RecordSignal(ctx, model.Signal{ContactID: b.dana, Kind: model.SignalReplied, At: b.now.Add(-time.Hour),
		Channel: model.TaskEmail}); err != nil {
		t.Fatal(err)
	}
	// The buyer wrote three times (inbound): the budget of 3 is not spent.
	err := b.db.Load(ctx, func(l *storage.Loader) error {
		for i := range 3 {
			if _, err := l.Touch(model.Touch{ContactID: b.dana, AccountID: b.acme, Channel: model.ChannelEmail, Direction: model.Inbound,
				Outcome: model.OutcomeConnected, At: b.now.Add(-time.Duration(i+2) * time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	row := b.worklist(t, model.WorklistQuery{IncludeHeld: true}).Rows[0]
	if row.Kind != model.RowSignal || row.Task.Kind == model.TaskEmail {
		t.Fatalf("answer proposed on %q for a contact who opted out of email", row.Task.Kind)
	}
	if row.HeldReason == model.HoldContactBudget {
		t.Fatalf("the buyer's own messages spent the budget for the answer: %s", row.HeldDetail)
	}
	// Every channel refused: held with the reason, never proposed.
	if _, err := r.Exec("UPDATE contacts SET consent_call = 'opted-out', consent_linkedin = 'opted-out' WHERE id = ?", b.dana); err != nil {
		t.Fatal(err)
	}
	wl := b.worklist(t, model.WorklistQuery{})
	for _, row := range wl.Rows {
		if row.Kind == model.RowSignal {
			t.Fatalf("a respond row on a contact opted out of everything is offered: %+v", row.Task)
		}
	}
	if wl.Held[model.HoldOptedOut] != 1 {
		t.Errorf("held %v, want one opted-out", wl.Held)
	}
}

func TestColdQuotaCountsColdTouches(t *testing.T) {
	ctx := context.Background()
	opts := testOptions()
	opts.Settings.ColdPerDay = 2
	b := newListenBook(t, opts)
	wl := b.worklist(t, model.WorklistQuery{IncludeHeld: true})
	if wl.Suggested != 2 || wl.ColdQuota != 2 || wl.ColdToday != 0 {
		t.Fatalf("suggested %d cold %d/%d, want 2 and 0/2", wl.Suggested, wl.ColdToday, wl.ColdQuota)
	}
	// A cold touch on Acme; a touch on Crate's task is not cold.
	res, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: b.dana, Channel: model.ChannelEmail, Outcome: model.OutcomeSent, At: b.now})
	if err != nil || !res.Plan.Cold {
		t.Fatalf("cold touch: %v, cold %v", err, res.Plan.Cold)
	}
	if res, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: b.fay, Channel: model.ChannelEmail, Outcome: model.OutcomeSent, At: b.now}); err != nil || res.Plan.Cold {
		t.Fatalf("task touch: %v, cold %v", err, res.Plan.Cold)
	}
	if n := count(t, raw(t, b.path), "SELECT count(*) FROM touches WHERE cold = 1"); n != 1 {
		t.Fatalf("%d touches flagged cold, want 1", n)
	}
	opts.Settings.ColdPerDay = 1
	db2, err := storage.Open(ctx, b.path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	// Add one more stale account so there is something left to suggest.
	if err := db2.Load(ctx, func(l *storage.Loader) error {
		a, err := l.Account(model.Account{Name: "Dune", Domain: "dune.example", Industry: "Software", Employees: ptr(int64(800)), Country: "United States"})
		if err != nil {
			return err
		}
		_, err = l.Contact(model.Contact{AccountID: a, FirstName: "Gil", LastName: "Dune", Title: "VP Sales", Email: "g@dune.example"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := db2.Worklist(ctx, model.WorklistQuery{Now: b.now, IncludeHeld: true, Counts: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.ColdToday != 1 || got.Suggested != 0 || got.Held[model.HoldColdQuota] == 0 {
		t.Fatalf("cold %d/%d suggested %d held %v: the one cold touch spends a quota of 1", got.ColdToday, got.ColdQuota, got.Suggested, got.Held)
	}
	for _, row := range got.Rows {
		if row.Kind == model.RowSuggested && row.HeldReason != model.HoldColdQuota {
			t.Errorf("suggested row %s not held by the quota", row.Account.Name)
		}
	}
	if page, _ := db2.Worklist(ctx, model.WorklistQuery{Now: b.now, Limit: 10}); len(page.Rows) != 1 || page.Rows[0].Kind != model.RowTask {
		t.Errorf("page without held rows: %d rows, want only the task", len(page.Rows))
	}
}

func TestRecordSignalRejects(t *testing.T) {
	ctx := context.Background()
	b := newListenBook(t, testOptions())
	for _, tc := range []struct {
		name string
		s    model.Signal
		want string
		is   error
	}{
		{"unknown kind", model.Signal{ContactID: b.dana, Kind: "opened"}, "kind \"opened\" is unknown", nil},
		{"no one", model.Signal{Kind: model.SignalCalled}, "give a contact or an account", nil},
		{"missing contact", model.Signal{ContactID: 9999, Kind: model.SignalCalled}, "contact 9999", model.ErrNotFound},
		{"contact at another account", model.Signal{ContactID: b.dana, AccountID: b.bolt, Kind: model.SignalCalled}, "not at account", model.ErrConflict},
		{"in the future", model.Signal{ContactID: b.dana, Kind: model.SignalCalled, At: time.Now().Add(time.Hour)}, "in the future", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.db.RecordSignal(ctx, tc.s)
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if n := count(t, raw(t, b.path), "SELECT count(*) FROM signals"); n != 0 {
		t.Fatalf("%d signals stored by refused calls", n)
	}
	// Recorded after a touch that came later: already answered by it.
	res, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: b.dana, Channel: model.ChannelCall, Outcome: model.OutcomeConnected, At: b.now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.db.RecordSignal(ctx, model.Signal{ContactID: b.dana, Kind: model.SignalCalled, At: b.now.Add(-2 * time.Hour)})
	if err != nil || s.AnsweredBy != res.Touch.ID {
		t.Fatalf("backdated signal answered by %d (%v), want touch %d", s.AnsweredBy, err, res.Touch.ID)
	}
	// Undo of a manual signal: only while unanswered.
	if err := b.db.UndoSignal(ctx, s.ID); !errors.Is(err, model.ErrConflict) {
		t.Fatalf("undo of an answered signal: %v", err)
	}
	s2, err := b.db.RecordSignal(ctx, model.Signal{AccountID: b.bolt, Kind: model.SignalVisited})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.db.UndoSignal(ctx, s2.ID); err != nil {
		t.Fatal(err)
	}
}

func TestListeningStats(t *testing.T) {
	ctx := context.Background()
	b := newListenBook(t, testOptions())
	for i, c := range []int64{b.dana, b.eli} {
		if _, err := b.db.RecordSignal(ctx, model.Signal{ContactID: c, Kind: model.SignalReplied, At: b.now.Add(-time.Duration(30*(i+1)) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: b.dana, Channel: model.ChannelEmail, Outcome: model.OutcomeSent, At: b.now}); err != nil {
		t.Fatal(err)
	}
	st, err := b.db.Stats(ctx, b.now)
	if err != nil {
		t.Fatal(err)
	}
	l := st.Listening
	if l.Answered != 1 || l.Open != 1 || l.MedianMins != 30 || l.Answers != 1 || l.Touches != 1 || l.Cold != 0 {
		t.Fatalf("listening %+v", l)
	}
	if l.Week < 1 || l.Unanswered != l.Week-l.Answered {
		t.Fatalf("week figures %+v", l)
	}
}

func TestOneRespondRowPerBuyer(t *testing.T) {
	ctx := context.Background()
	b := newListenBook(t, testOptions())
	for _, ago := range []time.Duration{3 * time.Hour, 20 * time.Minute} {
		if _, err := b.db.RecordSignal(ctx, model.Signal{ContactID: b.eli, Kind: model.SignalReplied, At: b.now.Add(-ago)}); err != nil {
			t.Fatal(err)
		}
	}
	wl := b.worklist(t, model.WorklistQuery{})
	if wl.Respond != 1 || wl.Rows[0].Kind != model.RowSignal || !strings.Contains(wl.Rows[0].Task.Title, "+1 more waiting") {
		t.Fatalf("respond %d, first row %+v: want one row for both replies", wl.Respond, wl.Rows[0].Task)
	}
	if wl.Rows[0].Signal.At.Before(b.now.Add(-time.Hour)) {
		t.Errorf("the row shows the older reply, not the newer")
	}
	res, err := b.db.LogTouch(ctx, model.LogRequest{ContactID: b.eli, Channel: model.ChannelEmail, Outcome: model.OutcomeSent, At: b.now})
	if err != nil || len(res.Plan.Answers) != 2 {
		t.Fatalf("one touch answers %d of 2 (%v)", len(res.Plan.Answers), err)
	}
	if wl := b.worklist(t, model.WorklistQuery{}); wl.Respond != 0 {
		t.Fatalf("respond %d after answering", wl.Respond)
	}
}

func TestWaitingBuyerIsNotAlsoCold(t *testing.T) {
	ctx := context.Background()
	b := newListenBook(t, testOptions())
	if _, err := b.db.RecordSignal(ctx, model.Signal{AccountID: b.bolt, Kind: model.SignalVisited, At: b.now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	wl := b.worklist(t, model.WorklistQuery{IncludeHeld: true})
	for _, r := range wl.Rows {
		if r.Kind == model.RowSuggested && r.Account.ID == b.bolt {
			t.Fatalf("Bolt is suggested as cold while its visit waits for an answer")
		}
	}
	if wl.Suggested != 1 || wl.Respond != 1 {
		t.Fatalf("suggested %d respond %d, want Acme suggested and Bolt's visit to answer", wl.Suggested, wl.Respond)
	}
}
