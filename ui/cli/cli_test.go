package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/charmbracelet/lipgloss"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/demo"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// now is the fixed clock every test runs at: a Monday afternoon in Europe,
// morning in the Americas.
var now = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

const testAccounts = 150

// fixture is a small demo book in a temp dir and an Env over it.
type fixture struct {
	t    *testing.T
	path string
	env  cli.Env
	out  *bytes.Buffer
	err  *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.db")
	opts := storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()}
	db, err := storage.Open(ctx, path, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := demo.Generate(ctx, db, demo.Options{Accounts: testAccounts, Seed: 1, Now: now}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, path: path, out: &bytes.Buffer{}, err: &bytes.Buffer{}}
	open := func(ctx context.Context, p string) (*cli.Book, error) {
		db, err := storage.Open(ctx, p, opts)
		if err != nil {
			return nil, err
		}
		return &cli.Book{Store: db, Settings: opts.Settings, Profile: opts.Profile, Path: db.Path(), Close: db.Close}, nil
	}
	f.env = cli.Env{
		Stdout: f.out, Stderr: f.err, Now: func() time.Time { return now }, Version: "v0.test", Schema: storage.LatestSchema(),
		Open: func(ctx context.Context, g cli.Globals) (*cli.Book, error) {
			if g.DB != "" {
				return open(ctx, g.DB)
			}
			return open(ctx, path)
		},
		WriteDemo: func(ctx context.Context, g cli.Globals, p string, o cli.DemoOptions) (*cli.Book, error) {
			b, err := open(ctx, p)
			if err != nil {
				return nil, err
			}
			if err := demo.Generate(ctx, b.Store.(*storage.DB), demo.Options{Accounts: o.Accounts, Seed: o.Seed, Now: o.Now}); err != nil {
				b.Close()
				return nil, err
			}
			return b, nil
		},
		TUI: func(ctx context.Context, b *cli.Book) error { return fmt.Errorf("the TUI must not start in tests") },
	}
	return f
}

// run runs one command line and returns its exit code, stdout and stderr.
func (f *fixture) run(args ...string) (int, string, string) {
	f.t.Helper()
	f.out.Reset()
	f.err.Reset()
	code := cli.Run(context.Background(), args, f.env)
	return code, f.out.String(), f.err.String()
}

// ok runs a command that must succeed and returns its stdout.
func (f *fixture) ok(args ...string) string {
	f.t.Helper()
	code, out, errOut := f.run(args...)
	if code != 0 {
		f.t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
	}
	return out
}

func (f *fixture) today() cli.TodayJSON {
	f.t.Helper()
	var tj cli.TodayJSON
	if err := json.Unmarshal([]byte(f.ok("today", "--json", "--limit", "0")), &tj); err != nil {
		f.t.Fatalf("today --json: %v", err)
	}
	return tj
}

func TestTodayJSONShape(t *testing.T) {
	f := newFixture(t)
	out := f.ok("today", "--json")
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &top); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"rows", "due", "overdue", "held_back", "held_by_reason"} {
		if _, ok := top[k]; !ok {
			t.Errorf("today --json has no %q key", k)
		}
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(top["rows"], &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || len(rows) > 20 {
		t.Fatalf("got %d rows; want 1–20 (default --limit 20) from a %d-account book", len(rows), testAccounts)
	}
	want := []string{"rank", "account_id", "account", "contact_id", "contact", "title", "tier", "fit", "action",
		"action_title", "due", "due_has_time", "task_id", "local_time", "zone", "callable_now", "held", "held_reason",
		"held_detail", "why"}
	for _, k := range want {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("row has no %q field", k)
		}
	}
	tj := f.today()
	for i, r := range tj.Rows {
		if r.Rank != i+1 {
			t.Fatalf("row %d has rank %d", i, r.Rank)
		}
		if r.Held {
			t.Errorf("row %d is held but --all was not given", i)
		}
	}
	var sum int
	for _, n := range tj.HeldByReason {
		sum += n
	}
	if sum != tj.HeldBack {
		t.Errorf("held_by_reason sums to %d; held_back is %d", sum, tj.HeldBack)
	}
}

func TestTodayAllShowsHeld(t *testing.T) {
	f := newFixture(t)
	tj := f.today()
	if tj.HeldBack == 0 {
		t.Skip("this demo book holds nothing back at the test clock")
	}
	var all cli.TodayJSON
	if err := json.Unmarshal([]byte(f.ok("today", "--all", "--json", "--limit", "0")), &all); err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, r := range all.Rows {
		if r.Held {
			held++
			if r.HeldReason == "" {
				t.Errorf("held row %d has no reason", r.Rank)
			}
		}
	}
	if held != tj.HeldBack {
		t.Errorf("--all listed %d held rows; the count says %d", held, tj.HeldBack)
	}
	out := f.ok("today", "--all")
	if !strings.Contains(out, "held: ") {
		t.Errorf("--all table does not mark held rows:\n%s", out)
	}
}

func TestTodayTable(t *testing.T) {
	f := newFixture(t)
	for _, width := range []int{0, 80, 100, 160} {
		f.env.Width = width
		out := f.ok("today", "--limit", "8")
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if !strings.HasPrefix(lines[0], "#  ACCOUNT") && !strings.Contains(lines[0], "ACCOUNT") {
			t.Errorf("width %d: no header: %q", width, lines[0])
		}
		for _, l := range lines {
			if width > 0 && lipgloss.Width(l) > width {
				t.Errorf("width %d: line is %d columns: %q", width, lipgloss.Width(l), l)
			}
		}
		counts, held := lines[len(lines)-2], lines[len(lines)-1]
		if !strings.Contains(counts, "due today") || !strings.Contains(held, "held back") {
			t.Errorf("no summary lines: %q %q", counts, held)
		}
		if got := len(lines); got > 8+5 {
			t.Errorf("--limit 8 printed %d lines", got)
		}
		if !strings.Contains(out, "\n8 of 25 (--limit 0 for all)\n") {
			t.Errorf("a list cut short should say so:\n%s", out)
		}
	}
}

func TestTierFilter(t *testing.T) {
	f := newFixture(t)
	var tj cli.TodayJSON
	if err := json.Unmarshal([]byte(f.ok("today", "--tier", "a", "--json", "--limit", "0")), &tj); err != nil {
		t.Fatal(err)
	}
	for _, r := range tj.Rows {
		if r.Tier != "A" {
			t.Errorf("--tier a listed a tier %s row", r.Tier)
		}
	}
	code, _, errOut := f.run("today", "--tier", "Z")
	if code != cli.ExitUsage || !strings.Contains(errOut, `unknown tier "Z"`) {
		t.Errorf("--tier Z: exit %d %q", code, errOut)
	}
}

func TestFlagsAnywhere(t *testing.T) {
	f := newFixture(t)
	id := fmt.Sprint(f.today().Rows[0].AccountID)
	a := f.ok("show", id, "--json")
	b := f.ok("--json", "show", id)
	c := f.ok("show", "--json=true", id)
	if a != b || a != c {
		t.Errorf("flag position changed the output")
	}
	var d cli.DetailJSON
	if err := json.Unmarshal([]byte(a), &d); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(d.Account.ID) != id || len(d.Fit.Criteria) == 0 {
		t.Errorf("show %s --json: account %d, %d criteria", id, d.Account.ID, len(d.Fit.Criteria))
	}
	// "--" ends flags: what follows is an argument, even if it looks like one.
	code, _, errOut := f.run("show", "--", "--json")
	if code != cli.ExitUsage || !strings.Contains(errOut, `ACCOUNT_ID must be a number like 42, not "--json"`) {
		t.Errorf("show -- --json: exit %d %q", code, errOut)
	}
}

func TestShowText(t *testing.T) {
	f := newFixture(t)
	id := fmt.Sprint(f.today().Rows[0].AccountID)
	out := f.ok("show", id)
	for _, want := range []string{"ICP fit ", "CRITERION", "Contacts", "PERSONA", "History (last 10 touches)", "Open tasks"} {
		if !strings.Contains(out, want) {
			t.Errorf("show %s lacks %q:\n%s", id, want, out)
		}
	}
	if !strings.ContainsAny(out, "✓✗~?") {
		t.Errorf("show has no criterion marks")
	}
	code, _, errOut := f.run("show", "999999")
	if code != cli.ExitFailure || errOut != "shortlist: account 999999 not found: find ids with shortlist accounts or shortlist search\n" {
		t.Errorf("show 999999: exit %d %q", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"today", "--jsn"}, `shortlist: unknown flag --jsn for "today" (see shortlist today --help)` + "\n"},
		{"unknown flag with value", []string{"today", "--jsn=1"}, `shortlist: unknown flag --jsn for "today" (see shortlist today --help)` + "\n"},
		{"unknown command", []string{"todya"}, `shortlist: unknown command "todya": did you mean today? (see shortlist help)` + "\n"},
		{"missing value", []string{"today", "--limit"}, `shortlist: flag --limit for "today" needs a value (see shortlist today --help)` + "\n"},
		{"bad number", []string{"today", "--limit", "lots"}, `shortlist: invalid value "lots" for --limit: want a whole number in decimal digits, like 42 (see shortlist today --help)` + "\n"},
		{"unknown flag without command", []string{"--jsn"}, `shortlist: unknown flag --jsn for "today" (see shortlist today --help)` + "\n"},
		{"stray argument", []string{"today", "extra"}, `shortlist: today takes no arguments, got "extra" (see shortlist today --help)` + "\n"},
		{"missing id", []string{"show"}, "shortlist: show needs ACCOUNT_ID (see shortlist show --help)\n"},
		{"log without contact", []string{"log", "--outcome", "busy"}, "shortlist: log needs --contact ID (see shortlist log --help)\n"},
		{"snooze without until", []string{"snooze", "4"}, "shortlist: snooze needs --until DATE, like --until tomorrow (see shortlist snooze --help)\n"},
		{"demo without db", []string{"demo"}, "shortlist: demo needs --db PATH: where to write the demo book, like --db /tmp/demo.db\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := f.run(tc.args...)
			if code != cli.ExitUsage {
				t.Errorf("exit %d; want %d", code, cli.ExitUsage)
			}
			if errOut != tc.want {
				t.Errorf("stderr\n got %q\nwant %q", errOut, tc.want)
			}
			if out != "" {
				t.Errorf("a usage error printed to stdout: %q", out)
			}
		})
	}
}

// TestNumbersAreDecimal: every id and count on the command line is read in
// base 10. With the flag package's base 0, "log --contact 010" logged a
// touch for contact 8 and "0x10" meant 16.
func TestNumbersAreDecimal(t *testing.T) {
	f := newFixture(t)
	var lj cli.LogJSON
	js := f.ok("log", "--json", "--contact", "010", "--outcome", "no-answer", "--next", "none")
	if err := json.Unmarshal([]byte(js), &lj); err != nil {
		t.Fatalf("log --json: %v\n%s", err, js)
	}
	if lj.Touch.ContactID != 10 {
		t.Errorf("--contact 010 logged for contact %d; want 10 (decimal)", lj.Touch.ContactID)
	}
	var detail cli.DetailJSON
	if err := json.Unmarshal([]byte(f.ok("show", "007", "--json")), &detail); err != nil || detail.Account.ID != 7 {
		t.Errorf("show 007 showed account %d (%v); want 7", detail.Account.ID, err)
	}
	bad := []struct {
		args []string
		name string // what the message must name
	}{
		{[]string{"log", "--contact", "0x10", "--outcome", "busy"}, "--contact"},
		{[]string{"log", "--contact=0o10", "--outcome", "busy"}, "--contact"},
		{[]string{"log", "--contact", "7", "--task", "0b1", "--outcome", "busy"}, "--task"},
		{[]string{"log", "--contact", "1_0", "--outcome", "busy"}, "--contact"},
		{[]string{"today", "--limit", "0x10"}, "--limit"},
		{[]string{"accounts", "--limit", "1e3"}, "--limit"},
		{[]string{"search", "acme", "--limit", "+5"}, "--limit"},
		{[]string{"demo", "--db", filepath.Join(t.TempDir(), "d.db"), "--accounts", "0x10"}, "--accounts"},
		{[]string{"demo", "--db", filepath.Join(t.TempDir(), "d.db"), "--seed", "0x10"}, "--seed"},
		{[]string{"show", "0x10"}, "ACCOUNT_ID"},
		{[]string{"show", "+7"}, "ACCOUNT_ID"},
		{[]string{"done", "0x5"}, "TASK_ID"},
		{[]string{"skip", "1_0"}, "TASK_ID"},
		{[]string{"snooze", "0o5", "--until", "tomorrow"}, "TASK_ID"},
		{[]string{"undo", "0x1"}, "TOUCH_ID"},
	}
	for _, tc := range bad {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := f.run(tc.args...)
			if code != cli.ExitUsage {
				t.Errorf("exit %d; want %d (stderr %q)", code, cli.ExitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.name) || (strings.HasPrefix(tc.name, "--") && !strings.Contains(errOut, "decimal")) {
				t.Errorf("stderr %q does not name %s (and, for a flag, say decimal)", errOut, tc.name)
			}
			if out != "" {
				t.Errorf("stdout %q; want nothing", out)
			}
		})
	}
}

// callRow finds a worklist row with a contact and an open call task.
func callRow(t *testing.T, tj cli.TodayJSON) cli.RowJSON {
	t.Helper()
	for _, r := range tj.Rows {
		if r.ContactID != 0 && r.TaskID != 0 && r.Action == "call" {
			return r
		}
	}
	t.Fatalf("no call task on the worklist of the demo book")
	return cli.RowJSON{}
}

func TestLogAndUndo(t *testing.T) {
	f := newFixture(t)
	r := callRow(t, f.today())
	out := f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "no-answer", "--task", fmt.Sprint(r.TaskID))
	wantStart := fmt.Sprintf("logged no answer for %s (%s) — next: ", r.Contact, r.Account)
	if !strings.HasPrefix(out, wantStart) {
		t.Errorf("log said %q; want it to start %q", out, wantStart)
	}
	// The sentence names the same day as the JSON (the rep's calendar).
	var lj0 cli.LogJSON
	js0 := f.ok("log", "--json", "--contact", fmt.Sprint(r.ContactID), "--outcome", "no-answer")
	if err := json.Unmarshal([]byte(js0), &lj0); err != nil || lj0.Next == nil {
		t.Fatalf("log --json: %v %s", err, js0)
	}
	day, err := time.Parse(time.DateOnly, lj0.Next.Due)
	if err != nil {
		t.Fatalf("next_action.due %q: %v", lj0.Next.Due, err)
	}
	if !strings.Contains(out, day.Format("Mon 2 Jan")) {
		t.Errorf("sentence %q does not name the due day %s", out, day.Format("Mon 2 Jan"))
	}
	if strings.Contains(out, "· next:") {
		t.Errorf("the next action is said twice:\n%s", out)
	}
	f.ok("undo", fmt.Sprint(lj0.Touch.ID))
	if !strings.Contains(out, "undo with: shortlist undo ") {
		t.Errorf("log does not say how to undo: %q", out)
	}
	// The worked task is closed: done again is still fine, but it left the worklist.
	for _, row := range f.today().Rows {
		if row.TaskID == r.TaskID {
			t.Errorf("task %d still on the worklist after logging it", r.TaskID)
		}
	}
	// Log again as JSON and undo that touch.
	var lj cli.LogJSON
	js := f.ok("log", "--json", "--contact", fmt.Sprint(r.ContactID), "--outcome", "busy", "--next", "none")
	if err := json.Unmarshal([]byte(js), &lj); err != nil {
		t.Fatalf("log --json: %v\n%s", err, js)
	}
	if lj.Touch.ID == 0 || lj.Touch.Outcome != "busy" || lj.Next != nil {
		t.Errorf("log --json = %+v; want a busy touch and no next action", lj)
	}
	// Without an id, undo takes back the newest logged touch, named as
	// the TUI names it.
	want := fmt.Sprintf("undone: log of busy · %s · %s (touch %d)\n", r.Account, r.Contact, lj.Touch.ID)
	if got := f.ok("undo"); got != want {
		t.Errorf("undo said %q, want %q", got, want)
	}
	code, _, errOut := f.run("undo", fmt.Sprint(lj.Touch.ID))
	if code != cli.ExitFailure || !strings.Contains(errOut, "not found") {
		t.Errorf("second undo: exit %d %q", code, errOut)
	}
}

func TestLogNextDate(t *testing.T) {
	f := newFixture(t)
	r := callRow(t, f.today())
	var lj cli.LogJSON
	js := f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "connected", "--next", "2026-12-02", "--json")
	if err := json.Unmarshal([]byte(js), &lj); err != nil {
		t.Fatal(err)
	}
	if lj.Next == nil || lj.Next.Due != "2026-12-02" {
		t.Errorf("--next 2026-12-02 gave next action %+v", lj.Next)
	}
}

// TestLogMeetingTime: --meeting takes what a rep types ("thu 14:00") and
// the prep task lands the business day before the meeting.
func TestLogMeetingTime(t *testing.T) {
	f := newFixture(t)
	r := callRow(t, f.today())
	var lj cli.LogJSON
	js := f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "meeting-booked", "--meeting", "thu 14:00", "--json")
	if err := json.Unmarshal([]byte(js), &lj); err != nil {
		t.Fatal(err)
	}
	if lj.Next == nil || lj.Next.Due != "2026-11-25" {
		t.Errorf("a meeting on Thu 26 Nov (now is Mon 23) gave prep %+v, want due Wed 25 Nov", lj.Next)
	}
	code, _, errOut := f.run("log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "meeting-booked", "--meeting", "thursday 2pm")
	if code != cli.ExitUsage || !strings.HasPrefix(errOut, `shortlist: --meeting: bad date "thursday 2pm": `) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("a meeting time the parser cannot read: exit %d %q", code, errOut)
	}
}

func TestLogBadInput(t *testing.T) {
	f := newFixture(t)
	r := callRow(t, f.today())
	cases := []struct {
		name string
		args []string
		want string
		code int // 0: cli.ExitUsage, a bad flag value
	}{
		{"unknown outcome", []string{"log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "voicemail"},
			`shortlist: unknown outcome "voicemail": use one of no-answer, busy, left-voicemail, connected, meeting-booked, not-interested, bad-timing, wrong-person, wrong-number, opted-out, sent` + "\n", 0},
		{"unknown contact", []string{"log", "--contact", "999999", "--outcome", "no-answer"},
			"shortlist: contact 999999 not found: find ids with shortlist show ACCOUNT_ID or shortlist search\n", cli.ExitFailure},
		{"meeting without time", []string{"log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "meeting-booked"},
			`shortlist: meeting-booked needs --meeting "thu 14:00" (or "2026-12-01 14:00"): when the meeting is, so the prep task lands before it` + "\n", 0},
		{"bad next", []string{"log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "busy", "--next", "someday"}, "", 0},
		{"past next", []string{"log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "busy", "--next", "2020-01-01"},
			"shortlist: --next: Wed 1 Jan 2020 is in the past (2518 days ago): give today or a later date\n", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := f.run(tc.args...)
			want := tc.code
			if want == 0 {
				want = cli.ExitUsage
			}
			if code != want {
				t.Errorf("exit %d; want %d (%q)", code, want, errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "shortlist: ") {
				t.Errorf("error is not one line: %q", errOut)
			}
			if tc.want != "" && errOut != tc.want {
				t.Errorf("stderr\n got %q\nwant %q", errOut, tc.want)
			}
		})
	}
	// Nothing was logged by the failures.
	var d cli.DetailJSON
	if err := json.Unmarshal([]byte(f.ok("show", fmt.Sprint(r.AccountID), "--json")), &d); err != nil {
		t.Fatal(err)
	}
	for _, tc := range d.Touches {
		if tc.At == now.Format(time.RFC3339) {
			t.Errorf("a failed log left touch %d", tc.ID)
		}
	}
}

func TestTaskCommands(t *testing.T) {
	f := newFixture(t)
	tj := f.today()
	var tasks []int64
	for _, r := range tj.Rows {
		if r.TaskID != 0 {
			tasks = append(tasks, r.TaskID)
		}
	}
	if len(tasks) < 3 {
		t.Fatalf("only %d tasks on the worklist", len(tasks))
	}
	if out := f.ok("done", fmt.Sprint(tasks[0])); out != fmt.Sprintf("task %d done\n", tasks[0]) {
		t.Errorf("done said %q", out)
	}
	if out := f.ok("skip", fmt.Sprint(tasks[1])); out != fmt.Sprintf("task %d skipped\n", tasks[1]) {
		t.Errorf("skip said %q", out)
	}
	if out := f.ok("snooze", fmt.Sprint(tasks[2]), "--until", "2026-12-01"); out != fmt.Sprintf("task %d snoozed until Tue 1 Dec\n", tasks[2]) {
		t.Errorf("snooze said %q", out)
	}
	for _, r := range f.today().Rows {
		for _, id := range tasks[:3] {
			if r.TaskID == id {
				t.Errorf("task %d still on the worklist", id)
			}
		}
	}
	code, _, errOut := f.run("done", "999999")
	if code != cli.ExitFailure || errOut != "shortlist: task 999999 not found: list open tasks with shortlist today or shortlist show ACCOUNT_ID\n" {
		t.Errorf("done 999999: exit %d %q", code, errOut)
	}
	code, _, errOut = f.run("snooze", fmt.Sprint(tasks[3%len(tasks)]), "--until", "2020-01-01")
	if code != cli.ExitUsage || !strings.Contains(errOut, "Wed 1 Jan 2020 is in the past") {
		t.Errorf("snooze into the past: exit %d %q", code, errOut)
	}
}

func TestAccountsAndSearch(t *testing.T) {
	f := newFixture(t)
	var accts []cli.AccountJSON
	if err := json.Unmarshal([]byte(f.ok("accounts", "--json", "--limit", "0")), &accts); err != nil {
		t.Fatal(err)
	}
	if len(accts) != testAccounts {
		t.Fatalf("accounts --limit 0 listed %d; the book has %d", len(accts), testAccounts)
	}
	name := accts[0].Name
	word := strings.Fields(name)[0]
	var hits []cli.SearchHitJSON
	if err := json.Unmarshal([]byte(f.ok("search", word, "--json")), &hits); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range hits {
		found = found || h.AccountID == accts[0].ID
	}
	if !found {
		t.Errorf("search %q did not find account %d %q", word, accts[0].ID, name)
	}
	if out := f.ok("search", word); !strings.Contains(out, "ACCOUNT ID") {
		t.Errorf("search table has no header:\n%s", out)
	}
	out := f.ok("accounts", "--tier", "A")
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if !strings.Contains(l, "  A  ") {
			t.Errorf("--tier A listed %q", l)
		}
	}
}

func TestHelp(t *testing.T) {
	f := newFixture(t)
	top := f.ok("help")
	if f.ok("--help") != top || f.ok("-h") != top {
		t.Errorf("help, --help and -h differ")
	}
	for _, cmd := range []string{"today", "accounts", "show", "log", "search", "done", "skip", "snooze", "undo", "demo", "version", "sync"} {
		out := f.ok(cmd, "--help")
		if !strings.Contains(out, "Usage:\n  shortlist "+cmd) || !strings.Contains(out, "Examples:") {
			t.Errorf("%s --help lacks usage or examples:\n%s", cmd, out)
		}
		if f.ok("help", cmd) != out || f.ok(cmd, "-h") != out {
			t.Errorf("help %s differs from %s --help", cmd, cmd)
		}
		if !strings.Contains(top, "  "+cmd+" ") {
			t.Errorf("help does not list %s", cmd)
		}
		for _, l := range strings.Split(out, "\n") {
			if lipgloss.Width(l) > 100 {
				t.Errorf("%s --help line is %d columns: %q", cmd, lipgloss.Width(l), l)
			}
		}
	}
	code, _, _ := f.run("help", "nope")
	if code != cli.ExitUsage {
		t.Errorf("help nope: exit %d", code)
	}
}

func TestNoCommandPrintsToday(t *testing.T) {
	f := newFixture(t)
	f.env.Terminal = false
	if got, want := f.ok(), f.ok("today"); got != want {
		t.Errorf("shortlist with no terminal printed\n%s\nnot today's\n%s", got, want)
	}
	if got, want := f.ok("--json", "--limit", "3"), f.ok("today", "--json", "--limit", "3"); got != want {
		t.Errorf("shortlist --json without a terminal is not today --json")
	}
	f.env.Terminal = true
	if code, _, errOut := f.run("--json"); code != cli.ExitUsage || !strings.Contains(errOut, `unknown flag --json for "shortlist"`) {
		t.Errorf("on a terminal, a today flag without the command: exit %d %q", code, errOut)
	}
	code, _, errOut := f.run()
	if code != cli.ExitFailure || !strings.Contains(errOut, "TUI must not start") {
		t.Errorf("on a terminal the TUI should start: exit %d %q", code, errOut)
	}
}

func TestVersionAndSync(t *testing.T) {
	f := newFixture(t)
	out := f.ok("version")
	if !strings.HasPrefix(out, "shortlist v0.test (database schema ") {
		t.Errorf("version said %q", out)
	}
	var v cli.VersionJSON
	if err := json.Unmarshal([]byte(f.ok("version", "--json")), &v); err != nil || v.Schema != storage.LatestSchema() || v.Go == "" {
		t.Errorf("version --json = %+v, %v", v, err)
	}
	// A book opened without a syncer (a build with no CRM adapter) says so.
	code, _, errOut := f.run("sync")
	if code != cli.ExitFailure || errOut != "shortlist: sync is not available in this build\n" {
		t.Errorf("sync without a syncer: exit %d %q", code, errOut)
	}
}

func TestDemoCommand(t *testing.T) {
	f := newFixture(t)
	code, _, errOut := f.run("demo", "--db", f.path)
	if code != cli.ExitFailure || errOut != "shortlist: "+f.path+" already holds a book: choose a new --db path\n" {
		t.Errorf("demo over a book: exit %d %q", code, errOut)
	}
	p := filepath.Join(t.TempDir(), "d.db")
	out := f.ok("demo", "--accounts", "12", "--seed", "3", "--db", p)
	if !strings.Contains(out, "12 accounts") || !strings.Contains(out, "wrote a demo book to") {
		t.Errorf("demo said %q", out)
	}
	if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
		t.Errorf("demo wrote nothing at %s: %v", p, err)
	}
}

func TestTodayUntruncatedWhenPiped(t *testing.T) {
	f := newFixture(t)
	f.env.Width = 0
	out := f.ok("today", "--limit", "0")
	if strings.Contains(out, "…") {
		t.Errorf("a table for a pipe was truncated:\n%s", out)
	}
	for _, r := range f.today().Rows {
		if !strings.Contains(out, r.Account) {
			t.Errorf("piped table lacks %q", r.Account)
		}
	}
}
