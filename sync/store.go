package sync

import (
	"context"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// Store is what the engine needs from the local book; *storage.DB
// implements it. Every method that writes does so in one transaction, so a
// sync killed at any instant leaves the book consistent and resumable.
type Store interface {
	// LockSync takes the book's sync lock, so one sync at a time runs on
	// it, and returns its release. Another sync holding it is a
	// *model.SyncRunningError (errors.Is model.ErrSyncRunning); a lock
	// left by a killed sync is taken over.
	LockSync(ctx context.Context) (release func(), err error)
	// SyncCursor reads a pull cursor (zero when never set).
	SyncCursor(ctx context.Context, key string) (time.Time, error)
	// ApplyCompanies writes a page of pulled companies and sets the cursor
	// key to cursor in the same transaction.
	ApplyCompanies(ctx context.Context, page []model.PulledCompany, cursorKey string, cursor time.Time) (model.SyncApplied, error)
	// BookCompanyIDs lists the CRM ids of the accounts in the rep's book.
	BookCompanyIDs(ctx context.Context) ([]string, error)
	// ApplyDepartures takes companies that left the rep's book out of the
	// worklist, keeping those that carry unsynced local work.
	ApplyDepartures(ctx context.Context, gone []model.DepartedCompany) (model.SyncApplied, error)
	// MarkBookForPull marks every company in the book for its contacts and
	// tasks to be pulled again and sets the cursor key to at, in one
	// transaction.
	MarkBookForPull(ctx context.Context, cursorKey string, at time.Time) error
	// PullPending lists up to limit CRM ids of companies whose contacts and
	// tasks are still to be pulled.
	PullPending(ctx context.Context, limit int) ([]string, error)
	// PullPendingCount is how many companies PullPending has left.
	PullPendingCount(ctx context.Context) (int, error)
	// ApplyContactsTasks writes the contacts and tasks pulled for
	// companyIDs and clears their pull mark, in one transaction.
	ApplyContactsTasks(ctx context.Context, companyIDs []string, contacts []model.PulledContact, tasks []model.PulledTask) (model.SyncApplied, error)
	// ApplyContacts writes a page of contacts found by their own change
	// (not through their companies) and sets the cursor key to cursor, in
	// one transaction, as ApplyContactsTasks writes contacts; a contact none
	// of whose companies is in the book is left out.
	ApplyContacts(ctx context.Context, contacts []model.PulledContact, cursorKey string, cursor time.Time) (model.SyncApplied, error)
	// ApplyTasks writes a page of tasks found by their own change (not
	// through their companies) and sets the cursor key to cursor, in one
	// transaction, as ApplyContactsTasks writes tasks; a task on neither a
	// company nor a contact of the book is left out.
	ApplyTasks(ctx context.Context, tasks []model.PulledTask, cursorKey string, cursor time.Time) (model.SyncApplied, error)
	// ApplyMeetings writes a page of meetings changed in the CRM onto the
	// booked-meeting touches they came from (moved, cancelled) and sets the
	// cursor key to cursor, in one transaction.
	ApplyMeetings(ctx context.Context, meetings []model.PulledMeeting, cursorKey string, cursor time.Time) (model.SyncApplied, error)
	// OpenTaskCRMIDs lists the CRM ids of the book's open (and snoozed)
	// tasks.
	OpenTaskCRMIDs(ctx context.Context) ([]string, error)
	// ApplyDeletedTasks takes tasks deleted in the CRM off the list, in one
	// transaction, keeping each task and reporting any local change to it
	// that had not reached the CRM.
	ApplyDeletedTasks(ctx context.Context, crmIDs []string) (model.SyncApplied, error)
	// DropDetachedContacts removes the book's contacts with a CRM id that
	// are not in seen (what a full pull of every book company returned),
	// keeping and reporting those with unsynced local work and keeping those
	// touched within the touch-budget window, in one transaction.
	DropDetachedContacts(ctx context.Context, seen []string, now time.Time) (model.SyncApplied, error)
	// PendingOutbox returns up to limit queued entries of a kind after
	// afterID, oldest first.
	PendingOutbox(ctx context.Context, kind model.OutboxKind, afterID int64, limit int) ([]model.OutboxEntry, error)
	// MarkInFlight records, in one transaction, that the creates of these
	// outbox entries are being sent at at; PendingOutbox then gives them
	// that SentAt until their outcome is recorded.
	MarkInFlight(ctx context.Context, entryIDs []int64, at time.Time) error
	// RecordPush records the outcomes of one pushed batch in one transaction.
	RecordPush(ctx context.Context, results []model.PushOutcome) error
	// PurgeDeparted removes departed accounts whose work has all been pushed
	// and that have no touch of the rep's day at now.
	PurgeDeparted(ctx context.Context, now time.Time) (int, error)
	// OutboxCounts reports queued and held-back outbox entries.
	OutboxCounts(ctx context.Context) (queued, held int, err error)
	// OutboxItems lists up to limit unpushed entries (heldOnly: those that
	// will not go on their own), each with its reason and the way out.
	OutboxItems(ctx context.Context, heldOnly bool, limit int) ([]model.OutboxItem, error)
	// SetSyncState records a finished sync's time and error.
	SetSyncState(ctx context.Context, at time.Time, lastErr string) error
}
