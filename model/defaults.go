package model

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

func i64(v int64) *int64 { return &v }

// DefaultProfile is the ICP profile Shortlist ships: a mid-market B2B SaaS
// buyer. Reps tune it in their config; Validate says what is wrong with a
// tuned one.
func DefaultProfile() Profile {
	return Profile{
		Name: "Mid-market B2B SaaS",
		Criteria: []Criterion{
			{Name: "Industry", Field: FieldIndustry, Weight: 30, Values: []string{
				"Software", "SaaS", "Computer Software", "Information Technology", "Internet",
				"Fintech", "Financial Services", "Logistics", "Transportation", "E-commerce", "Marketing",
			}},
			{Name: "Company size", Field: FieldEmployees, Weight: 25, Min: i64(200), Max: i64(5000)},
			{Name: "Revenue", Field: FieldRevenue, Weight: 15, Min: i64(20_000_000), Max: i64(1_000_000_000)},
			{Name: "Country", Field: FieldCountry, Weight: 15, Values: []string{
				"US", "United States", "CA", "Canada", "GB", "United Kingdom", "DE", "Germany",
				"FR", "France", "NL", "Netherlands", "SE", "Sweden", "DK", "Denmark", "NO", "Norway",
				"FI", "Finland", "IE", "Ireland", "AU", "Australia",
			}},
			{Name: "Tech stack", Field: FieldTechnologiesAny, Weight: 15, Values: []string{
				"Salesforce", "HubSpot", "Snowflake", "Segment", "Marketo",
			}},
		},
		Exclusions: []Exclusion{
			{Name: "Public sector", Field: FieldIndustry, Values: []string{"Government", "Government Administration", "Public Sector"}},
			{Name: "Too small", Field: FieldEmployees, Max: i64(19)},
		},
		Thresholds: Thresholds{A: 75, B: 55, C: 35},
		Contacts: ContactCriteria{
			Personas: map[Persona]int{
				PersonaDecisionMaker: 100, PersonaChampion: 80, PersonaInfluencer: 50, PersonaUser: 20,
			},
			Seniorities: map[Seniority]int{
				SeniorityCLevel: 100, SeniorityVP: 90, SeniorityDirector: 75, SeniorityManager: 50, SeniorityIndividual: 20,
			},
			Committee: []Persona{PersonaDecisionMaker, PersonaChampion, PersonaInfluencer},
		},
	}
}

// DefaultSettings are the working rules Shortlist ships: calls 09:00–17:00 in
// the contact's zone, at most 3 touches per contact and 6 per account in 14
// days, Taskwarrior-like rank weights and the outcome rules of the issue.
func DefaultSettings() Settings {
	return Settings{
		CallingHours: CallingHours{Start: Clock(9, 0), End: Clock(17, 0)},
		Budget:       Budget{PerContact: 3, PerAccount: 6, Window: 14 * 24 * time.Hour},
		Coefficients: Coefficients{
			Tier:        map[Tier]float64{TierA: 6, TierB: 4, TierC: 2, TierD: 0},
			Fit:         3,
			OverdueDay:  0.5,
			OverdueMax:  5,
			DueToday:    4,
			Priority:    map[Priority]float64{PriorityHigh: 6, PriorityMedium: 3.9, PriorityLow: 1.8},
			StaleDay:    0.1,
			StaleMax:    2,
			CallableNow: 3,
			// A stale account is worth working, but a task someone set
			// for today usually matters more: suggestions get no priority
			// or due-today term, and this small lift instead.
			Suggested:  2,
			ContactFit: 2,
			Speed:      10,
		},
		FocusTier:  TierC,
		ColdPerDay: 10,
		StaleAfter: map[Tier]time.Duration{
			TierA: 7 * 24 * time.Hour, TierB: 14 * 24 * time.Hour,
			TierC: 30 * 24 * time.Hour, TierD: 60 * 24 * time.Hour,
		},
		Rules: []OutcomeRule{
			{Outcome: OutcomeNoAnswer, Next: TaskCall, NextTitle: "Call again", After: Wait{BusinessDays: 2}},
			{Outcome: OutcomeBusy, Next: TaskCall, NextTitle: "Call back", After: Wait{Hours: 2 * time.Hour}},
			{Outcome: OutcomeLeftVoicemail, Next: TaskEmail, NextTitle: "Email after voicemail", After: Wait{BusinessDays: 1}},
			{Outcome: OutcomeConnected, Next: TaskCall, NextTitle: "Follow up", After: Wait{Days: 30}},
			{Outcome: OutcomeMeetingBooked, Next: TaskTodo, NextTitle: "Prepare for the meeting", BeforeMeeting: 1, SetStatus: StatusEngaged},
			{Outcome: OutcomeNotInterested, Next: TaskEmail, NextTitle: "Check back in", After: Wait{Days: 90}, SetStatus: StatusNurture},
			{Outcome: OutcomeBadTiming, Next: TaskCall, NextTitle: "Follow up (bad timing)", After: Wait{Days: 30}},
			{Outcome: OutcomeWrongPerson, Next: TaskTodo, NextTitle: "Find the right contact", After: Wait{BusinessDays: 1}, AccountTask: true},
			{Outcome: OutcomeWrongNumber, Next: TaskEmail, NextTitle: "Email (wrong number)", After: Wait{BusinessDays: 1}, FlagPhone: true},
			{Outcome: OutcomeOptedOut, OptOut: true},
			{Outcome: OutcomeSent, Next: TaskEmail, NextTitle: "Follow up", After: Wait{BusinessDays: 3}, SameChannel: true},
		},
	}
}

// Rule returns the rule for an outcome; an outcome without one gets a rule
// that proposes nothing and changes nothing.
func (s Settings) Rule(o Outcome) OutcomeRule {
	for _, r := range s.Rules {
		if r.Outcome == o {
			return r
		}
	}
	return OutcomeRule{Outcome: o}
}

// Validate reports the first problem with settings, in words a person can act
// on in their config.
func (s Settings) Validate() error {
	h := s.CallingHours
	if h.Start >= h.End {
		return fmt.Errorf("calling hours %s–%s: start must be before end", h.Start, h.End)
	}
	if h.Start < HardCallingHours.Start || h.End > HardCallingHours.End {
		return fmt.Errorf("calling hours %s–%s: must lie within %s–%s", h.Start, h.End, HardCallingHours.Start, HardCallingHours.End)
	}
	if s.RepZone != "" {
		if _, err := time.LoadLocation(s.RepZone); err != nil {
			return fmt.Errorf("rep zone %q is unknown: use an IANA name like Europe/Paris, or leave it empty for the system zone", s.RepZone)
		}
	}
	b := s.Budget
	if b.PerContact < 1 {
		return fmt.Errorf("budget per contact %d: must be at least 1", b.PerContact)
	}
	if b.PerAccount < 1 {
		return fmt.Errorf("budget per account %d: must be at least 1", b.PerAccount)
	}
	if b.Window <= 0 {
		return fmt.Errorf("budget window %s: must be longer than zero", b.Window)
	}
	if s.FocusTier != "" && tierIndex(s.FocusTier) < 0 {
		return fmt.Errorf("suggest tier %q is unknown: use A, B, C or D", s.FocusTier)
	}
	if err := s.Coefficients.validate(); err != nil {
		return err
	}
	for _, t := range Tiers {
		if d, ok := s.StaleAfter[t]; !ok || d <= 0 {
			return fmt.Errorf("stale after for tier %s: must be longer than zero", t)
		}
	}
	seen := make(map[Outcome]bool, len(s.Rules))
	for _, r := range s.Rules {
		if _, err := ParseOutcome(string(r.Outcome)); err != nil || string(r.Outcome) != strings.ToLower(string(r.Outcome)) {
			return fmt.Errorf("outcome rule: unknown outcome %q: use one of %s", r.Outcome, joinNames(Outcomes))
		}
		if seen[r.Outcome] {
			return fmt.Errorf("outcome rule %q: defined twice; keep one", r.Outcome)
		}
		seen[r.Outcome] = true
		if err := r.validate(); err != nil {
			return fmt.Errorf("outcome rule %q: %w", r.Outcome, err)
		}
	}
	return nil
}

func (r OutcomeRule) validate() error {
	if r.Next != "" {
		if _, err := ParseTaskKind(string(r.Next)); err != nil {
			return err
		}
	}
	if r.Priority != "" && r.Priority != PriorityLow && r.Priority != PriorityMedium && r.Priority != PriorityHigh {
		return fmt.Errorf("unknown priority %q: use low, medium or high", r.Priority)
	}
	if r.SetStatus != "" {
		if _, err := ParseAccountStatus(string(r.SetStatus)); err != nil {
			return err
		}
	}
	if r.After.BusinessDays < 0 || r.After.Days < 0 || r.After.Hours < 0 || r.BeforeMeeting < 0 {
		return errors.New("waits must not be negative")
	}
	return nil
}

func (c Coefficients) validate() error {
	check := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("rank coefficient %s: %v is not a finite number", name, v)
		}
		return nil
	}
	for _, t := range Tiers {
		if err := check("tier "+string(t), c.Tier[t]); err != nil {
			return err
		}
	}
	for _, p := range []Priority{PriorityHigh, PriorityMedium, PriorityLow} {
		if err := check("priority "+string(p), c.Priority[p]); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"fit", c.Fit}, {"overdue per day", c.OverdueDay}, {"overdue max", c.OverdueMax},
		{"due today", c.DueToday}, {"stale per day", c.StaleDay}, {"stale max", c.StaleMax},
		{"callable now", c.CallableNow}, {"suggested", c.Suggested}, {"contact fit", c.ContactFit},
	} {
		if err := check(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// String is the clock time as 15:04.
func (c ClockTime) String() string { return twoDigits(int(c)/60) + ":" + twoDigits(int(c)%60) }

func twoDigits(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
