package model

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func TestAddBusinessDays(t *testing.T) {
	utc := time.UTC
	ny := mustZone(t, "America/New_York")
	paris := mustZone(t, "Europe/Paris")
	d := func(loc *time.Location, y int, m time.Month, day, h, min int) time.Time {
		return time.Date(y, m, day, h, min, 0, 0, loc)
	}
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"zero on a weekday", d(utc, 2026, 11, 25, 10, 0), 0, d(utc, 2026, 11, 25, 10, 0)},
		{"zero on a saturday stays", d(utc, 2026, 11, 28, 10, 0), 0, d(utc, 2026, 11, 28, 10, 0)},
		{"friday plus one is monday", d(utc, 2026, 11, 27, 9, 0), 1, d(utc, 2026, 11, 30, 9, 0)},
		{"saturday plus one is monday", d(utc, 2026, 11, 28, 9, 0), 1, d(utc, 2026, 11, 30, 9, 0)},
		{"sunday plus one is monday", d(utc, 2026, 11, 29, 9, 0), 1, d(utc, 2026, 11, 30, 9, 0)},
		{"monday plus five is monday", d(utc, 2026, 11, 23, 9, 0), 5, d(utc, 2026, 11, 30, 9, 0)},
		{"wednesday plus ten", d(utc, 2026, 11, 25, 9, 0), 10, d(utc, 2026, 12, 9, 9, 0)},
		{"across a month end", d(utc, 2026, 4, 30, 9, 0), 2, d(utc, 2026, 5, 4, 9, 0)},
		{"across a year end", d(utc, 2026, 12, 31, 9, 0), 2, d(utc, 2027, 1, 4, 9, 0)},
		{"leap day", d(utc, 2028, 2, 28, 9, 0), 1, d(utc, 2028, 2, 29, 9, 0)},
		{"monday minus one is friday", d(utc, 2026, 11, 30, 9, 0), -1, d(utc, 2026, 11, 27, 9, 0)},
		{"sunday minus one is friday", d(utc, 2026, 11, 29, 9, 0), -1, d(utc, 2026, 11, 27, 9, 0)},
		{"minus seven", d(utc, 2026, 11, 30, 9, 0), -7, d(utc, 2026, 11, 19, 9, 0)},
		{"new york spring forward keeps wall clock", d(ny, 2026, 3, 6, 9, 30), 1, d(ny, 2026, 3, 9, 9, 30)},
		{"new york fall back keeps wall clock", d(ny, 2026, 10, 30, 0, 0), 1, d(ny, 2026, 11, 2, 0, 0)},
		{"paris spring forward", d(paris, 2026, 3, 27, 0, 0), 1, d(paris, 2026, 3, 30, 0, 0)},
		{"paris fall back", d(paris, 2026, 10, 23, 0, 0), 1, d(paris, 2026, 10, 26, 0, 0)},
		{"paris back across fall back", d(paris, 2026, 10, 26, 0, 0), -1, d(paris, 2026, 10, 23, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AddBusinessDays(tc.from, tc.n)
			if !got.Equal(tc.want) || got.Location() != tc.want.Location() {
				t.Errorf("AddBusinessDays(%s, %d) = %s, want %s", tc.from.Format(time.RFC3339), tc.n, got.Format(time.RFC3339), tc.want.Format(time.RFC3339))
			}
		})
	}
}

// TestAddBusinessDaysMatchesDayByDay checks the whole-week shortcut against
// walking one calendar day at a time.
func TestAddBusinessDaysMatchesDayByDay(t *testing.T) {
	walk := func(t0 time.Time, n int) time.Time {
		step := 1
		if n < 0 {
			step, n = -1, -n
		}
		for n > 0 {
			t0 = t0.AddDate(0, 0, step)
			if !isWeekend(t0.Weekday()) {
				n--
			}
		}
		return t0
	}
	paris := mustZone(t, "Europe/Paris")
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, paris)
	for day := 0; day < 21; day++ {
		from := start.AddDate(0, 0, day)
		for n := -23; n <= 23; n++ {
			if got, want := AddBusinessDays(from, n), walk(from, n); !got.Equal(want) {
				t.Fatalf("AddBusinessDays(%s, %d) = %s, want %s", from, n, got, want)
			}
		}
	}
}

func TestParseDue(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	now := time.Date(2026, 11, 23, 10, 15, 0, 0, paris) // a Monday
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, paris) }
	tests := []struct {
		in      string
		want    time.Time
		hasTime bool
	}{
		{"today", day(11, 23), false},
		{" TODAY ", day(11, 23), false},
		{"tomorrow", day(11, 24), false},
		{"t", day(11, 24), false},
		{"+0", day(11, 23), false},
		{"+1", day(11, 24), false},
		{"3", day(11, 26), false},
		{"+5", day(11, 30), false},
		{"mon", day(11, 30), false},
		{"Monday", day(11, 30), false},
		{"tue", day(11, 24), false},
		{"fri", day(11, 27), false},
		{"sunday", day(11, 29), false},
		{"2026-12-01", day(12, 1), false},
		{"2026-12-01 14:30", time.Date(2026, 12, 1, 14, 30, 0, 0, paris), true},
		{"2026-12-01  14:30", time.Date(2026, 12, 1, 14, 30, 0, 0, paris), true},
		{"thu 14:00", time.Date(2026, 11, 26, 14, 0, 0, 0, paris), true},
		{"Tomorrow 9:30", time.Date(2026, 11, 24, 9, 30, 0, 0, paris), true},
		{"+2 08:05", time.Date(2026, 11, 25, 8, 5, 0, 0, paris), true},
		{"16:00", time.Date(2026, 11, 23, 16, 0, 0, 0, paris), true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, hasTime, err := ParseDue(tc.in, now)
			if err != nil {
				t.Fatalf("ParseDue(%q): %v", tc.in, err)
			}
			if !got.Equal(tc.want) || hasTime != tc.hasTime {
				t.Errorf("ParseDue(%q) = %s, %v; want %s, %v", tc.in, got, hasTime, tc.want, tc.hasTime)
			}
			if got.Location() != paris {
				t.Errorf("ParseDue(%q) location %s, want now's", tc.in, got.Location())
			}
		})
	}
	for _, in := range []string{"", "  ", "2026-13-01", "2026-02-30", "+x", "-1", "+-1", "+99999", "yesterday", "2026-12-01 25:00", "12/01/2026", "1.5", "0226-12-01", "2046-12-01", "2026-12-01T14:30",
		"thu 24:00", "thu 9:5", "thu 2pm", "25:00", "9:-5", "+9:30", "thu 14:00 15:00", "2026-12-01 14:30 x", "thu thu"} {
		t.Run("bad "+in, func(t *testing.T) {
			_, _, err := ParseDue(in, now)
			if err == nil {
				t.Fatalf("ParseDue(%q): no error", in)
			}
		})
	}
	_, _, err := ParseDue("2026-13-01", now)
	if want := `bad date "2026-13-01": use YYYY-MM-DD, +N business days, tomorrow or a weekday, each with an optional HH:MM`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func FuzzParseDue(f *testing.F) {
	for _, s := range []string{"today", "t", "+3", "7", "fri", "2026-12-01", "2026-12-01 14:30", "2026-13-01", "+99999", " Mon "} {
		f.Add(s)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 15, 0, 0, paris)
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, paris)
	f.Fuzz(func(t *testing.T, in string) {
		due, hasTime, err := ParseDue(in, now)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
				t.Fatalf("error %q does not quote the input", err)
			}
			return
		}
		if due.Location() != paris {
			t.Fatalf("ParseDue(%q) in %s, want now's location", in, due.Location())
		}
		if !hasTime && (due.Hour() != 0 || due.Minute() != 0) {
			t.Fatalf("ParseDue(%q) = %s: a date that is not midnight", in, due)
		}
		if due.Before(today.AddDate(-maxDueYears, 0, 0)) || due.After(today.AddDate(maxDueYears+1, 0, 0)) {
			t.Fatalf("ParseDue(%q) = %s: too far from today", in, due)
		}
	})
}

// TestDateOnlyDueIsACivilDate: a date-only due names a day on the rep's
// calendar. Stored as CivilDate (or held as midnight where it was typed), it
// is due today, overdue or ahead by its date against today's date in the
// rep's current zone, wherever that is: a rep who typed 10 December in Tokyo
// and reads the book in Chicago, UTC or St John's sees 10 December.
func TestDateOnlyDueIsACivilDate(t *testing.T) {
	r := NewRanker(DefaultSettings(), DefaultProfile())
	tokyo, chicago, stJohns := mustZone(t, "Asia/Tokyo"), mustZone(t, "America/Chicago"), mustZone(t, "America/St_Johns")
	dec10 := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	typedInTokyo := time.Date(2026, 12, 10, 0, 0, 0, 0, tokyo)
	zones := []*time.Location{time.UTC, tokyo, chicago, stJohns, mustZone(t, "Pacific/Kiritimati"), mustZone(t, "Pacific/Pago_Pago")}
	tests := []struct {
		name string
		due  time.Time
		wall func(loc *time.Location) time.Time // the rep's clock, in loc
		want string                             // the due term's detail
	}{
		{"the morning of the day", dec10, func(l *time.Location) time.Time { return time.Date(2026, 12, 10, 8, 0, 0, 0, l) }, "due today"},
		{"late on the day", dec10, func(l *time.Location) time.Time { return time.Date(2026, 12, 10, 23, 30, 0, 0, l) }, "due today"},
		{"typed in tokyo, the day", typedInTokyo, func(l *time.Location) time.Time { return time.Date(2026, 12, 10, 9, 0, 0, 0, l) }, "due today"},
		{"the evening before", dec10, func(l *time.Location) time.Time { return time.Date(2026, 12, 9, 20, 0, 0, 0, l) }, "due 2026-12-10"},
		{"the day after", dec10, func(l *time.Location) time.Time { return time.Date(2026, 12, 11, 0, 30, 0, 0, l) }, "overdue 1 day"},
		{"typed in tokyo, two days on", typedInTokyo, func(l *time.Location) time.Time { return time.Date(2026, 12, 12, 7, 0, 0, 0, l) }, "overdue 2 days"},
	}
	for _, tc := range tests {
		for _, loc := range zones {
			t.Run(tc.name+" in "+loc.String(), func(t *testing.T) {
				task := Task{Kind: TaskTodo, Due: tc.due, Priority: PriorityMedium}
				now := tc.wall(loc)
				if got := r.dueTerm(task, now).Detail; got != tc.want {
					t.Errorf("due term at %s = %q, want %q", now, got, tc.want)
				}
				if y, m, d := task.DueDay(loc).Date(); y != 2026 || m != 12 || d != 10 {
					t.Errorf("DueDay(%s) = %d-%d-%d, want 2026-12-10", loc, y, m, d)
				}
			})
		}
	}
	// A due with a time stays an instant: 9:00 in Tokyo is the day before
	// in Chicago.
	timed := Task{Kind: TaskTodo, Due: time.Date(2026, 12, 10, 9, 0, 0, 0, tokyo), DueHasTime: true}
	if got := r.dueTerm(timed, time.Date(2026, 12, 9, 18, 0, 0, 0, chicago)).Detail; got != "due today 18:00" {
		t.Errorf("timed due in chicago = %q, want due today 18:00", got)
	}
}

func TestDueToAndFromCRM(t *testing.T) {
	tokyo, chicago := mustZone(t, "Asia/Tokyo"), mustZone(t, "America/Chicago")
	date := Task{Due: time.Date(2026, 12, 10, 0, 0, 0, 0, tokyo)} // typed in Tokyo
	at := DueToCRM(date)
	if want := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC); !at.Equal(want) {
		t.Fatalf("DueToCRM = %s, want %s", at, want)
	}
	for _, loc := range []*time.Location{time.UTC, tokyo, chicago, mustZone(t, "America/St_Johns"), mustZone(t, "Pacific/Honolulu")} {
		// HubSpot shows the instant in the viewer's zone: the same date.
		if y, m, d := at.In(loc).Date(); y != 2026 || m != 12 || d != 10 {
			t.Errorf("HubSpot in %s shows %d-%d-%d, want 2026-12-10", loc, y, m, d)
		}
		due, hasTime := DueFromCRM(at, loc)
		if hasTime || !due.Equal(time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("DueFromCRM(%s, %s) = %s, %v; want the civil date 2026-12-10", at, loc, due, hasTime)
		}
	}
	// Midnight in the rep's zone is a date too (how Shortlist wrote dates
	// before); any other instant has a time.
	if due, hasTime := DueFromCRM(time.Date(2026, 12, 10, 0, 0, 0, 0, chicago), chicago); hasTime || !due.Equal(time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("chicago midnight read in chicago = %s, %v; want the date 2026-12-10", due, hasTime)
	}
	timed := time.Date(2026, 12, 10, 9, 30, 0, 0, chicago)
	if due, hasTime := DueFromCRM(timed, tokyo); !hasTime || !due.Equal(timed) {
		t.Errorf("a 9:30 due = %s, %v; want it unchanged, with its time", due, hasTime)
	}
	if got := DueToCRM(Task{Due: timed, DueHasTime: true}); !got.Equal(timed) {
		t.Errorf("DueToCRM of a timed due = %s, want %s", got, timed)
	}
}
