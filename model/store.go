package model

import (
	"context"
	"time"
)

// AccountFilter selects accounts.
type AccountFilter struct {
	Tier   Tier
	Status AccountStatus
	Query  string // substring of name or domain
	Limit  int
	Offset int
}

// AccountDetail is everything the account screen and `show` need.
type AccountDetail struct {
	Account  Account   `json:"account"`
	Fit      Fit       `json:"fit"`
	Contacts []Contact `json:"contacts"`
	Touches  []Touch   `json:"touches"` // newest first
	Tasks    []Task    `json:"open_tasks"`
	// Signals are what the account's buyers did in the last 90 days
	// (replies, forms, meetings, calls in…), newest first, answered or not.
	Signals []Signal `json:"signals"`
	// Gaps are the committee personas with no contact reached yet.
	Gaps []Persona `json:"committee_gaps"`
}

// LogRequest is one outcome to log.
type LogRequest struct {
	ContactID int64
	Channel   Channel
	Direction Direction
	Outcome   Outcome
	Note      string
	At        time.Time
	Duration  time.Duration
	TaskID    int64     // the task this touch worked, closed as done; 0: none
	MeetingAt time.Time // for meeting-booked: when the meeting is; zero: not known yet
	// Next is the rep's word on the next action; the plan decides what it
	// becomes after the guards.
	Next NextChoice
}

// LogResult is what logging did: the plan as persisted, with ids.
type LogResult struct {
	Touch Touch `json:"touch"`
	Next  *Task `json:"next_action"`
	Plan  Plan  `json:"plan"`
}

// SearchHit is one account or contact matched by a search.
type SearchHit struct {
	AccountID   int64  `json:"account_id"`
	ContactID   int64  `json:"contact_id,omitempty"`
	AccountName string `json:"account"`
	ContactName string `json:"contact,omitempty"`
	Title       string `json:"title,omitempty"`
	Tier        Tier   `json:"tier"`
}

// SearchResult is one search's hits, best first, and how many there are
// in all.
type SearchResult struct {
	Hits []SearchHit
	// Total is how many accounts and contacts match; when Partial, only
	// part of the book was searched (a query too short for the index
	// reads the best-fitting accounts only) and Total counts that part.
	Total   int
	Partial bool
}

// DayCount is activity on one day.
type DayCount struct {
	Day     time.Time `json:"day"`
	Touches int       `json:"touches"`
}

// Stats summarise the rep's activity.
type Stats struct {
	Today map[Outcome]int `json:"today"`
	// TasksDoneToday are tasks the rep marked done today without logging
	// a touch (shortlist done, D): work done that no touch counts.
	TasksDoneToday int             `json:"tasks_done_today"`
	Week           map[Outcome]int `json:"week"`
	Days           []DayCount      `json:"days"` // the last 14 days, oldest first
	Calls          int             `json:"calls"`
	Connects       int             `json:"connects"` // calls connected or better, this week
	MeetingsBooked int             `json:"meetings_booked"`
	TierA          int             `json:"tier_a_accounts"`
	TierATouched   int             `json:"tier_a_touched_14d"`
	Restraint      Restraint       `json:"restraint"`
	Listening      SignalStats     `json:"listening"`
}

// Restraint is holding back, as figures: what the guardrails held today,
// what the ICP focus kept out, the opt-outs recorded this week, and how hard
// contacts were touched against the budget.
type Restraint struct {
	HeldToday   map[HoldReason]int    `json:"held_today"` // worklist rows held back now, by reason
	HeldBack    int                   `json:"held_back"`
	LeftOut     map[LeftOutReason]int `json:"left_out"`      // stale accounts not suggested, by reason
	OptOutsWeek int                   `json:"opt_outs_week"` // channels opted out since Monday (any source)
	// Over the budget window: contacts touched, their touches' median and
	// maximum, and how many reached the per-contact budget.
	ContactsTouched int     `json:"contacts_touched"`
	MedianTouches   float64 `json:"median_touches"`
	MaxTouches      int     `json:"max_touches"`
	AtBudget        int     `json:"at_budget"`
	Budget          int     `json:"budget_per_contact"`
	WindowDays      int     `json:"window_days"`
}

// SyncState is what the header shows of the link to the CRM.
type SyncState struct {
	Pending  int       `json:"pending"`              // outbox entries not yet pushed
	LastSync time.Time `json:"last_sync"`            // the last sync that succeeded; zero: never
	LastErr  string    `json:"last_error,omitempty"` // how the latest sync failed; "": it succeeded
}

// Store is the local book. Every method that changes data is one transaction
// that also writes its outbox entries.
type Store interface {
	Worklist(ctx context.Context, q WorklistQuery) (Worklist, error)
	Accounts(ctx context.Context, f AccountFilter) ([]Account, error)
	AccountDetail(ctx context.Context, id int64) (AccountDetail, error)
	Contact(ctx context.Context, id int64) (Contact, Account, error)
	Search(ctx context.Context, query string, limit int) (SearchResult, error)
	Stats(ctx context.Context, now time.Time) (Stats, error)
	SyncState(ctx context.Context) (SyncState, error)
	// DoneToday counts what the rep did today: touches logged and tasks
	// marked done by hand since midnight; indexed, for the header.
	DoneToday(ctx context.Context, now time.Time) (int, error)

	// LogState reads what PlanLog needs to decide a log on a contact
	// (taskID: the task worked, 0: none), so a front end can show the plan
	// each key would make; LogTouch reads it again inside its transaction.
	LogState(ctx context.Context, contactID, taskID int64, now time.Time) (LogState, error)
	LogTouch(ctx context.Context, req LogRequest) (LogResult, error)
	// UndoLog reverses a logged touch and everything it changed, while none
	// of it has been pushed; after that it returns ErrSynced.
	UndoLog(ctx context.Context, touchID int64) error
	AddTask(ctx context.Context, t Task) (Task, error)
	SetTaskStatus(ctx context.Context, taskID int64, status TaskStatus, snoozeUntil time.Time) error
	EditTouchNote(ctx context.Context, touchID int64, note string) error

	// UndoTaskStatus takes back a task's newest status change (done, skip,
	// snooze), putting prior back; UndoAddTask deletes a task the rep added;
	// UndoNoteEdit puts a touch's note back to prior. Each is one
	// transaction and returns ErrSynced once the change was pushed.
	UndoTaskStatus(ctx context.Context, taskID int64, prior TaskState) error
	UndoAddTask(ctx context.Context, taskID int64) error
	UndoNoteEdit(ctx context.Context, touchID int64, prior string) error

	// RecordSignal stores a signal the rep records by hand (they called,
	// wrote, turned up); UndoSignal deletes it while it is unanswered.
	RecordSignal(ctx context.Context, s Signal) (Signal, error)
	UndoSignal(ctx context.Context, id int64) error
}

// TaskState is the part of a task a status change sets, as it was before.
type TaskState struct {
	Status       TaskStatus
	SnoozedUntil time.Time
	ClosedAt     time.Time
}

// State is the task's status, snooze and close time.
func (t Task) State() TaskState {
	return TaskState{Status: t.Status, SnoozedUntil: t.SnoozedUntil, ClosedAt: t.ClosedAt}
}
