package model

import "time"

// ClockTime is a time of day, minutes since midnight.
type ClockTime int

// Clock builds a ClockTime from hours and minutes.
func Clock(h, m int) ClockTime { return ClockTime(h*60 + m) }

// CallingHours is the local window in which calls are suggested.
type CallingHours struct {
	Start ClockTime
	End   ClockTime
}

// HardCallingHours bound any configured window: calls are never suggested
// outside 08:00–21:00 in the contact's zone.
var HardCallingHours = CallingHours{Start: Clock(8, 0), End: Clock(21, 0)}

// Budget caps touches so nobody is over-touched.
type Budget struct {
	PerContact int
	PerAccount int
	Window     time.Duration
}

// Coefficients weigh the rank terms, in the spirit of Taskwarrior's urgency.
type Coefficients struct {
	Tier        map[Tier]float64
	Fit         float64 // times fit/100
	OverdueDay  float64 // per day overdue
	OverdueMax  float64 // cap on the overdue term
	DueToday    float64
	Priority    map[Priority]float64
	StaleDay    float64 // per day since the last touch
	StaleMax    float64
	CallableNow float64
	Suggested   float64 // added to every suggested row (negative: after tasks)
	ContactFit  float64 // times contact level/100 (persona and seniority)
	// Speed is the peak of a respond row's speed term, at the moment the
	// buyer reached out (see SpeedHalfLife).
	Speed float64
}

// Settings are the rep's working rules: who they are, guardrails, rank weights
// and what each outcome leads to.
type Settings struct {
	RepName      string
	RepEmail     string
	RepZone      string // IANA; "" means local
	CallingHours CallingHours
	Budget       Budget
	Coefficients Coefficients
	// StaleAfter is how long an account of each tier may go untouched before
	// it is suggested.
	StaleAfter map[Tier]time.Duration
	// FocusTier is the lowest ICP tier an account may have to be suggested
	// for cold outreach; accounts below it, and any an exclusion hits, are
	// never suggested (their open tasks still show). Default C: A–C.
	FocusTier Tier
	// ColdPerDay caps the suggested (cold) rows a day offers: once this
	// many cold touches are logged today, or rows above fill what is left,
	// further suggested rows are held with reason cold-quota. 0: no cold
	// outreach at all.
	ColdPerDay int
	Rules      []OutcomeRule
}

// InFocus reports whether an account of tier t may be suggested.
func (s Settings) InFocus(t Tier) bool {
	focus := s.FocusTier
	if focus == "" {
		focus = TierC
	}
	i, f := tierIndex(t), tierIndex(focus)
	return i >= 0 && i <= f
}

// FocusTiers are the tiers InFocus admits, best first.
func (s Settings) FocusTiers() []Tier {
	var out []Tier
	for _, t := range Tiers {
		if s.InFocus(t) {
			out = append(out, t)
		}
	}
	return out
}

func tierIndex(t Tier) int {
	for i, x := range Tiers {
		if x == t {
			return i
		}
	}
	return -1
}

// Wait is how far away a next action is due.
type Wait struct {
	BusinessDays int           // whole business days (weekends skipped)
	Days         int           // calendar days
	Hours        time.Duration // a time later the same day or after
}

// OutcomeRule says, as data, what an outcome leads to.
type OutcomeRule struct {
	Outcome Outcome
	// Next is the next action to propose; "" proposes none.
	Next      TaskKind
	NextTitle string // e.g. "Call again"
	After     Wait
	// BeforeMeeting: the task is due this many business days before the
	// meeting (meeting booked → prep task the business day before).
	BeforeMeeting int
	// SetStatus moves the account to a status, if not "".
	SetStatus AccountStatus
	// AccountTask: the next action is on the account, not the contact
	// (wrong person → find the right contact).
	AccountTask bool
	FlagPhone   bool // wrong number: the phone is flagged bad
	OptOut      bool // opted out: consent recorded, open tasks on the channel closed
	// SameChannel: the next action uses the channel of the touch that was
	// logged (sent → follow up the same way), when ProposeNextOn is told it;
	// Next is the kind used when it is not.
	SameChannel bool
	Priority    Priority
}
