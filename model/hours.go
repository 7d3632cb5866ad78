package model

import (
	"strconv"
	"time"
)

// clamped is the window inside the hard 08:00–21:00 bounds; it may come out
// empty (Start ≥ End), in which case calls are never suggested.
func (h CallingHours) clamped() CallingHours {
	return CallingHours{Start: max(h.Start, HardCallingHours.Start), End: min(h.End, HardCallingHours.End)}
}

// open reports whether local (a wall clock in the contact's zone) is inside
// the window on a weekday.
func (h CallingHours) open(local time.Time) bool {
	if isWeekend(local.Weekday()) {
		return false
	}
	now := Clock(local.Hour(), local.Minute())
	return now >= h.Start && now < h.End
}

// nextOpen is when the window next opens after local, in local's zone, or
// the zero time for an empty window. Each candidate day is built with
// time.Date, so a DST change between now and then is accounted for.
func (h CallingHours) nextOpen(local time.Time) time.Time {
	if h.Start >= h.End {
		return time.Time{}
	}
	y, m, d := local.Date()
	for i := 0; i < 8; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, local.Location())
		if isWeekend(day.Weekday()) {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), int(h.Start)/60, int(h.Start)%60, 0, 0, local.Location())
		if start.After(local) {
			return start
		}
	}
	return time.Time{}
}

// hoursDetail explains a calling-hours hold: "calls 09:00–17:00 local; it is
// 19:40 in America/Chicago (opens in 13h20m)".
func (h CallingHours) hoursDetail(local time.Time, zone string, zoneKnown bool) string {
	if h.Start >= h.End {
		return "no calling hours left inside " + HardCallingHours.Start.String() + "–" + HardCallingHours.End.String() + ": check the calling hours setting"
	}
	when, days := local.Format("15:04"), ""
	if isWeekend(local.Weekday()) {
		when, days = local.Format("Monday 15:04"), " on weekdays"
	}
	where := "in " + zone
	if !zoneKnown {
		where = "in " + zone + ", your zone (contact's zone unknown)"
	}
	next := h.nextOpen(local)
	return "calls " + h.Start.String() + "–" + h.End.String() + " local" + days + "; it is " + when + " " + where +
		" (opens in " + shortDuration(next.Sub(local)) + ")"
}

// shortDuration formats a wait the way a person says it: 45m, 13h20m, 2d14h.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < 0 {
		d = 0
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return strconv.Itoa(days) + "d" + strconv.Itoa(hours) + "h"
	case hours > 0:
		return strconv.Itoa(hours) + "h" + twoDigits(mins) + "m"
	}
	return strconv.Itoa(mins) + "m"
}
