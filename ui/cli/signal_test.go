package cli_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/ui/cli"
)

func (f *fixture) signals() int {
	f.t.Helper()
	db, err := sql.Open("sqlite", f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM signals").Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// emailable is a contact of a task row who may be emailed: a respond row
// on it answers by email and is not held for consent.
func emailable(t *testing.T, tj cli.TodayJSON) cli.RowJSON {
	t.Helper()
	for _, r := range tj.Rows {
		if r.Kind == "task" && r.ContactID != 0 && !r.Held && r.Action == "email" {
			return r
		}
	}
	t.Fatal("no unheld email task row in the fixture")
	return cli.RowJSON{}
}

func TestSignalCommandLeadsToday(t *testing.T) {
	f := newFixture(t)
	row := emailable(t, f.today())
	id := fmt.Sprint(row.ContactID)
	before := f.signals()
	out := f.ok("signal", "--contact", id, "--kind", "replied", "--note", "Can we talk\nThursday?", "--at", "40m")
	if !strings.Contains(out, "recorded: "+row.Contact+" ("+row.Account+") replied 40 min ago") {
		t.Errorf("signal said %q", out)
	}
	if f.signals() != before+1 {
		t.Fatalf("%d signals, want %d", f.signals(), before+1)
	}
	tj := f.today()
	var got *cli.RowJSON
	for i, r := range tj.Rows {
		if r.Kind != "signal" {
			// Every respond row comes before the rest of the work.
			for _, later := range tj.Rows[i:] {
				if later.Kind == "signal" {
					t.Fatalf("a respond row (%s) after a %s row", later.Contact, r.Kind)
				}
			}
			break
		}
		if r.ContactID == row.ContactID {
			got = &tj.Rows[i]
		}
	}
	if got == nil {
		t.Fatalf("no respond row for contact %s in %+v", id, tj.Rows[:3])
	}
	if got.Signal == nil || got.Signal.Kind != "replied" || got.Signal.Detail != "Can we talk Thursday?" ||
		got.Signal.Source != model.SignalSourceManual || got.Action != "email" || got.TaskID != 0 {
		t.Errorf("respond row %+v signal %+v", got, got.Signal)
	}
	if tj.Respond < 1 || tj.ColdQuota != 10 {
		t.Errorf("respond %d cold quota %d", tj.Respond, tj.ColdQuota)
	}
	if len(got.Why) == 0 || got.Why[0].Name == "" {
		t.Errorf("why %+v", got.Why)
	}
	// The text table leads with the speed term.
	if text := f.ok("today", "--limit", "0"); !strings.Contains(text, "+9.0 replied 40 min ago") {
		t.Errorf("today does not show the speed term:\n%s", text)
	}
	// Answering it (log) takes it off the list.
	f.ok("log", "--contact", id, "--outcome", "sent", "--channel", "email", "--next", "none")
	for _, r := range f.today().Rows {
		if r.Kind == "signal" && r.ContactID == row.ContactID {
			t.Fatalf("answered signal still on today: %+v", r)
		}
	}
}

func TestSignalCommandFlagsAndErrors(t *testing.T) {
	f := newFixture(t)
	row := emailable(t, f.today())
	id := fmt.Sprint(row.ContactID)
	// Flags in any order, globals before the command.
	var a, b model.Signal
	if err := json.Unmarshal([]byte(f.ok("--json", "signal", "--kind", "called", "--contact", id)), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(f.ok("signal", "--contact="+id, "--json", "--kind=form")), &b); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Kind != model.SignalCalled || a.ContactID != row.ContactID || b.Kind != model.SignalForm || b.AccountID != row.AccountID {
		t.Errorf("json %+v / %+v", a, b)
	}
	// An account alone.
	f.ok("signal", "--account", fmt.Sprint(row.AccountID), "--kind", "visited", "--note", "pricing page")
	stored := f.signals()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"signal", "--kind", "replied"}, cli.ExitUsage, "signal needs --contact ID"},
		{[]string{"signal", "--contact", id}, cli.ExitUsage, "signal needs --kind"},
		{[]string{"signal", "--contact", id, "--kind", "opened"}, cli.ExitUsage, "an email open is not a signal"},
		{[]string{"signal", "--contact", id, "--kind", "waved"}, cli.ExitUsage, "unknown signal kind \"waved\""},
		{[]string{"signal", id, "--kind", "replied"}, cli.ExitUsage, "signal takes flags only"},
		{[]string{"signal", "--contact", "99999", "--kind", "replied"}, cli.ExitFailure, "contact 99999 not found"},
		{[]string{"signal", "--account", "99999", "--kind", "visited"}, cli.ExitFailure, "account 99999 not found"},
		{[]string{"signal", "--contact", id, "--kind", "replied", "--at", "tomorrow"}, cli.ExitUsage, "--at: \"tomorrow\" is not a time"},
		{[]string{"signal", "--contact", id, "--kind", "replied", "--at", "2099-01-01 10:00"}, cli.ExitUsage, "is in the future"},
		{[]string{"signal", "--contact", id, "--kind", "replied", "--at", "-5m"}, cli.ExitUsage, "positive duration"},
		{[]string{"signal", "--contact", "x", "--kind", "replied"}, cli.ExitUsage, "--contact"},
	} {
		code, out, errOut := f.run(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", tc.args, code, out, errOut, tc.code, tc.want)
		}
		if lines := strings.Count(strings.TrimRight(errOut, "\n"), "\n"); lines > 0 {
			t.Errorf("%v: %d-line error %q, want one line", tc.args, lines+1, errOut)
		}
	}
	if f.signals() != stored {
		t.Errorf("refused commands stored %d signals", f.signals()-stored)
	}
}

func TestShowListsSignals(t *testing.T) {
	f := newFixture(t)
	row := emailable(t, f.today())
	f.ok("signal", "--contact", fmt.Sprint(row.ContactID), "--kind", "meeting", "--note", "asked for a demo Thursday", "--at", "2h")
	var d cli.DetailJSON
	if err := json.Unmarshal([]byte(f.ok("show", fmt.Sprint(row.AccountID), "--json")), &d); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, g := range d.Signals {
		found = found || (g.Kind == "meeting" && g.Detail == "asked for a demo Thursday" && g.ContactID == row.ContactID && g.AnsweredAt == "")
	}
	if !found {
		t.Fatalf("show --json signals %+v lack the recorded one", d.Signals)
	}
	if text := f.ok("show", fmt.Sprint(row.AccountID)); !strings.Contains(text, "Signals (what buyers did") || !strings.Contains(text, "asked for a demo Thursday") {
		t.Errorf("show text lacks the signal:\n%s", text)
	}
}

func TestSignalUndo(t *testing.T) {
	f := newFixture(t)
	row := emailable(t, f.today())
	var s model.Signal
	if err := json.Unmarshal([]byte(f.ok("signal", "--contact", fmt.Sprint(row.ContactID), "--kind", "called", "--json")), &s); err != nil {
		t.Fatal(err)
	}
	n := f.signals()
	if code, _, errOut := f.run("signal", "--undo", fmt.Sprint(s.ID), "--kind", "called"); code != cli.ExitUsage || !strings.Contains(errOut, "--undo takes only") {
		t.Errorf("undo with other flags: %d %q", code, errOut)
	}
	if out := f.ok("signal", "--undo", fmt.Sprint(s.ID)); !strings.Contains(out, fmt.Sprintf("undone: signal %d", s.ID)) || f.signals() != n-1 {
		t.Errorf("undo: %q, %d signals, want %d", out, f.signals(), n-1)
	}
	if code, _, errOut := f.run("signal", "--undo", fmt.Sprint(s.ID)); code != cli.ExitFailure || !strings.Contains(errOut, "not found") {
		t.Errorf("undo twice: %d %q", code, errOut)
	}
	// An answered one stays: its touch's undo puts it back instead.
	s2 := model.Signal{}
	if err := json.Unmarshal([]byte(f.ok("signal", "--contact", fmt.Sprint(row.ContactID), "--kind", "replied", "--json")), &s2); err != nil {
		t.Fatal(err)
	}
	f.ok("log", "--contact", fmt.Sprint(row.ContactID), "--outcome", "sent", "--channel", "email", "--next", "none")
	if code, _, errOut := f.run("signal", "--undo", fmt.Sprint(s2.ID)); code != cli.ExitFailure || !strings.Contains(errOut, "not yet answered") {
		t.Errorf("undo of an answered signal: %d %q", code, errOut)
	}
}
