package model

import (
	"fmt"
	"time"
)

// DueUse is what a typed date is for: the rule for a date in the past
// depends on it.
type DueUse int

const (
	// DueTask is a task's due date or a next action: today or later.
	DueTask DueUse = iota
	// DueSnooze is when a snoozed task comes back: after now.
	DueSnooze
	// DueMeeting is when a booked meeting is: today or later.
	DueMeeting
)

// ParseDueFor reads a typed date with ParseDue and applies the one rule
// both front ends share: a date in the past is refused with the reason,
// never taken as a task already late ("d 2026-11-01" made a task "32d
// late"; "--next 2020-01-01" printed "Wed 1 Jan"). A date alone counts from
// the start of its day, so "today" is not past; a time of day that has
// passed is. A snooze must end after now.
func ParseDueFor(s string, now time.Time, use DueUse) (time.Time, bool, error) {
	due, hasTime, err := ParseDue(s, now)
	if err != nil {
		return due, hasTime, err
	}
	return due, hasTime, CheckDue(due, hasTime, now, use)
}

// CheckDue is ParseDueFor's rule for a date already read.
func CheckDue(due time.Time, hasTime bool, now time.Time, use DueUse) error {
	today := midnight(now, now.Location())
	days := int(today.Sub(midnight(due, now.Location())).Hours()/24 + 0.5)
	switch {
	case days > 0:
		ago := fmt.Sprintf("%d days ago", days)
		if days == 1 {
			ago = "yesterday"
		}
		return fmt.Errorf("%s is in the past (%s): give today or a later date", DayWord(due, hasTime, now), ago)
	case hasTime && due.Before(now):
		return fmt.Errorf("%s has passed: give a later time or date", DayWord(due, hasTime, now))
	case use == DueSnooze && !due.After(now):
		return fmt.Errorf("%s is not after now: snooze until a later date (tomorrow, +3, mon)", DayWord(due, hasTime, now))
	}
	return nil
}

// DayWord is a date as both front ends write it: "Mon 7 Dec", with the
// year when it is not now's year ("Fri 1 Jan 2027") and the time when one
// was given ("Thu 26 Nov 14:00").
func DayWord(t time.Time, hasTime bool, now time.Time) string {
	if hasTime {
		t = t.In(now.Location())
	} else {
		// A date-only due is a civil date: its own date, in no zone.
		y, m, d := t.Date()
		t = time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	}
	layout := "Mon 2 Jan"
	if t.Year() != now.Year() {
		layout += " 2006"
	}
	if hasTime {
		layout += " 15:04"
	}
	return t.Format(layout)
}
