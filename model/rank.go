package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Ranker ranks worklist candidates and applies the guardrails. It caches the
// time zones it loads; it is safe for concurrent use.
type Ranker struct {
	s      Settings
	p      Profile
	window CallingHours // the settings window inside the hard bounds
	rep    *time.Location
	titles []titleRule // the profile's title rules, compiled once

	mu    sync.Mutex
	zones map[string]*time.Location // nil value: the name did not load
}

// NewRanker builds a ranker. An empty or unknown RepZone means time.Local
// (Settings.Validate reports an unknown one).
func NewRanker(s Settings, p Profile) *Ranker {
	rep := time.Local
	if s.RepZone != "" {
		if loc, err := time.LoadLocation(s.RepZone); err == nil {
			rep = loc
		}
	}
	return &Ranker{s: s, p: p, window: s.CallingHours.clamped(), rep: rep, titles: compileTitleRules(p.TitleRules),
		zones: make(map[string]*time.Location)}
}

// zone returns the location for an IANA name and whether it is the contact's
// own; an empty or unknown name falls back to the rep's zone.
func (r *Ranker) zone(name string) (*time.Location, bool) {
	if name == "" {
		return r.rep, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	loc, ok := r.zones[name]
	if !ok {
		l, err := time.LoadLocation(name)
		if err == nil {
			loc = l
		}
		r.zones[name] = loc
	}
	if loc == nil {
		return r.rep, false
	}
	return loc, true
}

// Rank computes a candidate's row: terms, local time, callable now, held.
// Rank is the sum of the terms; Why lists those that are not zero, each with
// a detail a person can read. A suggested row gets a proposed action (ID 0).
func (r *Ranker) Rank(c Candidate, now time.Time) Row {
	row := Row{Kind: c.Kind, Task: c.Task, Account: c.Account, Contact: c.Contact}
	loc, known := r.zone(c.Contact.Zone(c.Account))
	if !known && c.Contact.TimeZone != "" && c.Account.TimeZone != "" {
		loc, known = r.zone(c.Account.TimeZone) // a bad contact zone: the account's is the next best guess
	}
	local := now.In(loc)
	row.Zone, row.LocalTime = loc.String(), local
	open := r.window.open(local)
	co := r.s.Coefficients

	tier := c.Account.Tier
	if tier == "" {
		tier = TierD
	}
	fit := min(max(c.Account.Fit, 0), 100)
	base := []Term{
		{Name: "tier", Value: co.Tier[tier], Detail: "tier " + string(tier)},
		{Name: "fit", Value: co.Fit * float64(fit) / 100, Detail: "fit " + strconv.Itoa(fit)},
	}
	dyn := make([]Term, 0, 5)
	var switched string
	switch c.Kind {
	case RowSignal:
		sig := c.Signal
		row.Signal = &sig
		row.Task, switched = r.answerTask(c, now, open)
		dyn = append(dyn, r.s.SpeedTerm(sig, now))
	case RowSuggested:
		var reason HoldReason
		var detail string
		row.Task, reason, detail = r.suggest(c, now, open)
		if reason != "" {
			row.Held, row.HeldReason, row.HeldDetail = true, reason, detail
		}
	default:
		p := c.Task.Priority
		if p == "" {
			p = PriorityMedium
		}
		base = append(base, Term{Name: "priority", Value: co.Priority[p], Detail: "priority " + string(p)})
		dyn = append(dyn, r.dueTerm(c.Task, now))
	}
	if !row.Held {
		row.HeldReason, row.HeldDetail = r.hold(c, row.Task.Kind, local, loc.String(), known, open)
		row.Held = row.HeldReason != ""
		if row.Held && c.Kind == RowSignal && switched == "" && (row.HeldReason == HoldOptedOut || row.HeldReason == HoldBadNumber || row.HeldReason == HoldNoChannel) {
			row.HeldDetail += "; no other channel is open to answer on"
		}
	}
	row.CallableNow = row.Task.Kind == TaskCall && open && !row.Held
	if c.Kind != RowSignal {
		// Staleness and the callable lift order cold and planned work; an
		// answer is ordered by how long the buyer has waited.
		dyn = append(dyn, r.staleTerm(c.Account, now))
	}
	if row.CallableNow && c.Kind != RowSignal {
		dyn = append(dyn, Term{Name: "callable now", Value: co.CallableNow, Detail: "callable now (" + local.Format("15:04") + " local)"})
	}
	if c.Contact.ID != 0 {
		persona, seniority := roles(r.titles, c.Contact)
		level := r.p.Contacts.level(persona, seniority)
		dyn = append(dyn, Term{Name: "contact", Value: co.ContactFit * float64(level) / 100,
			Detail: "contact level " + strconv.Itoa(level) + " (" + string(seniority) + ", " + string(persona) + ")"})
	}
	if c.Kind == RowSuggested {
		dyn = append(dyn, Term{Name: "suggested", Value: co.Suggested, Detail: r.suggestedDetail(c.Account, now)})
	}

	// Base first, then the rest, so that for a task row Rank is exactly
	// BaseRank + (the dynamic part), and never above BaseRank+MaxDynamic.
	var b, d float64
	for _, t := range base {
		b += t.Value
	}
	for _, t := range dyn {
		d += t.Value
	}
	row.Rank = b + d
	row.Why = make([]Term, 0, len(base)+len(dyn))
	for _, terms := range [][]Term{base, dyn} {
		for _, t := range terms {
			if t.Value != 0 {
				row.Why = append(row.Why, t)
			}
		}
	}
	return row
}

// dueTerm is the overdue or due-today term of a task row. Days are counted
// between calendar dates in now's location, so a task due yesterday evening
// is one day overdue this morning whatever the hour; a date-only due is its
// own civil date, the same day in every zone (DueDay).
func (r *Ranker) dueTerm(t Task, now time.Time) Term {
	co := r.s.Coefficients
	day := t.DueDay(now.Location())
	days := calendarDays(day, now)
	switch {
	case days > 0:
		unit := "days"
		if days == 1 {
			unit = "day"
		}
		return Term{Name: "overdue", Value: min(co.OverdueDay*float64(days), co.OverdueMax), Detail: "overdue " + strconv.Itoa(days) + " " + unit}
	case days == 0:
		detail := "due today"
		if t.DueHasTime {
			detail = "due today " + t.Due.In(now.Location()).Format("15:04")
		}
		return Term{Name: "due today", Value: co.DueToday, Detail: detail}
	}
	return Term{Name: "due", Detail: "due " + day.Format("2006-01-02")}
}

// calendarDays counts the calendar days from a's date to b's date, each read
// in its own location.
func calendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// staleTerm rewards accounts that have gone untouched, capped; an account
// never touched earns the cap.
func (r *Ranker) staleTerm(a Account, now time.Time) Term {
	co := r.s.Coefficients
	if a.LastTouched.IsZero() {
		return Term{Name: "stale", Value: co.StaleMax, Detail: "never touched"}
	}
	days := max(int(now.Sub(a.LastTouched)/(24*time.Hour)), 0)
	return Term{Name: "stale", Value: min(co.StaleDay*float64(days), co.StaleMax), Detail: plural(days, "day") + " since last touch"}
}

func (r *Ranker) suggestedDetail(a Account, now time.Time) string {
	tier := a.Tier
	if tier == "" {
		tier = TierD
	}
	after := "suggested: tier " + string(tier) + " goes stale after " + plural(int(r.s.StaleAfter[tier]/(24*time.Hour)), "day")
	if a.LastTouched.IsZero() {
		return after + "; never touched"
	}
	return after + "; untouched for " + plural(max(int(now.Sub(a.LastTouched)/(24*time.Hour)), 0), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// suggest picks the action for a stale account's contact: a call when one can
// be made now, else email, else LinkedIn, else a call held for the calling
// hours; with no way at all, a held row that says why.
func (r *Ranker) suggest(c Candidate, now time.Time, open bool) (Task, HoldReason, string) {
	t := Task{AccountID: c.Account.ID, ContactID: c.Contact.ID, Due: now, DueHasTime: true,
		Priority: PriorityMedium, Status: TaskOpen, Origin: OriginLocal, CreatedAt: now}
	if c.Account.LastTouched.IsZero() {
		t.Title = "First touch"
	} else {
		days := max(int(now.Sub(c.Account.LastTouched)/(24*time.Hour)), 0)
		t.Title = fmt.Sprintf("Re-engage: %d days untouched", days)
	}
	if c.Contact.ID == 0 {
		t.Kind, t.Title = TaskTodo, "Find a contact at "+c.Account.Name
		return t, HoldNoChannel, "no contact at " + c.Account.Name + " to reach: add one"
	}
	ct := c.Contact
	phone := ct.Phone != "" && !ct.PhoneBad && !ct.Consent.Call.OptedOut()
	email := ct.Email != "" && !ct.Consent.Email.OptedOut()
	linkedIn := ct.LinkedInURL != "" && !ct.Consent.LinkedIn.OptedOut()
	switch {
	case phone && open:
		t.Kind = TaskCall
	case email:
		t.Kind = TaskEmail
	case linkedIn:
		t.Kind = TaskLinkedIn
	case phone:
		t.Kind = TaskCall // held for the calling hours by the guardrails
	default:
		t.Kind = TaskCall
		return t, HoldNoChannel, "no way to reach " + nameOr(ct) + ": " + strings.Join(channelGaps(ct), ", ")
	}
	return t, "", ""
}

// answerTask is a respond row's proposed action: an answer on the channel
// answer picks, due now, its title the signal's detail; switched says why
// the buyer's own channel was not used ("" when it was).
func (r *Ranker) answerTask(c Candidate, now time.Time, open bool) (Task, string) {
	k, switched := answer(c.Signal, c.Contact, c.Account, open)
	t := Task{AccountID: c.Account.ID, ContactID: c.Contact.ID, Kind: k, Due: now, DueHasTime: true,
		Priority: PriorityHigh, Status: TaskOpen, Origin: OriginLocal, CreatedAt: now}
	what := c.Signal.Detail
	if what == "" {
		what = c.Signal.Kind.Verb()
	}
	t.Title = "Answer: " + what
	if k == TaskTodo {
		t.Title = "Find who at " + c.Account.Name + " " + c.Signal.Kind.Verb() + ": " + what
	}
	if switched != "" {
		t.Title += " (by " + kindNoun(k) + ": " + switched + ")"
	}
	return t, switched
}

func nameOr(c Contact) string {
	if n := c.Name(); n != "" {
		return n
	}
	return "the contact"
}

// channelGaps says why each channel is out for a contact.
func channelGaps(c Contact) []string {
	var why []string
	switch {
	case c.Phone == "":
		why = append(why, "no phone")
	case c.PhoneBad:
		why = append(why, "phone flagged wrong")
	case c.Consent.Call.OptedOut():
		why = append(why, "calls opted out")
	}
	switch {
	case c.Email == "":
		why = append(why, "no email")
	case c.Consent.Email.OptedOut():
		why = append(why, "email opted out")
	}
	switch {
	case c.LinkedInURL == "":
		why = append(why, "no LinkedIn")
	case c.Consent.LinkedIn.OptedOut():
		why = append(why, "LinkedIn opted out")
	}
	return why
}

// hold applies the guardrails in order: do not contact, opted out, contact
// budget, account budget, calling hours. A todo contacts nobody, so only do
// not contact holds it.
func (r *Ranker) hold(c Candidate, kind TaskKind, local time.Time, zone string, zoneKnown, open bool) (HoldReason, string) {
	if c.Account.DoNotContact {
		return HoldDoNotContact, c.Account.Name + " is marked do not contact"
	}
	ch := kind.Channel()
	if ch == "" {
		return "", ""
	}
	// The one consent guard: a task from anywhere (the CRM, an import, an
	// older log) on a refused channel is shown held, never proposed.
	if r := Guard(kind, c.Contact, c.Account); r != nil {
		switch r.Reason {
		case RefuseOptedOut:
			return HoldOptedOut, optOutDetail(nameOr(c.Contact), ch, c.Contact.Consent.For(ch))
		case RefuseBadNumber:
			return HoldBadNumber, r.Cause() + ": find another number or reach them another way"
		case RefuseNoAddress:
			return HoldNoChannel, r.Cause() + ": add one"
		}
	}
	b := r.s.Budget
	window := windowPhrase(b.Window)
	if c.Contact.ID != 0 && c.ContactTouches >= b.PerContact {
		return HoldContactBudget, fmt.Sprintf("%s touched %s in the last %s (budget %d)", nameOr(c.Contact), plural(c.ContactTouches, "time"), window, b.PerContact)
	}
	if c.AccountTouches >= b.PerAccount {
		return HoldAccountBudget, fmt.Sprintf("%s touched %s in the last %s (budget %d)", c.Account.Name, plural(c.AccountTouches, "time"), window, b.PerAccount)
	}
	if kind == TaskCall && !open {
		return HoldCallingHours, r.window.hoursDetail(local, zone, zoneKnown)
	}
	return "", ""
}

func optOutDetail(name string, ch Channel, cs Consent) string {
	src := cs.Source
	if src == "" {
		src = "source unknown"
	}
	when := "date unknown"
	if !cs.At.IsZero() {
		when = cs.At.Format("2006-01-02")
	}
	return fmt.Sprintf("%s opted out of %s (%s, %s)", name, channelNoun(ch), src, when)
}

func channelNoun(ch Channel) string {
	switch ch {
	case ChannelCall:
		return "calls"
	case ChannelEmail:
		return "email"
	case ChannelLinkedIn:
		return "LinkedIn"
	}
	return string(ch)
}

func windowPhrase(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return plural(int(d/(24*time.Hour)), "day")
	}
	return d.String()
}

// BaseRank is the part of a task row's rank that does not depend on the
// clock: tier, fit and priority. The store indexes it. It is summed in the
// same order as Rank sums those terms, so the two agree exactly.
func (r *Ranker) BaseRank(tier Tier, fit int, p Priority) float64 {
	co := r.s.Coefficients
	if tier == "" {
		tier = TierD
	}
	if p == "" {
		p = PriorityMedium
	}
	fit = min(max(fit, 0), 100)
	var b float64
	for _, v := range []float64{co.Tier[tier], co.Fit * float64(fit) / 100, co.Priority[p]} {
		b += v
	}
	return b
}

// MaxDynamic bounds the rest of a task row's rank (overdue, due today,
// staleness, callable now, contact level), so a store can stop scanning
// candidates in BaseRank order once no further row can enter the page:
// for any task row, Rank ≤ BaseRank + MaxDynamic. Overdue and due today never
// apply together, so only the larger counts.
func (r *Ranker) MaxDynamic() float64 {
	co := r.s.Coefficients
	pos := func(v float64) float64 { return math.Max(v, 0) }
	var d float64
	for _, v := range []float64{pos(math.Max(co.OverdueMax, co.DueToday)), pos(co.StaleMax), pos(co.CallableNow), pos(co.ContactFit)} {
		d += v
	}
	return d
}

// SuggestedBase is the clock-free part of a suggested row's rank: tier and
// fit (a suggestion has no priority). Rank sums those terms in this order.
func (r *Ranker) SuggestedBase(tier Tier, fit int) float64 {
	co := r.s.Coefficients
	if tier == "" {
		tier = TierD
	}
	fit = min(max(fit, 0), 100)
	var b float64
	for _, v := range []float64{co.Tier[tier], co.Fit * float64(fit) / 100} {
		b += v
	}
	return b
}

// MaxSuggestedDynamic bounds the rest of a suggested row's rank (staleness,
// callable now, contact level and the suggested term): for any suggested
// row, Rank ≤ SuggestedBase + MaxSuggestedDynamic.
func (r *Ranker) MaxSuggestedDynamic() float64 {
	co := r.s.Coefficients
	pos := func(v float64) float64 { return math.Max(v, 0) }
	var d float64
	for _, v := range []float64{pos(co.StaleMax), pos(co.CallableNow), pos(co.ContactFit), co.Suggested} {
		d += v
	}
	return d
}

// StaleBefore is the last-touched time before which an account of the tier
// counts as stale at now. A tier without a setting uses tier D's.
func (r *Ranker) StaleBefore(t Tier, now time.Time) time.Time {
	d, ok := r.s.StaleAfter[t]
	if !ok {
		d = r.s.StaleAfter[TierD]
	}
	return now.Add(-d)
}
