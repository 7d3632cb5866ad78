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
	_ "modernc.org/sqlite"
)

// openTasks counts a contact's open tasks of a kind, read straight from the
// book, as the CRM push would see them.
func (f *fixture) openTasks(contact int64, kind string) int {
	return f.openTasksFrom(contact, kind, "%")
}

// openTasksFrom is openTasks for tasks of one origin (local, crm; %: any).
func (f *fixture) openTasksFrom(contact int64, kind, origin string) int {
	f.t.Helper()
	db, err := sql.Open("sqlite", f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM tasks WHERE contact_id = ? AND kind = ?
		AND status IN ('open', 'snoozed') AND origin LIKE ?`, contact, kind, origin).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestLogOptOutWithNextNeverCallsAgain: `log --channel call --outcome
// opted-out --next today` records the opt-out and opens no call task: the
// date is kept, on a channel the contact still accepts, and the refusal is
// said in one line (and in --json as data).
func TestLogOptOutWithNextNeverCallsAgain(t *testing.T) {
	f := newFixture(t)
	r := callRow(t, f.today())
	out := f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--channel", "call", "--outcome", "opted-out", "--next", "today")
	if n := f.openTasks(r.ContactID, "call"); n != 0 {
		t.Fatalf("after a call opt-out with --next today, %d open call tasks (output %q)", n, out)
	}
	if !strings.Contains(out, "no call task: ") || !strings.Contains(out, "opted out of calls") {
		t.Errorf("the refusal is not said: %q", out)
	}
	// A second override on the same contact, as JSON: refused as data.
	var lj cli.LogJSON
	js := f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--channel", "call", "--outcome", "no-answer", "--next", "+2", "--json")
	if err := json.Unmarshal([]byte(js), &lj); err != nil {
		t.Fatal(err)
	}
	if lj.Next != nil && lj.Next.Kind == "call" {
		t.Fatalf("a contact opted out of calls got a call follow-up: %+v", lj.Next)
	}
	if len(lj.Plan.Refused) != 1 || lj.Plan.Refused[0].Reason != "opted-out" || lj.Plan.Refused[0].Kind != "call" {
		t.Errorf("plan.refused = %+v, want the call refused as opted-out", lj.Plan.Refused)
	}
	if n := f.openTasks(r.ContactID, "call"); n != 0 {
		t.Errorf("%d open call tasks after the override", n)
	}
}

// TestLogDoesNotPileUp: eleven no-answers on one contact leave one open
// "Call again", each replacing the one before (closed as superseded), and
// the output says what it replaced.
func TestLogDoesNotPileUp(t *testing.T) {
	f := newFixture(t)
	r := callRow(t, f.today())
	crm := f.openTasksFrom(r.ContactID, "call", "crm")
	var out string
	for i := 0; i < 11; i++ {
		out = f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "no-answer")
	}
	// A task filed in the CRM (a manager's) is not Shortlist's to replace.
	if n, c := f.openTasksFrom(r.ContactID, "call", "local"), f.openTasksFrom(r.ContactID, "call", "crm"); n != 1 || c != crm {
		t.Fatalf("after 11 logs: %d open local call tasks and %d from the CRM (%d before), want one follow-up and the CRM's kept", n, c, crm)
	}
	if !strings.Contains(out, "replaces call again due ") || !strings.Contains(out, "closed as superseded") {
		t.Errorf("the last log does not say what it replaced: %q", out)
	}
	// Undo puts the replaced follow-up back.
	var lj cli.LogJSON
	if err := json.Unmarshal([]byte(f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "no-answer", "--json")), &lj); err != nil {
		t.Fatal(err)
	}
	if len(lj.Plan.Replaces) != 1 {
		t.Fatalf("plan.replaces = %v, want the previous follow-up", lj.Plan.Replaces)
	}
	f.ok("undo", fmt.Sprint(lj.Touch.ID))
	if n := f.openTasks(r.ContactID, "call"); n == 0 {
		t.Errorf("undo left no open call follow-up: the superseded one was not restored")
	}
}

// TestStatsShowRestraint: shortlist stats shows holding back as figures, and
// an opt-out logged now counts this week.
func TestStatsShowRestraint(t *testing.T) {
	f := newFixture(t)
	r := callRow(t, f.today())
	var before model.Stats
	if err := json.Unmarshal([]byte(f.ok("stats", "--json")), &before); err != nil {
		t.Fatal(err)
	}
	f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--channel", "email", "--outcome", "opted-out")
	var st model.Stats
	if err := json.Unmarshal([]byte(f.ok("stats", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	rs := st.Restraint
	if rs.OptOutsWeek != before.Restraint.OptOutsWeek+1 || rs.HeldBack == 0 || rs.ContactsTouched == 0 || rs.Budget == 0 {
		t.Errorf("restraint %+v (before %+v): want one more opt-out, rows held, contacts touched", rs, before.Restraint)
	}
	out := f.ok("stats")
	for _, want := range []string{"Restraint", "held back now", "not suggested", "opt-outs", "at the budget of"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats output lacks %q:\n%s", want, out)
		}
	}
}
