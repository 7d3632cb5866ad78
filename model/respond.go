package model

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// SignalWindow is how long an unanswered signal stays on the worklist: a
// week, after which asking "still interested?" is a cold touch again.
const SignalWindow = 7 * 24 * time.Hour

// SpeedHalfLife is the age at which a signal's speed term has fallen to half
// its peak. The term is Speed·h/(h+age): about 9 of 10 at 40 minutes, 8.6 at
// an hour, half at six hours, a fifth after a day and under a twentieth at
// the end of the week, so the first hour is worth most and the order still
// holds among older signals.
const SpeedHalfLife = 6 * time.Hour

// Verb is what the buyer did, as the why line says it ("replied").
func (k SignalKind) Verb() string {
	switch k {
	case SignalReplied:
		return "replied"
	case SignalForm:
		return "filled in a form"
	case SignalMeeting:
		return "booked a meeting"
	case SignalCalled:
		return "called in"
	case SignalClicked:
		return "clicked a link"
	case SignalVisited:
		return "came back to the site"
	}
	return "reached out"
}

// AnswerKind is the channel an answer to a signal of this kind would use
// when the buyer's own is not recorded: a call answers a call, everything
// else is answered by email.
func (k SignalKind) AnswerKind() TaskKind {
	if k == SignalCalled {
		return TaskCall
	}
	return TaskEmail
}

// SignalKindFor is the kind of a signal the rep records by hand for a
// channel the buyer used ("they reached out" on the log screen).
func SignalKindFor(ch Channel) SignalKind {
	switch ch {
	case ChannelCall:
		return SignalCalled
	case ChannelEmail, ChannelLinkedIn:
		return SignalReplied
	case ChannelMeeting:
		return SignalMeeting
	}
	return SignalOther
}

// Phrase is the signal in a few words with its age: "replied 40 min ago".
func (s Signal) Phrase(now time.Time) string {
	return s.Kind.Verb() + " " + Age(s.At, now)
}

// Age says how long ago t was, in the unit a person would use: "just now",
// "40 min ago", "3 h ago", "2 days ago".
func Age(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h ago"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days ago"
}

// SpeedTerm is a respond row's speed term: highest in the first hour and
// decaying with the signal's age (see SpeedHalfLife), with the signal in
// words as its detail.
func (s Settings) SpeedTerm(sig Signal, now time.Time) Term {
	age := max(now.Sub(sig.At), 0)
	h := float64(SpeedHalfLife)
	v := s.Coefficients.Speed * h / (h + float64(age))
	return Term{Name: "speed", Value: math.Round(v*10) / 10, Detail: sig.Phrase(now)}
}

// Answers are the open signals a touch at at on contact c (at account a)
// answers: the contact's signals at or before it, and the account's own
// (no contact) likewise. A signal that arrived after the touch is not
// answered by it.
func Answers(open []Signal, contactID, accountID int64, at time.Time) []Signal {
	var out []Signal
	for _, s := range open {
		if s.Answered() || s.At.After(at) {
			continue
		}
		if (s.ContactID != 0 && s.ContactID == contactID) || (s.ContactID == 0 && s.AccountID == accountID) {
			out = append(out, s)
		}
	}
	return out
}

// answerChannels is the order other channels are tried in when the buyer's
// own is refused.
var answerChannels = []TaskKind{TaskEmail, TaskCall, TaskLinkedIn}

// answer picks the channel to answer a signal on: the one the buyer used
// when the contact allows it, else another channel Guard allows (a call
// outside the calling hours gives way to one that is open now), else the
// buyer's, which the guardrails then hold with the reason. An account-only
// signal is answered by finding who it was (a to-do). switched says the
// buyer's channel was refused and why.
func answer(sig Signal, c Contact, a Account, callOpen bool) (k TaskKind, switched string) {
	if c.ID == 0 {
		return TaskTodo, ""
	}
	want := sig.Channel
	if want == "" || want == TaskTodo {
		want = sig.Kind.AnswerKind()
	}
	refused := Guard(want, c, a)
	if refused == nil && (want != TaskCall || callOpen) {
		return want, ""
	}
	var later TaskKind // allowed but outside the calling hours
	if refused == nil {
		later = want
	}
	for _, k := range answerChannels {
		if k == want || Guard(k, c, a) != nil {
			continue
		}
		if k == TaskCall && !callOpen {
			if later == "" {
				later = k
			}
			continue
		}
		if refused != nil {
			return k, refused.Cause()
		}
		return k, "outside calling hours"
	}
	if later != "" {
		if refused != nil {
			return later, refused.Cause()
		}
		return later, ""
	}
	return want, ""
}

// ColdQuota holds the suggested rows past the day's cold quota. rows are
// suggested rows in worklist order; used is the cold touches logged today.
// Rows already held keep their reason and take no place in the quota; the
// first ColdPerDay-used of the others stay, the rest are held with reason
// cold-quota. It returns how many it held.
func (s Settings) ColdQuota(rows []Row, used int) int {
	left := max(s.ColdPerDay-used, 0)
	held := 0
	for i := range rows {
		r := &rows[i]
		if r.Held || r.Kind != RowSuggested {
			continue
		}
		if left > 0 {
			left--
			continue
		}
		r.Held, r.HeldReason, r.HeldDetail = true, HoldColdQuota, s.ColdDetail(used)
		held++
	}
	return held
}

// ColdDetail says why a suggested row is past the cold quota.
func (s Settings) ColdDetail(used int) string {
	if used >= s.ColdPerDay {
		return fmt.Sprintf("%d of %d cold touches made today ([restraint] cold_per_day): answer buyers and planned work first",
			used, s.ColdPerDay)
	}
	return fmt.Sprintf("today's cold quota of %d goes to the suggested rows above (%d cold touches made)", s.ColdPerDay, used)
}

// IsCold says whether a touch counts against the cold quota: outreach the
// rep started (outbound, on a call, email or LinkedIn) that works no task,
// answers no signal, at an account with no open task. It is decided when
// the touch is logged and stored with it.
func IsCold(t Touch, worked bool, answers int, accountHasTask bool) bool {
	if t.Direction != Outbound || worked || answers > 0 || accountHasTask {
		return false
	}
	return t.Channel == ChannelCall || t.Channel == ChannelEmail || t.Channel == ChannelLinkedIn
}

// SignalStats are the listening figures of the stats screen: this week's
// signals, how fast they were answered, and what share of the week's
// touches were answers and what share cold.
type SignalStats struct {
	Week       int `json:"signals_week"`       // signals that arrived since Monday
	Answered   int `json:"answered_week"`      // of those, answered
	Unanswered int `json:"unanswered_week"`    // of those, not answered
	Open       int `json:"open"`               // unanswered and still on the list (last 7 days)
	MedianMins int `json:"median_answer_mins"` // median time to answer this week's answered ones; -1: none
	Touches    int `json:"touches_week"`       // touches logged since Monday
	Answers    int `json:"answers_week"`       // of those, answers to a signal
	Cold       int `json:"cold_week"`          // of those, cold
}

// Lines are the listening figures as label and text, in the words both the
// stats screen and `shortlist stats` show.
func (s SignalStats) Lines() [][2]string {
	sig := "none this week"
	if s.Week > 0 {
		sig = fmt.Sprintf("%d this week, %d answered", s.Week, s.Answered)
		if s.MedianMins >= 0 && s.Answered > 0 {
			sig += " (median " + Minutes(s.MedianMins) + ")"
		}
	}
	sig += fmt.Sprintf("; %d waiting from the last 7 days", s.Open)
	mix := "no touches this week"
	if s.Touches > 0 {
		mix = fmt.Sprintf("%d this week: %d%% answers (%d), %d%% cold (%d)", s.Touches,
			percent(s.Answers, s.Touches), s.Answers, percent(s.Cold, s.Touches), s.Cold)
	}
	return [][2]string{
		{"signals", sig},
		{"answers/cold", mix},
	}
}

// Minutes words a wait: "42 min", "3 h 5 min", "2 days 4 h".
func Minutes(m int) string {
	switch {
	case m < 60:
		return strconv.Itoa(m) + " min"
	case m < 24*60:
		if m%60 == 0 {
			return strconv.Itoa(m/60) + " h"
		}
		return strconv.Itoa(m/60) + " h " + strconv.Itoa(m%60) + " min"
	}
	d, h := m/(24*60), (m%(24*60))/60
	out := plural(d, "day")
	if h > 0 {
		out += " " + strconv.Itoa(h) + " h"
	}
	return out
}

// OneRowPerBuyer keeps one respond row per contact (per account for
// signals with no contact): the best ranked, since the next touch answers
// all of them at once. The row's title says how many more are waiting.
// Rows keep their order otherwise.
func OneRowPerBuyer(rows []Row) []Row {
	type who struct{ contact, account int64 }
	best := map[who]int{}
	more := map[who]int{}
	for i, r := range rows {
		k := who{r.Contact.ID, 0}
		if r.Contact.ID == 0 {
			k = who{0, r.Account.ID}
		}
		j, ok := best[k]
		if !ok {
			best[k] = i
			continue
		}
		more[k]++
		if r.Rank > rows[j].Rank || (r.Rank == rows[j].Rank && r.Signal != nil && rows[j].Signal != nil && r.Signal.At.After(rows[j].Signal.At)) {
			best[k] = i
		}
	}
	out := make([]Row, 0, len(best))
	for i, r := range rows {
		k := who{r.Contact.ID, 0}
		if r.Contact.ID == 0 {
			k = who{0, r.Account.ID}
		}
		if best[k] != i {
			continue
		}
		if n := more[k]; n > 0 {
			r.Task.Title += fmt.Sprintf(" (+%d more waiting)", n)
		}
		out = append(out, r)
	}
	return out
}
