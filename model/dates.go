package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AddBusinessDays moves t by n business days, skipping Saturdays and Sundays.
// A negative n moves back. The wall clock is kept across DST changes, because
// every step is a calendar-day step (time.AddDate), never a 24-hour one.
// Moving 0 days returns t even on a weekend.
func AddBusinessDays(t time.Time, n int) time.Time {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	// Whole weeks first: five business days are seven calendar days from any
	// weekday, so only the remainder needs walking.
	if weeks := n / 5; weeks > 0 && !isWeekend(t.Weekday()) {
		t = t.AddDate(0, 0, step*7*weeks)
		n -= 5 * weeks
	}
	for n > 0 {
		t = t.AddDate(0, 0, step)
		if !isWeekend(t.Weekday()) {
			n--
		}
	}
	return t
}

func isWeekend(d time.Weekday) bool { return d == time.Saturday || d == time.Sunday }

// CivilDate is the form a date-only due is stored and compared in: midnight
// UTC of t's calendar date, read in t's own location. A date-only due names a
// day on the rep's calendar, not an instant, so a rep who types 10 December in
// Tokyo and reads the book in Chicago still sees 10 December.
func CivilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DueDay is the calendar day a task is due on, as midnight in loc: for a
// date-only due its own date, never moved by a zone (whether Due is held as
// CivilDate or as midnight where it was typed); for a due with a time, the
// instant's date in loc.
func (t Task) DueDay(loc *time.Location) time.Time {
	if t.DueHasTime {
		return midnight(t.Due, loc)
	}
	y, m, d := t.Due.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// DueToCRM is the instant a CRM that keeps every due as an instant is given:
// a due with a time as it is; a date-only due as noon UTC of its date. Noon
// UTC falls on that same date in every zone from UTC−12 to UTC+11, so HubSpot
// (which shows hs_timestamp in each user's own zone) shows the day the rep
// chose whatever zone the rep's HubSpot profile or laptop is in, and it reads
// back as that date wherever the rep is (DueFromCRM). Midnight in the rep's
// zone would show as the day before to anyone west of the rep, the rep's own
// HubSpot included once the laptop's zone and the profile's differ.
func DueToCRM(t Task) time.Time {
	if t.DueHasTime || t.Due.IsZero() {
		return t.Due
	}
	return CivilDate(t.Due).Add(12 * time.Hour)
}

// DueFromCRM reads a CRM's due instant back: noon UTC exactly is a date-only
// due (as DueToCRM writes one), and so is midnight in the rep's zone (as
// Shortlist wrote them before, and as a date typed in the CRM by a rep in
// that zone arrives); anything else is a due with a time.
func DueFromCRM(at time.Time, rep *time.Location) (due time.Time, hasTime bool) {
	if at.IsZero() {
		return at, true
	}
	if u := at.UTC(); u.Hour() == 12 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
		return CivilDate(u), false
	}
	if l := at.In(rep); l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 && l.Nanosecond() == 0 {
		return CivilDate(l), false
	}
	return at, true
}

// midnight is the start of t's calendar day in loc.
func midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// nextBusinessDay returns t if it falls on a weekday, else the Monday after.
func nextBusinessDay(t time.Time) time.Time {
	for isWeekend(t.Weekday()) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// maxDueBusinessDays bounds "+N" so a typo cannot push a task decades out.
const maxDueBusinessDays = 2600 // about ten years

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

// ParseDue reads a due date as a person types it: "today", "tomorrow" or
// "t", "+3" or "3" (business days from today), a weekday ("mon", "friday":
// the next one, never today), "2026-12-01" or "2026-12-01 14:30"; any of
// them may end in a time of day ("thu 14:00", "tomorrow 9:30"), and a time
// alone is today's ("16:00"). The forms with a time report hasTime and are
// instants in now's location. A date alone is midnight in now's location;
// as a due it stands for its calendar date only (see CivilDate and DueDay),
// and as a bound (snooze until, a meeting day) for the start of that day.
func ParseDue(s string, now time.Time) (due time.Time, hasTime bool, err error) {
	v := strings.ToLower(strings.Join(strings.Fields(s), " "))
	loc := now.Location()
	today := midnight(now, loc)
	bad := func() (time.Time, bool, error) {
		return time.Time{}, false, fmt.Errorf("bad date %q: use YYYY-MM-DD, +N business days, tomorrow or a weekday, each with an optional HH:MM", s)
	}
	// A time of day after any of the date words ("thu 14:00", "tomorrow
	// 9:30", "+2 10:00"), or alone for today ("16:00").
	if h, m, ok := clockOf(v); ok {
		return today.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), true, nil
	}
	if date, clock, ok := strings.Cut(v, " "); ok && !strings.Contains(date, "-") {
		h, m, ok := clockOf(clock)
		if !ok {
			return bad()
		}
		d, hasTime, err := ParseDue(date, now)
		if err != nil || hasTime {
			return bad()
		}
		return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), true, nil
	}
	switch v {
	case "":
		return bad()
	case "today":
		return today, false, nil
	case "tomorrow", "t", "tmr", "tmrw":
		return today.AddDate(0, 0, 1), false, nil
	}
	if wd, ok := weekdayNames[v]; ok {
		days := (int(wd) - int(today.Weekday()) + 7) % 7
		if days == 0 {
			days = 7
		}
		return today.AddDate(0, 0, days), false, nil
	}
	if num := strings.TrimPrefix(v, "+"); num != "" && num[0] >= '0' && num[0] <= '9' && !strings.Contains(num, "-") {
		n, err := strconv.Atoi(num)
		if err != nil || n > maxDueBusinessDays {
			return bad()
		}
		return AddBusinessDays(today, n), false, nil
	}
	layout, hasTime := "2006-01-02", false
	if strings.Contains(v, " ") {
		layout, hasTime = "2006-01-02 15:04", true
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return bad()
	}
	if t.Before(today.AddDate(-maxDueYears, 0, 0)) || t.After(today.AddDate(maxDueYears, 0, 0)) {
		return time.Time{}, false, fmt.Errorf("date %q is more than %d years from today: check the year", s, maxDueYears)
	}
	return t, hasTime, nil
}

// clockOf reads a 24-hour time of day, "9:30" or "14:00".
func clockOf(s string) (hour, minute int, ok bool) {
	hs, ms, found := strings.Cut(s, ":")
	if !found || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || hs[0] == '+' || hs[0] == '-' || ms[0] == '+' || ms[0] == '-' {
		return 0, 0, false
	}
	return h, m, true
}

// maxDueYears bounds typed dates: "0226-12-01" is a typo, not a plan.
const maxDueYears = 10
