package cli

import (
	"bytes"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		pos   string
		limit int
		json  bool
		db    string
		err   string
	}{
		{"after", []string{"42", "--json"}, "42", 20, true, "", ""},
		{"before", []string{"--json", "42"}, "42", 20, true, "", ""},
		{"equals", []string{"--limit=5", "x"}, "x", 5, false, "", ""},
		{"space", []string{"--limit", "5", "x"}, "x", 5, false, "", ""},
		{"single dash", []string{"-limit", "7"}, "", 7, false, "", ""},
		{"global", []string{"a", "--db", "/tmp/b.db", "b"}, "a b", 20, false, "/tmp/b.db", ""},
		{"double dash", []string{"--", "--json", "-3"}, "--json -3", 20, false, "", ""},
		{"negative number is an argument", []string{"-3"}, "-3", 20, false, "", ""},
		{"bool false", []string{"--json=false"}, "", 20, false, "", ""},
		{"unknown", []string{"--nope"}, "", 0, false, "", `unknown flag --nope for "t" (see shortlist t --help)`},
		{"no value", []string{"--limit"}, "", 0, false, "", `flag --limit for "t" needs a value (see shortlist t --help)`},
		{"bad int", []string{"--limit=x"}, "", 0, false, "", `invalid value "x" for --limit: want a whole number in decimal digits, like 42 (see shortlist t --help)`},
		{"leading zero is decimal", []string{"--limit", "010"}, "", 10, false, "", ""},
		{"hex", []string{"--limit", "0x10"}, "", 0, false, "", `invalid value "0x10" for --limit: want a whole number in decimal digits, like 42 (see shortlist t --help)`},
		{"octal prefix", []string{"--limit=0o7"}, "", 0, false, "", `invalid value "0o7" for --limit: want a whole number in decimal digits, like 42 (see shortlist t --help)`},
		{"binary prefix", []string{"--limit=0b11"}, "", 0, false, "", `invalid value "0b11" for --limit: want a whole number in decimal digits, like 42 (see shortlist t --help)`},
		{"underscore", []string{"--limit=1_0"}, "", 0, false, "", `invalid value "1_0" for --limit: want a whole number in decimal digits, like 42 (see shortlist t --help)`},
		{"plus sign", []string{"--limit=+5"}, "", 0, false, "", `invalid value "+5" for --limit: want a whole number in decimal digits, like 42 (see shortlist t --help)`},
		{"too large", []string{"--limit=99999999999999999999"}, "", 0, false, "", `invalid value "99999999999999999999" for --limit: want a whole number in decimal digits, like 42 (see shortlist t --help)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFlags("t")
			limit := f.int("limit", 20, "")
			js := f.fs.Bool("json", false, "")
			pos, err := f.parse(tc.args)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v; want %q", err, tc.err)
				}
				if _, ok := err.(*UsageError); !ok {
					t.Errorf("err is %T; want *UsageError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(pos, " "); got != tc.pos || *limit != tc.limit || *js != tc.json || f.g.DB != tc.db {
				t.Errorf("got pos %q limit %d json %v db %q", got, *limit, *js, f.g.DB)
			}
		})
	}
}

// TestNumberFlagsAreDecimal: no command defines a number flag through the
// flag package's base-0 readers, where "010" is 8 and "0x10" is 16.
func TestNumberFlagsAreDecimal(t *testing.T) {
	for _, cmd := range commands() {
		f := newFlags(cmd.name)
		cmd.define(f)
		f.fs.VisitAll(func(fl *flag.Flag) {
			switch fmt.Sprintf("%T", fl.Value) {
			case "*flag.intValue", "*flag.int64Value", "*flag.uintValue", "*flag.uint64Value":
				t.Errorf("%s --%s is a %T: define it with f.int, f.int64 or f.uint64 (decimal only)", cmd.name, fl.Name, fl.Value)
			}
		})
	}
}

func TestSplitCommand(t *testing.T) {
	cases := []struct {
		args []string
		cmd  string
		rest string
	}{
		{[]string{"--json", "show", "4"}, "show", "--json 4"},
		{[]string{"--db", "x.db", "today"}, "today", "--db x.db"},
		{[]string{"--limit", "5", "today"}, "today", "--limit 5"},
		{[]string{"--demo"}, "", "--demo"},
		{[]string{"--", "today"}, "", "-- today"},
	}
	for _, tc := range cases {
		cmd, rest := splitCommand(tc.args)
		if cmd != tc.cmd || strings.Join(rest, " ") != tc.rest {
			t.Errorf("splitCommand(%q) = %q, %q", tc.args, cmd, rest)
		}
	}
}

func TestTableSanitizesAndFits(t *testing.T) {
	tb := newTable(column{Title: "id", Right: true}, column{Title: "name", Min: 6}, column{Title: "note", Min: 6})
	tb.add("1", "Evil\x1b[31m Corp\x1b]8;;http://x\x07", "a very long note that will not fit in a narrow terminal at all")
	tb.add("22", "Ünïcode 株式会社", "short")
	var b bytes.Buffer
	tb.write(&b, 40)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("control characters reached the output: %q", out)
	}
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if w := len([]rune(l)); w > 40+4 { // wide CJK counts double; runes are a lower bound
			t.Errorf("line too long: %q", l)
		}
	}
	if !strings.Contains(out, "…") {
		t.Errorf("nothing was truncated: %q", out)
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello", 4, "hel…"},
		{"株式会社", 5, "株式…"},
		{"x", 0, ""},
	}
	for _, c := range cases {
		if got := truncate(c.in, c.w); got != c.want {
			t.Errorf("truncate(%q, %d) = %q; want %q", c.in, c.w, got, c.want)
		}
	}
}

func TestDueLabel(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) // Monday
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		task model.Task
		want string
	}{
		{model.Task{}, "–"},
		{model.Task{Due: day(20)}, "overdue 3d"},
		{model.Task{Due: day(23)}, "today"},
		{model.Task{Due: day(24)}, "tomorrow"},
		{model.Task{Due: day(26)}, "Thu 26 Nov"},
		{model.Task{Due: time.Date(2026, 11, 23, 16, 30, 0, 0, time.UTC), DueHasTime: true}, "today 16:30"},
	}
	for _, c := range cases {
		if got := dueLabel(c.task, now); got != c.want {
			t.Errorf("dueLabel(%v) = %q; want %q", c.task.Due, got, c.want)
		}
	}
}

func TestSummaryLine(t *testing.T) {
	wl := model.Worklist{Due: 4, Overdue: 2, HeldBack: 4, Held: map[model.HoldReason]int{
		model.HoldCallingHours: 3, model.HoldContactBudget: 1, model.HoldOptedOut: 0,
	}}
	want := "4 due today, 2 overdue\n4 held back: 3 outside calling hours, 1 contact budget"
	if got := summaryLine(wl); got != want {
		t.Errorf("summaryLine = %q; want %q", got, want)
	}
}

// TestChangeLineNamesTheNewOwner: a reassignment says the new owner's name
// when the CRM told it, else their id as an owner id, else no one.
func TestChangeLineNamesTheNewOwner(t *testing.T) {
	for to, want := range map[string]string{
		"Olaf Other": "- Gamma left your book: reassigned to Olaf Other",
		"80000042":   "- Gamma left your book: reassigned to owner 80000042",
		"":           "- Gamma left your book: reassigned in the CRM",
	} {
		if got := changeLine(model.SyncChange{Kind: model.ChangeReassigned, Account: "Gamma", To: to}); got != want {
			t.Errorf("To %q: %q, want %q", to, got, want)
		}
	}
}
