package model

// PLACEHOLDERS: the model-logic helper replaces every function in this file with
// a real implementation in its own file (fit.go, titles.go, rank.go, outcomes.go,
// dates.go, defaults.go, sanitize.go) and deletes this file. Nothing may ship
// while it exists.

import "time"

// DefaultProfile is the ICP profile Shortlist ships.
func DefaultProfile() Profile { panic("pending") }

// Validate reports the first problem with a profile (a negative weight, tier
// thresholds out of order, min > max, an unknown field or persona).
func (p Profile) Validate() error { panic("pending") }

// Score explains an account's fit: per-criterion points, unknowns shown and
// left out of the denominator, exclusions forcing tier D with ExcludedBy set.
func (p Profile) Score(a Account) Fit { panic("pending") }

// Classify derives persona and seniority from a job title: the profile's
// title rules first, then the built-in ones.
func (p Profile) Classify(title string) (Persona, Seniority) { panic("pending") }

// ContactLevel is 0–100: how well a contact's persona and seniority match the
// contact level the profile wants.
func (p Profile) ContactLevel(c Contact) int { panic("pending") }

// CommitteeGaps are the profile's committee personas with no contact reached
// (a touch connected, meeting booked or inbound) among the given ones.
func (p Profile) CommitteeGaps(contacts []Contact, touches []Touch) []Persona { panic("pending") }

// DefaultSettings are the working rules Shortlist ships.
func DefaultSettings() Settings { panic("pending") }

// Validate reports the first problem with settings.
func (s Settings) Validate() error { panic("pending") }

// Rule returns the rule for an outcome.
func (s Settings) Rule(o Outcome) OutcomeRule { panic("pending") }

// Ranker ranks worklist candidates and applies the guardrails.
type Ranker struct{}

// NewRanker builds a ranker.
func NewRanker(s Settings, p Profile) *Ranker { panic("pending") }

// Rank computes a candidate's row: terms, local time, callable now, held.
func (r *Ranker) Rank(c Candidate, now time.Time) Row { panic("pending") }

// BaseRank is the part of a task row's rank that does not depend on the
// clock: tier, fit and priority. The store indexes it.
func (r *Ranker) BaseRank(tier Tier, fit int, p Priority) float64 { panic("pending") }

// MaxDynamic bounds the rest of a task row's rank (overdue, due today,
// staleness, callable now, contact level), so a store can stop scanning
// candidates in BaseRank order once no further row can enter the page.
func (r *Ranker) MaxDynamic() float64 { panic("pending") }

// StaleBefore is the last-touched time before which an account of the tier
// counts as stale at now.
func (r *Ranker) StaleBefore(t Tier, now time.Time) time.Time { panic("pending") }

// ProposeNext returns the next action a rule proposes for an outcome logged
// at now, or nil. meeting is the booked meeting's time for meeting-booked.
func (s Settings) ProposeNext(o Outcome, c Contact, a Account, now, meeting time.Time) *Task {
	panic("pending")
}

// AddBusinessDays moves t by n business days, skipping Saturdays and Sundays.
func AddBusinessDays(t time.Time, n int) time.Time { panic("pending") }

// ParseDue reads a due date as a person types it: "today", "tomorrow", "+3"
// (business days), a weekday ("mon"), "2026-12-01" or "2026-12-01 14:30".
func ParseDue(s string, now time.Time) (due time.Time, hasTime bool, err error) { panic("pending") }

// Sanitize makes text from a CRM or a file safe to draw: it drops ESC, CSI,
// OSC and DCS sequences, C0 and C1 controls, NUL and invalid UTF-8 (tabs and
// newlines become spaces), so nothing reaches the terminal raw.
func Sanitize(s string) string { panic("pending") }
