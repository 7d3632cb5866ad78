package model

import (
	"slices"
	"strings"
	"time"
)

// RowKind says why a row is on the worklist.
type RowKind string

// Row kinds.
const (
	RowTask      RowKind = "task"      // an open task due today or overdue
	RowSuggested RowKind = "suggested" // an account gone stale for its tier with no open task
	// RowSignal: a buyer reached out (replied, filled in a form, booked a
	// meeting, called in…) in the last week and nobody has answered yet. These
	// respond rows come before all other work.
	RowSignal RowKind = "signal"
)

// Term is one visible coefficient of a row's rank: its "why".
type Term struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Detail string  `json:"detail,omitempty"`
}

// HoldReason says why a guardrail held a row back.
type HoldReason string

// Hold reasons.
const (
	HoldOptedOut      HoldReason = "opted-out"
	HoldDoNotContact  HoldReason = "do-not-contact"
	HoldCallingHours  HoldReason = "outside-calling-hours"
	HoldContactBudget HoldReason = "contact-budget"
	HoldAccountBudget HoldReason = "account-budget"
	HoldNoChannel     HoldReason = "no-channel" // nothing to reach the contact on
	HoldBadNumber     HoldReason = "bad-number" // a call on a phone flagged wrong
	// HoldColdQuota: a suggested (cold) row past the day's cap, [restraint]
	// cold_per_day, counting the cold touches already made today.
	HoldColdQuota HoldReason = "cold-quota"
)

// Candidate is what the store hands the ranker: an open task or a stale
// account, with the facts the guardrails need.
type Candidate struct {
	Kind    RowKind
	Task    Task // for a suggested or respond row: zero
	Account Account
	Contact Contact // zero ID: an account-level task, or no contact to suggest
	Signal  Signal  // for a respond row: the signal to answer
	// Touches in the budget window, counted by the store. For a respond
	// row the buyer's own (inbound) touches are left out: a reply does not
	// use up the budget for the answer to it.
	ContactTouches int
	AccountTouches int
}

// Row is one line of the worklist: a contact and the next action, ranked.
type Row struct {
	Kind        RowKind    `json:"kind"`
	Task        Task       `json:"task"`             // for a suggested or respond row: the proposed action, ID 0
	Signal      *Signal    `json:"signal,omitempty"` // for a respond row: what the buyer did
	Account     Account    `json:"account"`
	Contact     Contact    `json:"contact"`
	Rank        float64    `json:"rank"`
	Why         []Term     `json:"why"`
	Zone        string     `json:"zone,omitempty"`
	LocalTime   time.Time  `json:"local_time"`
	CallableNow bool       `json:"callable_now"`
	Held        bool       `json:"held"`
	HeldReason  HoldReason `json:"held_reason,omitempty"`
	HeldDetail  string     `json:"held_detail,omitempty"` // e.g. "calls 09:00–17:00 local; it is 19:40 in Chicago"
}

// WorklistQuery selects a page of the worklist.
type WorklistQuery struct {
	Now         time.Time
	Limit       int  // 0: all
	Offset      int  // rows to skip, for paging
	Tier        Tier // "": all tiers
	Overdue     bool // only overdue task rows
	CallableNow bool // only rows callable now
	Channel     TaskKind
	IncludeHeld bool // include held rows (marked Held) in Rows
	Counts      bool // fill Worklist.Held and the counts (grouped queries over indexes, no pass over every candidate)
}

// Worklist is a ranked page and, when asked for, the day's counts.
type Worklist struct {
	Rows      []Row `json:"rows"`
	Due       int   `json:"due"`     // task rows due today (with Counts)
	Overdue   int   `json:"overdue"` // task rows overdue (with Counts)
	Suggested int   `json:"suggested"`
	// Respond counts the unanswered signals of the last week on the list
	// (not held), with Counts.
	Respond  int `json:"respond"`
	HeldBack int `json:"held_back"`
	// ColdToday is the cold touches logged since the rep's midnight and
	// ColdQuota the day's cap ([restraint] cold_per_day); always filled.
	ColdToday int                `json:"cold_today"`
	ColdQuota int                `json:"cold_quota"`
	Held      map[HoldReason]int `json:"held_by_reason"`
	// LeftOut counts stale accounts not suggested because they are outside
	// the ICP focus, by reason (with Counts).
	LeftOut map[LeftOutReason]int `json:"left_out"`
}

// LeftOutReason says why a stale account is not suggested at all.
type LeftOutReason string

// Left-out reasons.
const (
	LeftOutBelowTier LeftOutReason = "below-focus-tier" // tier below [restraint] suggest_tier
	LeftOutExcluded  LeftOutReason = "excluded"         // an ICP exclusion hits it
)

// HoldCount is one hold reason and how many rows it held.
type HoldCount struct {
	Reason HoldReason
	N      int
}

// HeldByCount lists the reasons rows were held back, most first (ties by
// name), leaving out those that held none: the order every front end shows.
func HeldByCount(h map[HoldReason]int) []HoldCount {
	var out []HoldCount
	for r, n := range h {
		if n > 0 {
			out = append(out, HoldCount{r, n})
		}
	}
	slices.SortFunc(out, func(a, b HoldCount) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(string(a.Reason), string(b.Reason))
	})
	return out
}
