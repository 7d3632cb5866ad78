package model

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrOffline: the CRM could not be reached; local work goes on and the
// outbox waits for the next sync.
var ErrOffline = errors.New("offline")

// ErrSyncRunning: another sync of the same book is under way (in another
// terminal, or the TUI's while a CLI sync runs). A *SyncRunningError says
// which.
var ErrSyncRunning = errors.New("a sync is already running")

// SyncRunningError is the sync already running on a book: its process id
// and start time (zero when the lock holder did not say), and how long it
// has run when that is long enough to look stuck.
type SyncRunningError struct {
	PID     int
	Started time.Time
	// Stuck is how long it has run when that passes the time a sync
	// should take (zero otherwise): the message then says how to stop it.
	Stuck time.Duration
}

// Error is one line: "a sync is already running (pid 4242, started 14:02)".
func (e *SyncRunningError) Error() string {
	var what []string
	if e.PID > 0 {
		what = append(what, fmt.Sprintf("pid %d", e.PID))
	}
	if !e.Started.IsZero() {
		what = append(what, "started "+e.Started.Format("15:04"))
	}
	s := ErrSyncRunning.Error()
	if len(what) > 0 {
		s += " (" + what[0]
		for _, w := range what[1:] {
			s += ", " + w
		}
		s += ")"
	}
	if e.Stuck > 0 && e.PID > 0 {
		s += fmt.Sprintf("; it has run for %s: if it is stuck, stop it (kill %d) and sync again", e.Stuck.Round(time.Minute), e.PID)
	}
	return s
}

// Is makes errors.Is(err, ErrSyncRunning) hold.
func (e *SyncRunningError) Is(target error) bool { return target == ErrSyncRunning }

// SyncPhase names a stage of a sync.
type SyncPhase string

// Sync phases, in order.
const (
	PhaseConnect SyncPhase = "connect"
	PhasePull    SyncPhase = "pull"
	PhasePush    SyncPhase = "push"
	PhaseDone    SyncPhase = "done"
)

// SyncProgress is one progress report from a running sync.
type SyncProgress struct {
	Phase SyncPhase `json:"phase"`
	What  string    `json:"what"` // e.g. "companies", "touches"
	Done  int       `json:"done"`
	Total int       `json:"total"` // 0: not known yet
}

// SyncConflict is a field changed on both sides since the last sync: the
// CRM's value was kept and the local one is reported.
type SyncConflict struct {
	Record string `json:"record"`
	Field  string `json:"field"`
	CRM    string `json:"crm_value"`
	Local  string `json:"local_value"`
}

// SyncReport summarises a finished (or stopped) sync.
type SyncReport struct {
	Started   time.Time      `json:"started"`
	Finished  time.Time      `json:"finished"`
	Pulled    int            `json:"pulled"`
	Pushed    int            `json:"pushed"`
	HeldBack  int            `json:"held_back"`
	Errors    []string       `json:"errors"`
	Conflicts []SyncConflict `json:"conflicts"`
	Pending   int            `json:"pending"` // outbox entries still queued
	// Held lists the changes that did not go and will not on their own
	// (HeldBack of them in all; the first few here), each with its reason
	// and the way out.
	Held []OutboxItem `json:"held"`
	// Changes names what the pull changed in the book that the rep should
	// see: accounts that arrived, left or were renamed, tasks closed,
	// reopened, moved or deleted in the CRM (Pulled counts every record
	// changed). The first few; ChangesMore says how many more.
	Changes     []SyncChange `json:"changes"`
	ChangesMore int          `json:"changes_more"`
}

// SyncChangeKind names what happened to an account or a task in a pull.
type SyncChangeKind string

// The kinds of change a sync names.
const (
	ChangeArrived    SyncChangeKind = "arrived"    // new in the rep's book
	ChangeReassigned SyncChangeKind = "reassigned" // left the book: the CRM gave it to another owner
	ChangeDeleted    SyncChangeKind = "deleted"    // left the book: deleted in the CRM
	ChangeRenamed    SyncChangeKind = "renamed"    // the CRM changed its name
	ChangeLinked     SyncChangeKind = "linked"     // a local-only account found in the CRM by its domain

	ChangeTaskClosed   SyncChangeKind = "task-closed"   // an open task completed in the CRM: done here
	ChangeTaskReopened SyncChangeKind = "task-reopened" // a closed task reopened in the CRM: open here
	ChangeTaskMoved    SyncChangeKind = "task-moved"    // the CRM changed an open task's due date
	ChangeTaskDeleted  SyncChangeKind = "task-deleted"  // deleted in the CRM: off the list here, kept

	ChangeSignal SyncChangeKind = "signal" // a buyer reached out: Detail says how
)

// SyncChange is one named change a pull made to the book. Account is the
// account's name (the new one when renamed); From is the old name when
// renamed; To is the new owner when reassigned: their name, else their CRM
// id ("" when the CRM did not say).
// For a task change, Task is its title and CRMID the task's; when moved,
// From and To are the old and new due ("2006-01-02", with " 15:04" when it
// has a time, in the book's zone).
type SyncChange struct {
	Kind    SyncChangeKind `json:"kind"`
	Account string         `json:"account"`
	Task    string         `json:"task,omitempty"`
	CRMID   string         `json:"crm_id"`
	From    string         `json:"from,omitempty"`
	To      string         `json:"to,omitempty"`
	// AccountID is the book's account, to open; 0 when it left the book.
	AccountID int64 `json:"account_id,omitempty"`
	// Detail is a signal's contact and what they did ("Dana Reyes
	// replied: 'Can we talk Thursday?'").
	Detail string `json:"detail,omitempty"`
}

// Text says the change in a few words, for both front ends.
func (c SyncChange) Text() string {
	switch c.Kind {
	case ChangeArrived:
		return "+ " + c.Account + " arrived in your book"
	case ChangeReassigned:
		if c.To != "" && strings.Trim(c.To, "0123456789") == "" {
			return "- " + c.Account + " left your book: reassigned to owner " + c.To // an id: the CRM did not say the name
		}
		if c.To != "" {
			return "- " + c.Account + " left your book: reassigned to " + c.To
		}
		return "- " + c.Account + " left your book: reassigned in the CRM"
	case ChangeDeleted:
		return "- " + c.Account + " left your book: deleted in the CRM"
	case ChangeRenamed:
		return fmt.Sprintf("~ %s renamed (was %q)", c.Account, c.From)
	case ChangeLinked:
		return "= " + c.Account + " linked to its CRM company by its domain"
	case ChangeTaskClosed:
		return fmt.Sprintf("✓ task %q (%s) completed in the CRM: done here", c.Task, c.Account)
	case ChangeTaskReopened:
		return fmt.Sprintf("+ task %q (%s) reopened in the CRM: open here", c.Task, c.Account)
	case ChangeTaskMoved:
		return fmt.Sprintf("~ task %q (%s) moved in the CRM: due %s, was %s", c.Task, c.Account, c.To, c.From)
	case ChangeTaskDeleted:
		return fmt.Sprintf("- task %q (%s) deleted in the CRM: off your list, kept in its history", c.Task, c.Account)
	case ChangeSignal:
		return "! " + c.Account + ": " + c.Detail
	}
	return string(c.Kind) + " " + c.Account
}

// OutboxState says where an unpushed change stands.
type OutboxState string

// Outbox states.
const (
	OutboxQueued OutboxState = "queued" // goes with the next sync
	OutboxHeld   OutboxState = "held"   // the CRM refused it: it goes again once the rep changes it
	OutboxGone   OutboxState = "gone"   // a record it refers to was deleted in the CRM
	// OutboxWaiting: its record is not in the CRM (an account that was
	// never there): it goes once the record is, or is dropped.
	OutboxWaiting OutboxState = "waiting"
)

// OutboxItem is one unpushed outbox entry as the rep reads it: what it is,
// where it stands, why, and the way out.
type OutboxItem struct {
	ID       int64       `json:"id"`
	Kind     OutboxKind  `json:"kind"`
	State    OutboxState `json:"state"`
	What     string      `json:"what"`    // e.g. `call with Ann Lee`, `task "Call again"`
	Account  string      `json:"account"` // the account's name ("" when gone)
	Reason   string      `json:"reason"`  // why it has not gone ("" when simply queued)
	Fix      string      `json:"fix"`     // what the rep can do ("" when nothing is needed)
	Created  time.Time   `json:"created"`
	Attempts int         `json:"attempts"`
}

// Syncer runs one sync, reporting progress on the channel (which it does not
// close). Cancelling ctx stops it with the outbox consistent.
type Syncer interface {
	Sync(ctx context.Context, progress chan<- SyncProgress) (SyncReport, error)
}

// OutboxKind names a queued local change: "<entity>.<verb>".
type OutboxKind string

// Outbox kinds, as storage writes them.
const (
	OutboxTouchCreate   OutboxKind = "touch.create"
	OutboxTouchUpdate   OutboxKind = "touch.update" // a note edited after the touch was pushed
	OutboxTaskCreate    OutboxKind = "task.create"
	OutboxTaskUpdate    OutboxKind = "task.update"
	OutboxAccountUpdate OutboxKind = "account.update"
	OutboxContactUpdate OutboxKind = "contact.update"
)

// OutboxEntry is one queued local change as the sync engine pushes it,
// with the records it concerns read as they are now (so CRM ids an earlier
// push of the same sync gave them are set).
type OutboxEntry struct {
	ID       int64
	OpID     string
	Kind     OutboxKind
	EntityID int64
	Attempts int
	// CreateQueued: an update whose record's create is still queued (it
	// goes first, and the update after it). Update kinds only.
	CreateQueued bool
	// SentAt is when an earlier sync sent this create without recording
	// its outcome (killed, or cut off mid-reply): the record may exist in
	// the CRM. Zero: never sent. Creates only.
	SentAt  time.Time
	Touch   Touch   // touch kinds
	Task    Task    // task kinds
	Account Account // the account concerned (every kind)
	Contact Contact // the contact concerned ("" CRMID when none)
}

// PushOutcome is what became of one pushed outbox entry: pushed (none of
// the flags; CRMID is the record's id, required for creates), Retry (stays
// queued), Held (refused until the rep changes it), Gone (a record it
// refers to was deleted in the CRM: kept locally, not retried), Waiting
// (its record is not in the CRM) or Skipped (nothing to push: marked done
// with Error saying why).
type PushOutcome struct {
	EntryID int64
	CRMID   string
	Error   string
	Retry   bool
	Held    bool
	Gone    bool
	Skipped bool
	// Waiting: the record it concerns is not in the CRM (Error says which);
	// it is held until the record is (a company created there and linked by
	// its domain) or the rep drops it.
	Waiting bool
	// Pushed is what the push wrote that the store keeps track of: the
	// status value of a task or account update, the note of a touch create
	// ("" for other kinds), so the store knows what the CRM now holds.
	Pushed string
}

// PulledCompany is a company pulled from the CRM (Account.CRMID and Owner
// set; ID, Fit, Tier, LastTouched are the store's). Modified is the CRM's
// last-modified time.
type PulledCompany struct {
	Account  Account
	Modified time.Time
}

// PulledContact is a contact pulled from the CRM; CompanyIDs are the CRM
// ids of its companies, primary first.
type PulledContact struct {
	Contact    Contact
	CompanyIDs []string
	Modified   time.Time
	// Signals are what the contact's own properties say the buyer did (a
	// form, a reply, a click, a return visit), written with the contact.
	Signals []PulledSignal
}

// PulledTask is a task pulled from the CRM; CompanyID and ContactID are CRM
// ids, OpID the operation id Shortlist wrote when it created the task.
type PulledTask struct {
	Task      Task
	CompanyID string
	ContactID string
	OpID      string
	Modified  time.Time
}

// DepartedCompany is a company that left the rep's book in the CRM.
type DepartedCompany struct {
	CompanyID string
	Owner     string // the new owner's id when reassigned
	OwnerName string // the new owner's name when the CRM told it ("" when not)
	Deleted   bool
}

// SyncApplied is what applying pulled records changed in the local book.
type SyncApplied struct {
	Changed   int            // records inserted or changed
	Conflicts []SyncConflict // both sides changed a field: the CRM's value was kept
	Notes     []string       // things the rep should know (e.g. a deleted record kept)
	Changes   []SyncChange   // the named changes (accounts arrived, left, renamed)
}
