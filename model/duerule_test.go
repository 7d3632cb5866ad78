package model

import (
	"strings"
	"testing"
	"time"
)

func TestParseDueFor(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, loc) // a Thursday
	cases := []struct {
		name, in string
		use      DueUse
		err      string // "" : accepted
	}{
		{"past date", "2026-11-01", DueTask, "Sun 1 Nov is in the past (32 days ago)"},
		{"past year", "2020-01-01", DueTask, "Wed 1 Jan 2020 is in the past"},
		{"yesterday", "2026-12-02", DueTask, "(yesterday)"},
		{"today", "today", DueTask, ""},
		{"a time passed today", "09:00", DueTask, "Thu 3 Dec 09:00 has passed"},
		{"a time later today", "16:00", DueTask, ""},
		{"next year", "2027-01-04", DueTask, ""},
		{"snooze today", "today", DueSnooze, "is not after now"},
		{"snooze past", "2020-01-01", DueSnooze, "is in the past"},
		{"snooze tomorrow", "tomorrow", DueSnooze, ""},
		{"meeting past", "2026-11-30 14:00", DueMeeting, "is in the past"},
		{"meeting thu", "thu 14:00", DueMeeting, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseDueFor(tc.in, now, tc.use)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("%q refused: %v", tc.in, err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("%q: error %v, want it to say %q", tc.in, err, tc.err)
			}
		})
	}
	if got := DayWord(time.Date(2027, 1, 1, 0, 0, 0, 0, loc), false, now); got != "Fri 1 Jan 2027" {
		t.Fatalf("DayWord next year = %q", got)
	}
}
