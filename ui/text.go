package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/shortlisthq/shortlist/model"
)

// fit truncates s to w cells (with an ellipsis) and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if n := styledWidth(s); n >= 0 {
		switch {
		case n <= w:
			return s + strings.Repeat(" ", w-n)
		case strings.IndexByte(s, 0x1b) < 0:
			return cutCells(s, w-1) + "…"
		}
	}
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// clip truncates s to w cells without padding.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if n := styledWidth(s); n >= 0 {
		switch {
		case n <= w:
			return s
		case strings.IndexByte(s, 0x1b) < 0:
			return cutCells(s, w-1) + "…"
		}
	}
	return ansi.Truncate(s, w, "…")
}

// fitBar draws a fit score as a 4-cell bar; the number beside it carries the
// value without colour.
func fitBar(score int) string {
	const cells = 4
	n := (score*cells + 50) / 100
	n = max(0, min(cells, n))
	// Small squares and dots, not full blocks: a row of solid blocks reads
	// as a bright slab on screen and in a recording.
	return strings.Repeat("■", n) + strings.Repeat("·", cells-n)
}

// ago says how long before now t was, compactly: "now", "5m", "3h", "4d", "never".
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// dueLabel says when a task is due relative to the rep's day: "today",
// "2d late", "tomorrow", "Thu 26", or "14:30" for a timed task today.
func dueLabel(t model.Task, now time.Time) string {
	if t.Due.IsZero() {
		return "—"
	}
	// A date-only due is its own calendar date in every zone.
	due := t.DueDay(now.Location())
	dd := dayIndex(due) - dayIndex(now)
	switch {
	case dd < 0:
		return fmt.Sprintf("%dd late", -dd)
	case dd == 0 && t.DueHasTime:
		return t.Due.In(now.Location()).Format("15:04")
	case dd == 0:
		return "today"
	case dd == 1:
		return "tomorrow"
	case dd < 7:
		return due.Format("Mon 2")
	case due.Year() != now.In(due.Location()).Year():
		return due.Format("Jan 2 2006")
	default:
		return due.Format("Jan 2")
	}
}

// exampleDate is a date to show in a prompt's examples: the first of next
// month, so the example is never a date the prompt would refuse.
func exampleDate(now time.Time) string {
	y, m, _ := now.Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, now.Location()).Format("2006-01-02")
}

func dayIndex(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// clean sanitises every string of a row that reaches the screen.
func cleanRow(r model.Row) model.Row {
	r.Account = cleanAccount(r.Account)
	r.Contact = cleanContact(r.Contact)
	r.Task.Title = model.Display(r.Task.Title)
	r.HeldDetail = model.Display(r.HeldDetail)
	r.Zone = model.Display(r.Zone)
	if r.Signal != nil {
		g := *r.Signal
		g.Detail, g.Source = model.Display(g.Detail), model.Display(g.Source)
		r.Signal = &g
	}
	why := make([]model.Term, len(r.Why))
	for i, t := range r.Why {
		why[i] = model.Term{Name: model.Display(t.Name), Value: t.Value, Detail: model.Display(t.Detail)}
	}
	r.Why = why
	return r
}

func cleanAccount(a model.Account) model.Account {
	for _, p := range []*string{&a.Name, &a.Domain, &a.Industry, &a.Country, &a.Region, &a.City,
		&a.TimeZone, &a.Owner, &a.CRMTier, &a.CRMURL} {
		*p = model.Display(*p)
	}
	tech := make([]string, len(a.Technologies))
	for i, t := range a.Technologies {
		tech[i] = model.Display(t)
	}
	a.Technologies = tech
	return a
}

func cleanContact(c model.Contact) model.Contact {
	for _, p := range []*string{&c.FirstName, &c.LastName, &c.Title, &c.Email, &c.Phone,
		&c.LinkedInURL, &c.TimeZone} {
		*p = model.Display(*p)
	}
	c.Consent.Call.Source = model.Display(c.Consent.Call.Source)
	c.Consent.Email.Source = model.Display(c.Consent.Email.Source)
	c.Consent.LinkedIn.Source = model.Display(c.Consent.LinkedIn.Source)
	return c
}

func cleanDetail(d model.AccountDetail) model.AccountDetail {
	d.Account = cleanAccount(d.Account)
	d.Fit.ExcludedBy = model.Display(d.Fit.ExcludedBy)
	crit := make([]model.CriterionResult, len(d.Fit.Criteria))
	for i, c := range d.Fit.Criteria {
		c.Name, c.Detail = model.Display(c.Name), model.Display(c.Detail)
		crit[i] = c
	}
	d.Fit.Criteria = crit
	cs := make([]model.Contact, len(d.Contacts))
	for i, c := range d.Contacts {
		cs[i] = cleanContact(c)
	}
	d.Contacts = cs
	ts := make([]model.Touch, len(d.Touches))
	for i, t := range d.Touches {
		t.Note = model.Display(t.Note)
		ts[i] = t
	}
	d.Touches = ts
	ks := make([]model.Task, len(d.Tasks))
	for i, t := range d.Tasks {
		t.Title = model.Display(t.Title)
		ks[i] = t
	}
	d.Tasks = ks
	return d
}

// osc8 wraps text in an OSC 8 hyperlink when links are on. Widths ignore
// the sequence (x/ansi parses it), so it is safe inside padded cells.
func osc8(on bool, url, text string) string {
	if !on || url == "" {
		return text
	}
	return ansi.SetHyperlink(url) + text + ansi.ResetHyperlink()
}

// clipANSI cuts a styled line to w cells, keeping its escape sequences whole.
func clipANSI(s string, w int) string {
	if widthOf(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "")
}

// widthOf is the cells a (possibly styled) string takes.
func widthOf(s string) int {
	if n := styledWidth(s); n >= 0 {
		return n
	}
	return ansi.StringWidth(s)
}

// The worklist draws every cell of every visible row on each key, and
// x/ansi measures text by grapheme clusters, which costs most of a frame at
// 100k rows on screen (a key press took 1–2 ms, most of it here). Nearly
// all text on screen is ASCII, Latin letters and a few marks that are one
// cell each and never join the next rune into one cluster: for those a
// rune is a cell. Anything else (combining marks, wide or emoji runes,
// escapes other than CSI and OSC) goes to x/ansi. TestFastWidths holds the
// two to the same answers.

// oneCell reports whether r is drawn in one cell and is always a grapheme
// cluster of its own next to another oneCell rune.
func oneCell(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7e:
		return true
	case r >= 0xa0 && r <= 0x24f: // Latin-1 Supplement, Latin Extended-A and -B
		return r != 0xad // the soft hyphen's width differs between libraries
	}
	switch r {
	case '—', '–', '‘', '’', '“', '”', '…', '•', '·', '→', '←', '↑', '↓', '■', '✓', '✗', '€':
		return true
	}
	return false
}

// styledWidth is the cells of s when every rune of it is oneCell, between
// CSI (colour) and OSC (link) sequences, which take none; else -1.
func styledWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x7e:
			n++
			i++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return -1
			}
			i = j + 1
		case c == 0x1b && i+1 < len(s) && s[i+1] == ']':
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x7e {
				j++
			}
			switch {
			case j < len(s) && s[j] == 0x07:
				i = j + 1
			case j+1 < len(s) && s[j] == 0x1b && s[j+1] == '\\':
				i = j + 2
			default:
				return -1
			}
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !oneCell(r) {
				return -1
			}
			n++
			i += size
		}
	}
	return n
}

// cutCells is the first w cells of s, which styledWidth measured and which
// holds no escapes.
func cutCells(s string, w int) string {
	for i := range s {
		if w == 0 {
			return s[:i]
		}
		w--
	}
	return s
}
